namespace GruAnomaly.Data;

/// <summary>
/// Forecasting examples cut from a (possibly multivariate) series by a sliding window: the inputs are
/// <see cref="Window"/> consecutive points and the targets the next <see cref="Horizon"/> points.
/// </summary>
/// <remarks>
/// Missing values are NaN. In targets they stay NaN, so a masked loss ignores them; in inputs each is replaced by the last
/// observed value of its feature (the first observed value before any), so the network never reads NaN.
/// </remarks>
public sealed class WindowedSeries : ISequenceDataset
{
    private readonly float[] _filled;
    private readonly float[] _raw;
    private readonly int[] _targetFeatures;

    /// <summary>Creates the windows of a time-major series (<c>values[t·features + f]</c>).</summary>
    /// <param name="values">The series, time-major; NaN marks a missing value.</param>
    /// <param name="features">Values per time step.</param>
    /// <param name="window">Input length.</param>
    /// <param name="horizon">Points ahead to predict.</param>
    /// <param name="stride">Distance between the starts of consecutive windows.</param>
    /// <param name="targetFeatures">Which features to predict; all when null.</param>
    /// <exception cref="ArgumentException">The series is too short, holds infinities, or a feature is never observed.</exception>
    public WindowedSeries(ReadOnlySpan<float> values, int features, int window, int horizon = 1, int stride = 1, IReadOnlyList<int>? targetFeatures = null)
        : this(values, filledInputs: null, inputWidth: features, features, window, horizon, stride, targetFeatures)
    {
    }

    /// <summary>
    /// Inputs read as given from <paramref name="filledInputs"/> (no NaN; <paramref name="inputWidth"/> values per step)
    /// when not null, instead of filled from <paramref name="values"/>, which then only gives the targets.
    /// </summary>
    private WindowedSeries(ReadOnlySpan<float> values, float[]? filledInputs, int inputWidth, int features, int window, int horizon, int stride,
        IReadOnlyList<int>? targetFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (values.Length % features != 0)
        {
            throw new ArgumentException($"The series has {values.Length} values, not a whole number of time steps of {features} features.", nameof(values));
        }

        int length = values.Length / features;
        if (length < window + horizon)
        {
            throw new ArgumentException(
                $"The series has {length} time steps; at least window + horizon = {window + horizon} are needed.", nameof(values));
        }

        _targetFeatures = targetFeatures is null ? [.. Enumerable.Range(0, features)] : [.. targetFeatures];
        if (_targetFeatures.Length == 0 || _targetFeatures.Any(f => f < 0 || f >= features))
        {
            throw new ArgumentOutOfRangeException(nameof(targetFeatures), $"Target features must be distinct indices in [0, {features}).");
        }

        _raw = values.ToArray();
        _filled = filledInputs ?? SeriesFill.ForwardFill(_raw, features);
        Diagnostics.Guard.Length(_filled.Length, length * inputWidth, nameof(filledInputs), "one input row per time step");
        InputSize = inputWidth;
        Features = features;
        Length = length;
        Window = window;
        Horizon = horizon;
        Stride = stride;
        Count = (length - window - horizon) / stride + 1;
    }

    /// <summary>
    /// Windows whose inputs are <paramref name="inputs"/> as given (already filled: what a scorer reads) and whose targets
    /// are <paramref name="targets"/>, NaN wherever a value is missing or must not be learned: fine-tuning reads what
    /// scoring reads, but learns only the targets left.
    /// </summary>
    internal static WindowedSeries WithTargets(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int features, int window, int horizon, int stride)
    {
        Diagnostics.Guard.Length(targets.Length, inputs.Length, nameof(targets), "one per input value");
        return new WindowedSeries(targets, inputs.ToArray(), features, features, window, horizon, stride, targetFeatures: null);
    }

    /// <summary>
    /// Windows whose inputs are rows of <paramref name="inputWidth"/> values (for example a GRU-D encoding of the series)
    /// and whose targets are <paramref name="targets"/>, D = <paramref name="features"/> per step, NaN where missing.
    /// </summary>
    internal static WindowedSeries Encoded(float[] inputs, int inputWidth, ReadOnlySpan<float> targets, int features, int window, int horizon, int stride) =>
        new(targets, inputs, inputWidth, features, window, horizon, stride, targetFeatures: null);

    /// <summary>Gets the number of features per time step.</summary>
    public int Features { get; }

    /// <summary>Gets the number of time steps of the series.</summary>
    public int Length { get; }

    /// <summary>Gets the input length.</summary>
    public int Window { get; }

    /// <summary>Gets how many points ahead are predicted.</summary>
    public int Horizon { get; }

    /// <summary>Gets the distance between consecutive windows.</summary>
    public int Stride { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Steps => Window;

    /// <inheritdoc />
    /// <value>The number of features, or the width of the encoded rows the windows were built from.</value>
    public int InputSize { get; }

    /// <summary>Gets the target width: <see cref="Horizon"/> × the number of target features, horizon-major.</summary>
    public int TargetSize => Horizon * _targetFeatures.Length;

    /// <inheritdoc />
    public int TargetSteps => 1;

    /// <summary>Creates the windows of a univariate series.</summary>
    /// <param name="values">The series; NaN marks a missing value.</param>
    /// <param name="window">Input length.</param>
    /// <param name="horizon">Points ahead to predict.</param>
    /// <param name="stride">Distance between consecutive windows.</param>
    /// <returns>The dataset.</returns>
    public static WindowedSeries Univariate(ReadOnlySpan<float> values, int window, int horizon = 1, int stride = 1) =>
        new(values, 1, window, horizon, stride);

    /// <summary>Gets the time index of the first input point of an example.</summary>
    /// <param name="example">Example index.</param>
    /// <returns>The time index.</returns>
    public int StartOf(int example) => example * Stride;

    /// <inheritdoc />
    public void WriteInputs(int example, Span<float> batchInputs, int batchSize, int slot) =>
        TimeMajorBatch.WriteWindow(_filled, InputSize, StartOf(example), Window, batchInputs, batchSize, slot);

    /// <inheritdoc />
    public void WriteTargets(int example, Span<float> batchTargets, int batchSize, int slot)
    {
        int first = StartOf(example) + Window, width = _targetFeatures.Length;
        Span<float> row = batchTargets.Slice(slot * TargetSize, TargetSize);
        for (int h = 0; h < Horizon; h++)
        {
            for (int f = 0; f < width; f++)
            {
                row[h * width + f] = _raw[(first + h) * Features + _targetFeatures[f]];
            }
        }
    }
}
