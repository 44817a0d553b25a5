using System.Numerics.Tensors;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// A fitted <see cref="NearestNeighbourScorer"/>: per feature, the reference values and the statistics of each reference
/// subsequence. Immutable; every batch and stream searches with buffers of its own.
/// </summary>
internal sealed class FittedNearestNeighbourScorer : IFittedScorer, IStreamableScorer, ITrainingScorer
{
    /// <summary>A subsequence with a smaller standard deviation (scaled units) is flat; as the rolling scorers' floor.</summary>
    internal const double FlatDeviation = 1e-3;

    private readonly float[][] _reference;
    private readonly double[][] _values;

    // Euclidean: Σr² per reference subsequence. Normalised: 1/(length·σ) and μ/σ, both 0 for a flat subsequence, so that
    // the correlation with a query is (row·scale − μ_query·shift)/σ_query; μ and σ map the neighbour back onto a query.
    // Each kind keeps only its own (the other's are empty): a reference of 10,000 steps is 80 kB per array and feature.
    private readonly double[][] _squares;
    private readonly double[][] _scale;
    private readonly double[][] _shift;
    private readonly double[][] _means;
    private readonly double[][] _deviations;
    private readonly bool[][] _flat;

    /// <param name="name">The scorer's name.</param>
    /// <param name="length">The subsequence length.</param>
    /// <param name="normalize">Whether subsequences are z-normalised.</param>
    /// <param name="reference">Per feature, the reference values: equally long, at least one subsequence, finite. Kept, not copied.</param>
    /// <param name="referenceStart">The training step of the reference's first value.</param>
    public FittedNearestNeighbourScorer(string name, int length, bool normalize, float[][] reference, int referenceStart)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfNegative(referenceStart);
        if (reference.Length == 0 || reference.Any(r => r.Length != reference[0].Length) || reference[0].Length < length)
        {
            throw new ArgumentException(
                $"The reference must hold, for each of at least one feature, the same number of values and at least {length} (one subsequence).",
                nameof(reference));
        }

        if (reference.Any(r => !r.All(float.IsFinite)))
        {
            throw new ArgumentException("The reference holds a NaN or infinite value; expected finite scaled training values.", nameof(reference));
        }

        Name = name;
        Length = length;
        Normalize = normalize;
        ReferenceStart = referenceStart;
        _reference = reference;
        int features = reference.Length, count = Subsequences;
        _values = new double[features][];
        _squares = new double[features][];
        _scale = new double[features][];
        _shift = new double[features][];
        _means = new double[features][];
        _deviations = new double[features][];
        _flat = new bool[features][];
        for (int f = 0; f < features; f++)
        {
            double[] values = _values[f] = [.. reference[f].Select(v => (double)v)];
            _squares[f] = normalize ? [] : new double[count];
            _scale[f] = normalize ? new double[count] : [];
            _shift[f] = normalize ? new double[count] : [];
            _means[f] = normalize ? new double[count] : [];
            _deviations[f] = normalize ? new double[count] : [];
            _flat[f] = normalize ? new bool[count] : [];
            for (int j = 0; j < count; j++)
            {
                (double sum, double squares) = Moments(values.AsSpan(j, length));
                if (!normalize)
                {
                    _squares[f][j] = squares;
                    continue;
                }

                double mean = sum / length, deviation = Deviation(squares, mean, length);
                _means[f][j] = mean;
                _deviations[f][j] = deviation;
                if (deviation < FlatDeviation)
                {
                    _flat[f][j] = true;
                    continue;
                }

                _scale[f][j] = 1 / (length * deviation);
                _shift[f][j] = mean / deviation;
            }
        }
    }

    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    public int Features => _reference.Length;

    /// <summary>Gets the subsequence length.</summary>
    public int Length { get; }

    /// <summary>Gets whether subsequences are z-normalised.</summary>
    public bool Normalize { get; }

    /// <summary>Gets, per feature, the reference values (for saving).</summary>
    internal IReadOnlyList<float[]> Reference => _reference;

    /// <summary>Gets the training step of the reference's first value.</summary>
    internal int ReferenceStart { get; }

    /// <inheritdoc />
    /// <remarks>The subsequence length.</remarks>
    public int Window => Length;

    public bool ErrorsAreSigned => false;

    /// <remarks>The steps before the first full subsequence.</remarks>
    public int WarmUp => Length - 1;

    /// <remarks>Every scored training step: on the training series a point never finds itself (see <see cref="ScoreTraining"/>).</remarks>
    public int HeldOutFrom => WarmUp;

    public TrainingHistory? History => null;

    /// <remarks>The subsequence that ends at the scored step.</remarks>
    public int MaximumSaliencySteps => Length;

    private int Subsequences => _reference[0].Length - Length + 1;

    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors) =>
        Score(inputs, observed, expected, errors, training: false);

    /// <summary>
    /// Scores the training series with every neighbour that starts less than one subsequence length from the query's own
    /// start left out, so that a point is scored as a new one would be (a step with none left gets NaN).
    /// </summary>
    public void ScoreTraining(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected,
        Span<float> errors) => Score(inputs, observed, expected, errors, training: true);

    private void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors, bool training)
    {
        int length = ScoringArguments.Validate(inputs, observed, expected, errors, Features, Length);
        int features = Features;
        expected[..(WarmUp * features)].Fill(float.NaN);
        errors[..(WarmUp * features)].Fill(float.NaN);
        var search = new Search(this);
        for (int t = WarmUp; t < length; t++)
        {
            search.MoveTo(t, inputs[..(t * features)], 0);
            // The training subsequences that overlap the query's own, as reference indices.
            int ownStart = t - WarmUp - ReferenceStart;
            (int excludeFrom, int excludeTo) = training ? (ownStart - Length + 1, ownStart + Length) : (0, 0);
            for (int f = 0; f < features; f++)
            {
                int i = (t * features) + f;
                double distance = search.Nearest(f, inputs[i], out double neighbour, out _, excludeFrom, excludeTo);
                expected[i] = (float)neighbour;
                errors[i] = float.IsNaN(observed[i]) ? float.NaN : (float)distance;
            }
        }
    }

    /// <remarks>
    /// With q the query subsequence and r its nearest neighbour, d = ‖q − r‖ gives ∂d/∂qₖ = (qₖ − rₖ)/d. Z-normalised,
    /// d² = 2L(1 − ρ) with ρ = Σq̂ᵢr̂ᵢ/L, and ∂ρ/∂qₖ = (r̂ₖ − ρ·q̂ₖ)/(L·σ_q), so ∂d/∂qₖ = −(r̂ₖ − ρ·q̂ₖ)/(d·σ_q). The
    /// neighbour is held fixed (the distance is a minimum; its gradient is that of the minimising term). A flat query or
    /// neighbour, a zero distance or a missing observation has no saliency. The observation is read as the input at the
    /// scored step.
    /// </remarks>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps)
    {
        ScoringArguments.ValidateSaliency(inputs, observed, Features, Length, time, WarmUp, errorGradient, inputGradient, MaximumSaliencySteps);
        int features = Features, first = time - WarmUp;
        steps = Length;
        inputGradient.Clear();
        var search = new Search(this);
        search.MoveTo(time, inputs[..(time * features)], 0);
        var query = new double[Length];
        for (int f = 0; f < features; f++)
        {
            float last = observed[(time * features) + f];
            if (float.IsNaN(last))
            {
                continue;
            }

            double distance = search.Nearest(f, last, out _, out int j);
            if (distance == 0 || j < 0)
            {
                continue;
            }

            for (int k = 0; k < Length; k++)
            {
                query[k] = k < WarmUp ? inputs[((first + k) * features) + f] : last;
            }

            ReadOnlySpan<double> neighbour = _values[f].AsSpan(j, Length);
            if (!Normalize)
            {
                for (int k = 0; k < Length; k++)
                {
                    inputGradient[(k * features) + f] = (float)(errorGradient[f] * (query[k] - neighbour[k]) / distance);
                }

                continue;
            }

            (double sum, double squares) = Moments(query);
            double mean = sum / Length, deviation = Deviation(squares, mean, Length);
            double correlation = 1 - (distance * distance / (2.0 * Length));
            for (int k = 0; k < Length; k++)
            {
                double standardQuery = (query[k] - mean) / deviation, standardNeighbour = (neighbour[k] - _means[f][j]) / _deviations[f][j];
                inputGradient[(k * features) + f] = (float)(-errorGradient[f] * (standardNeighbour - (correlation * standardQuery)) / (distance * deviation));
            }
        }

        return first;
    }

    public PointScorer CreatePointScorer() => new Stream(this);

    private static (double Sum, double Squares) Moments(ReadOnlySpan<double> values)
    {
        double sum = 0, squares = 0;
        foreach (double value in values)
        {
            sum += value;
            squares += value * value;
        }

        return (sum, squares);
    }

    private static double Deviation(double squares, double mean, int length) => Math.Sqrt(Math.Max((squares / length) - (mean * mean), 0));

    /// <summary>
    /// The search of one batch or stream. Per feature it holds the dot products of the query's leading L − 1 values with
    /// every reference subsequence's (L the subsequence length); they move by one step in O(reference) and are computed
    /// afresh at every step t with (t − L + 1) divisible by L: fixed steps of the series, so that a stream resumed from its
    /// saved inputs rebuilds exactly the products an uninterrupted one holds.
    /// </summary>
    private sealed class Search
    {
        private readonly FittedNearestNeighbourScorer _scorer;
        private readonly double[][] _prefix;
        private readonly double[][] _spare;
        private readonly double[][] _queries;
        private readonly double[] _row;
        private long _time = -1;

        public Search(FittedNearestNeighbourScorer scorer)
        {
            _scorer = scorer;
            int count = scorer.Subsequences;
            _prefix = [.. Enumerable.Range(0, scorer.Features).Select(_ => new double[count])];
            _spare = [.. Enumerable.Range(0, scorer.Features).Select(_ => new double[count])];
            _queries = [.. Enumerable.Range(0, scorer.Features).Select(_ => new double[scorer.Length])];
            _row = new double[count];
        }

        /// <summary>How many input rows before the scored step <see cref="MoveTo"/> may read: two subsequences' worth.</summary>
        public static int Context(int length) => Math.Max(1, (2 * length) - 2);

        /// <summary>Forgets the products, so that the next step rebuilds them (the inputs they came from were rewritten).</summary>
        public void Invalidate() => _time = -1;

        /// <summary>Brings the products and the queries' leading values to step <paramref name="time"/>.</summary>
        /// <param name="time">A step at or after the warm-up.</param>
        /// <param name="rows">The inputs before <paramref name="time"/>, from step <paramref name="firstRow"/> on, time-major.</param>
        /// <param name="firstRow">The step of the first row of <paramref name="rows"/>.</param>
        public void MoveTo(long time, ReadOnlySpan<float> rows, long firstRow)
        {
            int lead = _scorer.WarmUp, features = _scorer.Features;
            for (int f = 0; f < features; f++)
            {
                for (int k = 0; k < lead; k++)
                {
                    _queries[f][k] = rows[(int)((time - lead + k - firstRow) * features) + f];
                }
            }

            if (lead == 0)
            {
                return;
            }

            long anchor = time - ((time - lead) % _scorer.Length);
            if (_time < anchor || _time > time)
            {
                for (int f = 0; f < features; f++)
                {
                    Exact(f, anchor, rows, firstRow, _prefix[f]);
                }

                _time = anchor;
            }

            for (; _time < time; _time++)
            {
                Roll(_time + 1, rows, firstRow);
            }
        }

        /// <summary>
        /// The distance from the current query of feature <paramref name="feature"/>, ending with <paramref name="last"/>,
        /// to its nearest reference subsequence outside [<paramref name="excludeFrom"/>, <paramref name="excludeTo"/>); the
        /// expected value that neighbour gives, and its start (−1 for none: a flat query against a reference without a flat
        /// subsequence). NaN in both where every subsequence is left out.
        /// </summary>
        public double Nearest(int feature, double last, out double expected, out int neighbour, int excludeFrom = 0, int excludeTo = 0)
        {
            FittedNearestNeighbourScorer scorer = _scorer;
            int length = scorer.Length, lead = scorer.WarmUp, count = scorer.Subsequences;
            double[] query = _queries[feature];
            query[lead] = last;
            ReadOnlySpan<double> values = scorer._values[feature];
            // The full dot products: the leading values' plus the last value's.
            TensorPrimitives.MultiplyAdd(values.Slice(lead, count), last, _prefix[feature], _row);
            (double sum, double squares) = Moments(query);
            excludeFrom = Math.Clamp(excludeFrom, 0, count);
            excludeTo = Math.Clamp(excludeTo, excludeFrom, count);
            if (excludeTo - excludeFrom == count)
            {
                (expected, neighbour) = (double.NaN, -1);
                return double.NaN;
            }

            if (!scorer.Normalize)
            {
                TensorPrimitives.MultiplyAdd(_row, -2.0, scorer._squares[feature], _row);
                _row.AsSpan(excludeFrom, excludeTo - excludeFrom).Fill(double.PositiveInfinity);
                neighbour = TensorPrimitives.IndexOfMin<double>(_row);
                expected = values[neighbour + lead];
                return Math.Sqrt(Math.Max(_row[neighbour] + squares, 0));
            }

            double mean = sum / length, deviation = Deviation(squares, mean, length);
            if (deviation < FlatDeviation)
            {
                ReadOnlySpan<bool> flat = scorer._flat[feature];
                neighbour = flat[..excludeFrom].IndexOf(true);
                int after = flat[excludeTo..].IndexOf(true);
                neighbour = neighbour >= 0 ? neighbour : after >= 0 ? excludeTo + after : -1;
                expected = mean;
                return neighbour >= 0 ? 0 : Math.Sqrt(2.0 * length);
            }

            TensorPrimitives.Multiply(_row, scorer._scale[feature], _row);
            TensorPrimitives.MultiplyAdd(scorer._shift[feature], -mean, _row, _row);
            _row.AsSpan(excludeFrom, excludeTo - excludeFrom).Fill(double.NegativeInfinity);
            neighbour = TensorPrimitives.IndexOfMax<double>(_row);
            double correlation = Math.Clamp(_row[neighbour] / deviation, -1, 1);
            double neighbourDeviation = scorer._deviations[feature][neighbour];
            expected = neighbourDeviation < FlatDeviation
                ? mean
                : mean + (deviation * (values[neighbour + lead] - scorer._means[feature][neighbour]) / neighbourDeviation);
            if (neighbourDeviation < FlatDeviation)
            {
                neighbour = -1;
            }

            return Math.Sqrt(Math.Max(2.0 * length * (1 - correlation), 0));
        }

        /// <summary>The products of feature <paramref name="feature"/>'s query leading to <paramref name="step"/>, computed afresh.</summary>
        private void Exact(int feature, long step, ReadOnlySpan<float> rows, long firstRow, Span<double> products)
        {
            int lead = _scorer.WarmUp, features = _scorer.Features, count = _scorer.Subsequences;
            ReadOnlySpan<double> values = _scorer._values[feature];
            products.Clear();
            for (int k = 0; k < lead; k++)
            {
                double value = rows[(int)((step - lead + k - firstRow) * features) + feature];
                TensorPrimitives.MultiplyAdd(values.Slice(k, count), value, products, products);
            }
        }

        /// <summary>Moves every feature's products from step − 1 to <paramref name="step"/>: one value leaves the query, one joins it.</summary>
        private void Roll(long step, ReadOnlySpan<float> rows, long firstRow)
        {
            int lead = _scorer.WarmUp, features = _scorer.Features, count = _scorer.Subsequences;
            for (int f = 0; f < features; f++)
            {
                ReadOnlySpan<double> values = _scorer._values[f];
                double leaving = rows[(int)((step - 1 - lead - firstRow) * features) + f];
                double joining = rows[(int)((step - 1 - firstRow) * features) + f];
                double[] previous = _prefix[f], next = _spare[f];
                Span<double> shifted = next.AsSpan(1);
                TensorPrimitives.MultiplyAdd(values[..(count - 1)], -leaving, previous.AsSpan(0, count - 1), shifted);
                TensorPrimitives.MultiplyAdd(values.Slice(lead, count - 1), joining, shifted, shifted);
                double first = 0;
                for (int k = 0; k < lead; k++)
                {
                    first += rows[(int)((step - lead + k - firstRow) * features) + f] * values[k];
                }

                next[0] = first;
                _prefix[f] = next;
                _spare[f] = previous;
            }
        }
    }

    /// <summary>
    /// The scorer on one stream. Its products are rebuilt from the kept inputs whenever they are not those of the step
    /// before (after a restore or a rewrite of the inputs), the same way a batch builds them, so nothing of them is saved.
    /// </summary>
    private sealed class Stream : PointScorer
    {
        private readonly FittedNearestNeighbourScorer _scorer;
        private readonly Search _search;

        public Stream(FittedNearestNeighbourScorer scorer)
        {
            _scorer = scorer;
            _search = new Search(scorer);
            Context = Search.Context(scorer.Length);
        }

        public override int Context { get; }

        public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            if (WarmingUp(history, _scorer.WarmUp, expected, errors))
            {
                return;
            }

            int rows = Math.Min(history.Held, Context);
            ReadOnlySpan<float> recent = history.Last(rows);
            _search.MoveTo(history.Time, recent, history.Time - rows);
            for (int f = 0; f < _scorer.Features; f++)
            {
                // A missing value is filled with the feature's last input, as the stream fills the inputs it keeps.
                double last = float.IsNaN(observed[f]) ? (rows > 0 ? recent[recent.Length - _scorer.Features + f] : 0) : observed[f];
                double distance = _search.Nearest(f, last, out double neighbour, out _);
                expected[f] = (float)neighbour;
                errors[f] = float.IsNaN(observed[f]) ? float.NaN : (float)distance;
            }
        }

        public override void InputsRewritten() => _search.Invalidate();
    }
}
