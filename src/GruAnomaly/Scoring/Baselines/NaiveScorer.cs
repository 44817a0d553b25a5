using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// The naive forecaster as a scorer: the expected value of a point is the (scaled) input <see cref="Lag"/> steps back, and
/// the error is observed − expected. With lag 1 and the mean combination the score is the absolute first difference;
/// with lag equal to the period it is the seasonal naive forecaster. Trains nothing, so it goes through the same
/// scaling, combination, threshold and events as a GRU scorer and shows what the GRU adds.
/// </summary>
/// <remarks>
/// The trainer options, the loss and the model of the detector are ignored (and never refused): nothing is trained.
/// The first <see cref="Lag"/> steps are the warm-up; no training error was seen in training, so every scored training
/// step is held out.
/// </remarks>
public sealed class NaiveScorer : IAnomalyScorer
{
    /// <summary>Creates the scorer.</summary>
    /// <param name="lag">How many steps back the expected value is read; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lag"/> is not positive.</exception>
    public NaiveScorer(int lag = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lag);
        Lag = lag;
    }

    /// <summary>Gets how many steps back the expected value is read.</summary>
    /// <value>The default value is 1.</value>
    public int Lag { get; }

    /// <inheritdoc />
    public string Name => $"naive(lag={Lag})";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    /// <remarks>The lag plus one, whatever the detector's window.</remarks>
    public int MinimumLength(int window) => Lag + 1;

    /// <inheritdoc />
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new FittedNaiveScorer(Name, context.Features, Lag);
    }
}

/// <summary>A <see cref="NaiveScorer"/> for a number of features; it has nothing to learn.</summary>
internal sealed class FittedNaiveScorer : IFittedScorer, IStreamableScorer
{
    public FittedNaiveScorer(string name, int features, int lag)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        Name = name;
        Features = features;
        Window = lag;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public int Features { get; }

    /// <inheritdoc />
    /// <remarks>The lag: the scorer reads one input that many steps back.</remarks>
    public int Window { get; }

    /// <inheritdoc />
    public bool ErrorsAreSigned => true;

    /// <inheritdoc />
    public int WarmUp => Window;

    /// <inheritdoc />
    public int HeldOutFrom => WarmUp;

    /// <inheritdoc />
    public TrainingHistory? History => null;

    /// <inheritdoc />
    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        ScoringArguments.Validate(inputs, observed, expected, errors, Features, Window + 1);
        int warmUp = Window * Features, scored = inputs.Length - warmUp;
        expected[..warmUp].Fill(float.NaN);
        errors[..warmUp].Fill(float.NaN);
        inputs[..scored].CopyTo(expected[warmUp..]);
        // A missing observation (NaN) stays NaN through the subtraction; its expected value is still the lagged input.
        System.Numerics.Tensors.TensorPrimitives.Subtract(observed[warmUp..], inputs[..scored], errors[warmUp..]);
    }

    /// <inheritdoc />
    public PointScorer CreatePointScorer() => new Stream(Window);

    /// <inheritdoc />
    /// <remarks>The lagged input and the observation itself: lag + 1 steps.</remarks>
    public int MaximumSaliencySteps => Window + 1;

    /// <inheritdoc />
    /// <remarks>
    /// error = observed(t) − input(t − lag), so ∂error/∂input is −1 at t − lag and +1 at t (the observation, read as the
    /// input there), 0 in between; a missing observation has no error and no saliency.
    /// </remarks>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps)
    {
        ScoringArguments.ValidateSaliency(inputs, observed, Features, Window + 1, time, WarmUp, errorGradient, inputGradient, MaximumSaliencySteps);
        steps = Window + 1;
        inputGradient.Clear();
        for (int f = 0; f < Features; f++)
        {
            float gradient = float.IsNaN(observed[(time * Features) + f]) ? 0f : errorGradient[f];
            inputGradient[f] = -gradient;
            inputGradient[(Window * Features) + f] = gradient;
        }

        return time - Window;
    }

    /// <summary>The scorer on one stream: the expected value is the kept input <c>lag</c> steps back.</summary>
    private sealed class Stream : PointScorer
    {
        private readonly int _lag;

        public Stream(int lag) => _lag = lag;

        public override int Context => _lag;

        public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            if (WarmingUp(history, _lag, expected, errors))
            {
                return;
            }

            ReadOnlySpan<float> lagged = history.Last(_lag)[..expected.Length];
            lagged.CopyTo(expected);
            System.Numerics.Tensors.TensorPrimitives.Subtract(observed, lagged, errors);
        }
    }
}
