using System.Numerics.Tensors;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// A fitted <see cref="SlidingNearestNeighbourScorer"/>: per feature, the training tail the reference starts from.
/// Immutable; every batch and stream searches with buffers of its own.
/// </summary>
internal sealed class FittedSlidingNearestNeighbourScorer : IFittedScorer, IStreamableScorer, ITrainingScorer
{
    private readonly float[][] _tail;

    /// <param name="name">The scorer's name.</param>
    /// <param name="length">The subsequence length.</param>
    /// <param name="reference">How many of the latest subsequences the reference holds.</param>
    /// <param name="tail">Per feature, the last training values: equally long, from one subsequence to reference + length − 1 values, finite. Kept, not copied.</param>
    /// <param name="heldOutFrom">The first training step whose error is held out.</param>
    public FittedSlidingNearestNeighbourScorer(string name, int length, int reference, float[][] tail, int heldOutFrom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(reference);
        ArgumentOutOfRangeException.ThrowIfNegative(heldOutFrom);
        if (tail.Length == 0 || tail.Any(r => r.Length != tail[0].Length) || tail[0].Length < length || tail[0].Length > (long)reference + length - 1)
        {
            throw new ArgumentException(
                $"The training tail must hold, for each of at least one feature, the same number of values, from {length} (one subsequence) to " +
                $"{(long)reference + length - 1} (the reference's subsequences).", nameof(tail));
        }

        if (tail.Any(r => !r.All(float.IsFinite)))
        {
            throw new ArgumentException("The training tail holds a NaN or infinite value; expected finite scaled training values.", nameof(tail));
        }

        Name = name;
        Length = length;
        Reference = reference;
        HeldOutFrom = heldOutFrom;
        _tail = tail;
    }

    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    public int Features => _tail.Length;

    /// <summary>Gets the subsequence length.</summary>
    public int Length { get; }

    /// <summary>Gets how many of the latest subsequences the reference holds.</summary>
    public int Reference { get; }

    /// <summary>Gets, per feature, the training tail (for saving).</summary>
    internal IReadOnlyList<float[]> Tail => _tail;

    /// <inheritdoc />
    /// <remarks>The subsequence length.</remarks>
    public int Window => Length;

    public bool ErrorsAreSigned => false;

    /// <remarks>The steps before the first full subsequence.</remarks>
    public int WarmUp => Length - 1;

    public int HeldOutFrom { get; }

    public TrainingHistory? History => null;

    /// <remarks>The subsequence that ends at the scored step.</remarks>
    public int MaximumSaliencySteps => Length;

    /// <summary>How many input rows before a point its search reads: its own subsequence's and the reference's.</summary>
    private int Context => (2 * Length) + Reference - 2;

    /// <summary>Scores a series that continues the training series: its first points are compared with the training tail.</summary>
    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors) =>
        Score(inputs, observed, expected, errors, training: false);

    /// <summary>Scores the training series against its own past only, so that every point is scored as a new one would be.</summary>
    public void ScoreTraining(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected,
        Span<float> errors) => Score(inputs, observed, expected, errors, training: true);

    private void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors, bool training)
    {
        int length = ScoringArguments.Validate(inputs, observed, expected, errors, Features, Length);
        int features = Features, lead = training ? 0 : _tail[0].Length;
        var values = new float[lead + length];
        for (int f = 0; f < features; f++)
        {
            Gather(values, f, lead, inputs, length);
            for (int t = 0; t < length; t++)
            {
                int i = (t * features) + f;
                (expected[i], float distance) = t < WarmUp ? (float.NaN, float.NaN) : Nearest(values, lead + t);
                errors[i] = float.IsNaN(observed[i]) ? float.NaN : distance;
            }
        }
    }

    /// <remarks>
    /// With q the query subsequence and r its nearest neighbour, d = ‖q − r‖ gives ∂d/∂qₖ = (qₖ − rₖ)/d. The neighbour is
    /// held fixed (the distance is a minimum; its gradient is that of the minimising term), also where it overlaps inputs
    /// of the series. A zero distance, a point without a neighbour or a missing observation has no saliency. The
    /// observation is read as the input at the scored step.
    /// </remarks>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps)
    {
        ScoringArguments.ValidateSaliency(inputs, observed, Features, Length, time, WarmUp, errorGradient, inputGradient, MaximumSaliencySteps);
        int features = Features, lead = _tail[0].Length, first = time - WarmUp;
        steps = Length;
        inputGradient.Clear();
        var values = new float[lead + time + 1];
        for (int f = 0; f < features; f++)
        {
            float last = observed[(time * features) + f];
            if (float.IsNaN(last))
            {
                continue;
            }

            Gather(values, f, lead, inputs, time + 1);
            values[^1] = last;
            float distance = Nearest(values, lead + time, out int end);
            if (!(distance > 0) || end < 0)
            {
                continue;
            }

            for (int k = 0; k < Length; k++)
            {
                float query = values[lead + first + k], neighbour = values[end - WarmUp + k];
                inputGradient[(k * features) + f] = errorGradient[f] * (query - neighbour) / distance;
            }
        }

        return first;
    }

    public PointScorer CreatePointScorer() => new Stream(this);

    /// <summary>Feature <paramref name="feature"/>'s training tail (unless <paramref name="lead"/> is 0) then its first <paramref name="steps"/> inputs, into <paramref name="values"/>.</summary>
    private void Gather(Span<float> values, int feature, int lead, ReadOnlySpan<float> inputs, int steps)
    {
        _tail[feature].AsSpan(_tail[feature].Length - lead).CopyTo(values);
        for (int t = 0; t < steps; t++)
        {
            values[lead + t] = inputs[(t * Features) + feature];
        }
    }

    /// <summary>The nearest neighbour's last value, the expected value, and the distance to it; NaN in both where there is none.</summary>
    private (float Expected, float Distance) Nearest(ReadOnlySpan<float> values, int end)
    {
        float distance = Nearest(values, end, out int neighbourEnd);
        return neighbourEnd < 0 ? (float.NaN, float.NaN) : (values[neighbourEnd], distance);
    }

    /// <summary>
    /// The distance from the subsequence of <paramref name="values"/> that ends at <paramref name="end"/> to the nearest of
    /// the <see cref="Reference"/> subsequences that end one length or more before it, and where that one ends (the most
    /// recent of equals); NaN and −1 where none does.
    /// </summary>
    private float Nearest(ReadOnlySpan<float> values, int end, out int neighbourEnd)
    {
        ReadOnlySpan<float> query = values.Slice(end - Length + 1, Length);
        float best = float.PositiveInfinity;
        neighbourEnd = -1;
        for (int other = end - Length, last = Math.Max(Length - 1, end - Length - Reference + 1); other >= last; other--)
        {
            float distance = TensorPrimitives.Distance(query, values.Slice(other - Length + 1, Length));
            if (distance < best)
            {
                (best, neighbourEnd) = (distance, other);
            }
        }

        return neighbourEnd < 0 ? float.NaN : best;
    }

    /// <summary>
    /// The scorer on one stream: the reference is read from the stream's kept inputs, with the training tail before them
    /// until the stream holds a whole context, so nothing of it is saved.
    /// </summary>
    private sealed class Stream : PointScorer
    {
        private readonly FittedSlidingNearestNeighbourScorer _scorer;
        private readonly float[] _values;

        public Stream(FittedSlidingNearestNeighbourScorer scorer)
        {
            _scorer = scorer;
            Context = scorer.Context;
            _values = new float[Context + 1];
        }

        public override int Context { get; }

        public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            if (WarmingUp(history, _scorer.WarmUp, expected, errors))
            {
                return;
            }

            int features = _scorer.Features, rows = Math.Min(history.Held, Context);
            int lead = history.Time < Context ? Math.Min(_scorer._tail[0].Length, Context - rows) : 0;
            ReadOnlySpan<float> recent = history.Last(rows);
            Span<float> values = _values.AsSpan(0, lead + rows + 1);
            for (int f = 0; f < features; f++)
            {
                _scorer.Gather(values, f, lead, recent, rows);
                // A missing value is filled with the feature's last input, as the stream fills the inputs it keeps.
                values[^1] = float.IsNaN(observed[f]) ? (rows > 0 ? recent[recent.Length - features + f] : 0) : observed[f];
                (expected[f], float distance) = _scorer.Nearest(values, lead + rows);
                errors[f] = float.IsNaN(observed[f]) ? float.NaN : distance;
            }
        }
    }
}
