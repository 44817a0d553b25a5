using GruAnomaly.Persistence;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>What a rolling-statistics scorer reports for the z-score of an observation.</summary>
internal enum RollingError
{
    /// <summary>The z-score itself, a signed error.</summary>
    ZScore,

    /// <summary>−log10 of the two-sided Gaussian tail of the z-score, a non-negative loss.</summary>
    GaussianTail,
}

/// <summary>
/// The fitted form of <see cref="RollingZScoreScorer"/> and <see cref="WindowedGaussianScorer"/>: the expected value of a
/// point is the mean of the <see cref="Window"/> inputs before it, and the error a function of its z-score under their
/// mean and (floored) population standard deviation. Nothing is learned.
/// </summary>
internal sealed class FittedRollingScorer : IFittedScorer, IStreamableScorer
{
    private readonly RollingError _error;

    public FittedRollingScorer(string name, int features, int window, RollingError error)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        Name = name;
        Features = features;
        Window = window;
        _error = error;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>Gets what the scorer reports for the z-score of an observation.</summary>
    internal RollingError Error => _error;

    /// <inheritdoc />
    public int Features { get; }

    /// <inheritdoc />
    /// <remarks>The number of previous inputs the mean and standard deviation are taken over.</remarks>
    public int Window { get; }

    /// <inheritdoc />
    public bool ErrorsAreSigned => _error == RollingError.ZScore;

    /// <inheritdoc />
    public int WarmUp => Window;

    /// <inheritdoc />
    public int HeldOutFrom => WarmUp;

    /// <inheritdoc />
    public TrainingHistory? History => null;

    /// <inheritdoc />
    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        int length = ScoringArguments.Validate(inputs, observed, expected, errors, Features, Window + 1);
        expected[..(Window * Features)].Fill(float.NaN);
        errors[..(Window * Features)].Fill(float.NaN);
        var moments = new SlidingMoments(Features, Window);
        for (int t = Window; t < length; t++)
        {
            moments.MoveTo(inputs, t);
            Judge(moments, observed.Slice(t * Features, Features), expected.Slice(t * Features, Features), errors.Slice(t * Features, Features));
        }
    }

    /// <inheritdoc />
    public PointScorer CreatePointScorer() => new Stream(this);

    /// <inheritdoc />
    /// <remarks>The window of previous inputs and the observation itself: window + 1 steps.</remarks>
    public int MaximumSaliencySteps => Window + 1;

    /// <inheritdoc />
    /// <remarks>
    /// With z = (o − m)/s, m = Σx/w and s² = Σ(x − m)²/w over the window: ∂z/∂o = 1/s and
    /// ∂z/∂xⱼ = −(1 + z·(xⱼ − m)/s)/(w·s), or −1/(w·s) where the floor replaced s (it then no longer moves with the inputs);
    /// the observation o is read as the input at the scored step. A missing observation has no error and no saliency.
    /// </remarks>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps)
    {
        ScoringArguments.ValidateSaliency(inputs, observed, Features, Window + 1, time, WarmUp, errorGradient, inputGradient, MaximumSaliencySteps);
        int first = time - Window;
        steps = Window + 1;
        inputGradient.Clear();
        var moments = new SlidingMoments(Features, Window);
        moments.MoveTo(inputs, time);
        for (int f = 0; f < Features; f++)
        {
            float value = observed[(time * Features) + f];
            if (float.IsNaN(value))
            {
                continue;
            }

            double mean = moments.Mean(f), deviation = moments.StandardDeviation(f, out bool floored);
            double z = (value - mean) / deviation;
            double outer = errorGradient[f] * ErrorDerivative(z);
            double spread = floored ? 0 : z / deviation;
            for (int j = 0; j < Window; j++)
            {
                double x = inputs[((first + j) * Features) + f];
                inputGradient[(j * Features) + f] = (float)(-outer * (1 + (spread * (x - mean))) / (Window * deviation));
            }

            inputGradient[(Window * Features) + f] = (float)(outer / deviation);
        }

        return first;
    }

    /// <summary>One point's expected values and errors under the statistics of the window before it; shared with the stream.</summary>
    private void Judge(SlidingMoments moments, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        for (int f = 0; f < Features; f++)
        {
            double mean = moments.Mean(f);
            expected[f] = (float)mean;
            errors[f] = float.IsNaN(observed[f]) ? float.NaN : ErrorOf((observed[f] - mean) / moments.StandardDeviation(f, out _));
        }
    }

    private float ErrorOf(double z)
    {
        // Errors are floats: beyond |z| ≈ 3.4·10³⁸ (or a tail beyond |z| ≈ 4·10¹⁹) the largest float stands in for infinity.
        double error = _error == RollingError.ZScore ? z : GaussianTail.NegativeLog10(z);
        return (float)Math.Clamp(error, -float.MaxValue, float.MaxValue);
    }

    private double ErrorDerivative(double z) => _error == RollingError.ZScore ? 1 : GaussianTail.NegativeLog10Derivative(z);

    /// <summary>
    /// The scorer on one stream: the window's statistics move one point at a time as in <see cref="Score"/>, reading the
    /// window and the row that left it from the kept inputs, so O(1) per point and feature amortised.
    /// </summary>
    private sealed class Stream : PointScorer
    {
        private readonly FittedRollingScorer _scorer;
        private readonly SlidingMoments _moments;
        private bool _sliding;

        public Stream(FittedRollingScorer scorer)
        {
            _scorer = scorer;
            _moments = new SlidingMoments(scorer.Features, scorer.Window);
        }

        /// <remarks>The window and the row that has just left it.</remarks>
        public override int Context => _scorer.Window + 1;

        public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            int window = _scorer.Window, features = _scorer.Features;
            if (WarmingUp(history, window, expected, errors))
            {
                return;
            }

            _moments.Advance(history.Last(window), _sliding ? history.Last(window + 1)[..features] : default);
            _sliding = true;
            _scorer.Judge(_moments, observed, expected, errors);
        }

        public override void InputsRewritten() => _sliding = false;

        public override void WriteState(FieldWriter writer)
        {
            writer.Bool(_sliding);
            _moments.WriteState(writer);
        }

        public override void ReadState(FieldReader reader, InputHistory history)
        {
            _sliding = reader.Bool("sliding");
            if (_sliding && history.Held < _scorer.Window + 1)
            {
                throw reader.Invalid("sliding", $"is set after {history.Time} points; the window slides only once {_scorer.Window + 1} are held");
            }

            _moments.ReadState(reader);
        }
    }
}
