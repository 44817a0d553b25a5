using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// A fitted <see cref="MultiLengthNearestNeighbourScorer"/> with two or three lengths: the largest of the plain distances
/// divided by the square root of their lengths. Immutable; every batch and stream searches with buffers of its own.
/// </summary>
internal sealed class FittedMultiLengthNearestNeighbourScorer : IFittedScorer, IStreamableScorer, ITrainingScorer
{
    private readonly FittedNearestNeighbourScorer[] _parts;
    private readonly float[] _scales;

    /// <param name="name">The scorer's name.</param>
    /// <param name="parts">Two or more plain distances of one reference, the window's length first; kept, not copied.</param>
    public FittedMultiLengthNearestNeighbourScorer(string name, FittedNearestNeighbourScorer[] parts)
    {
        if (parts.Length < 2 || parts.Any(p => p.Normalize || p.Features != parts[0].Features))
        {
            throw new ArgumentException("Expected two or more plain (not z-normalised) nearest-neighbour distances of one number of features.", nameof(parts));
        }

        Name = name;
        _parts = parts;
        _scales = [.. parts.Select(p => 1 / MathF.Sqrt(p.Length))];
        Window = parts.Max(p => p.Window);
        WarmUp = parts.Max(p => p.WarmUp);
        MaximumSaliencySteps = parts.Max(p => p.MaximumSaliencySteps);
    }

    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>Gets the distances, the window's length first (for saving).</summary>
    internal IReadOnlyList<FittedNearestNeighbourScorer> Parts => _parts;

    public int Features => _parts[0].Features;

    /// <inheritdoc />
    /// <remarks>The longest subsequence.</remarks>
    public int Window { get; }

    public bool ErrorsAreSigned => false;

    /// <remarks>The longest subsequence's: every length scores from there on.</remarks>
    public int WarmUp { get; }

    /// <remarks>Every scored training step is held out, as for each distance.</remarks>
    public int HeldOutFrom => WarmUp;

    public TrainingHistory? History => null;

    public int MaximumSaliencySteps { get; }

    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors) =>
        Score(inputs, observed, null, training: false, expected, errors);

    public void ScoreTraining(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected,
        Span<float> errors) => Score(inputs, observed, timestamps, training: true, expected, errors);

    private void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, bool training,
        Span<float> expected, Span<float> errors)
    {
        ScoringArguments.Validate(inputs, observed, expected, errors, Features, Window);
        var partExpected = new float[expected.Length];
        var partErrors = new float[errors.Length];
        for (int p = 0; p < _parts.Length; p++)
        {
            Span<float> e = p == 0 ? expected : partExpected, r = p == 0 ? errors : partErrors;
            if (training)
            {
                _parts[p].ScoreTraining(inputs, observed, timestamps, e, r);
            }
            else
            {
                _parts[p].Score(inputs, observed, e, r);
            }

            Combine(p, errors, partErrors);
        }

        int warm = WarmUp * Features;
        expected[..warm].Fill(float.NaN);
        errors[..warm].Fill(float.NaN);
    }

    /// <summary>Scales part <paramref name="part"/>'s errors (in <paramref name="errors"/> for the first part, else in <paramref name="partErrors"/>) and keeps the larger.</summary>
    private void Combine(int part, Span<float> errors, ReadOnlySpan<float> partErrors)
    {
        float scale = _scales[part];
        for (int i = 0; i < errors.Length; i++)
        {
            // A missing observation is missing for every length, and a part still warming up scores nothing: NaN stays NaN.
            errors[i] = part == 0 ? errors[i] * scale : MathF.Max(errors[i], partErrors[i] * scale);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The gradient of the length whose scaled distance decides at <paramref name="time"/> (the largest; the window's
    /// length among equals), times its scale, per feature: the maximum's gradient is that of the term that attains it.
    /// </remarks>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps)
    {
        ScoringArguments.ValidateSaliency(inputs, observed, Features, Window, time, WarmUp, errorGradient, inputGradient, MaximumSaliencySteps);
        int features = Features, rows = time + 1;
        var deciding = new int[features];
        var best = new float[features];
        best.AsSpan().Fill(float.NegativeInfinity);
        var partExpected = new float[rows * features];
        var partErrors = new float[rows * features];
        for (int p = 0; p < _parts.Length; p++)
        {
            _parts[p].Score(inputs[..(rows * features)], observed[..(rows * features)], partExpected, partErrors);
            for (int f = 0; f < features; f++)
            {
                float scaled = partErrors[(time * features) + f] * _scales[p];
                if (scaled > best[f])
                {
                    (best[f], deciding[f]) = (scaled, p);
                }
            }
        }

        // Rows end at the scored step: the longest subsequence's rows, the shorter lengths' gradients in the last of them.
        steps = MaximumSaliencySteps;
        int first = time - steps + 1;
        inputGradient.Clear();
        var gradient = new float[features];
        for (int p = 0; p < _parts.Length; p++)
        {
            bool decides = false;
            for (int f = 0; f < features; f++)
            {
                gradient[f] = deciding[f] == p ? errorGradient[f] * _scales[p] : 0;
                decides |= deciding[f] == p && gradient[f] != 0;
            }

            if (!decides)
            {
                continue;
            }

            FittedNearestNeighbourScorer part = _parts[p];
            var partGradient = new float[part.MaximumSaliencySteps * features];
            int partFirst = part.Saliency(inputs, observed, time, gradient, partGradient, out int partSteps);
            for (int k = 0; k < partSteps * features; k++)
            {
                inputGradient[((partFirst - first) * features) + k] += partGradient[k];
            }
        }

        return first;
    }

    public PointScorer CreatePointScorer() => new Stream(this);

    /// <summary>The distances' streams side by side.</summary>
    private sealed class Stream : PointScorer
    {
        private readonly FittedMultiLengthNearestNeighbourScorer _scorer;
        private readonly PointScorer[] _parts;
        private readonly float[] _expected;
        private readonly float[] _errors;

        public Stream(FittedMultiLengthNearestNeighbourScorer scorer)
        {
            _scorer = scorer;
            _parts = [.. scorer._parts.Select(p => p.CreatePointScorer())];
            _expected = new float[scorer.Features];
            _errors = new float[scorer.Features];
            Context = _parts.Max(p => p.Context);
        }

        public override int Context { get; }

        public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            for (int p = 0; p < _parts.Length; p++)
            {
                // Every distance sees every point, warming up or not, so that its search stays where the batch's is.
                _parts[p].Score(history, observed, p == 0 ? expected : _expected, p == 0 ? errors : _errors);
                _scorer.Combine(p, errors, _errors);
            }

            WarmingUp(history, _scorer.WarmUp, expected, errors);
        }

        public override void InputsRewritten()
        {
            foreach (PointScorer part in _parts)
            {
                part.InputsRewritten();
            }
        }
    }
}
