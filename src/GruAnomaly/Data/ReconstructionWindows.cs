namespace GruAnomaly.Data;

/// <summary>
/// Reconstruction examples cut from a (possibly multivariate) series by a sliding window: the inputs are
/// <see cref="Window"/> consecutive points and the targets the same points, for an autoencoder such as
/// <see cref="Recurrent.EncoderDecoderNetwork"/> that outputs every step.
/// </summary>
/// <remarks>
/// Missing values are NaN. In targets they stay NaN, so a masked loss ignores them; in inputs each is replaced by the last
/// observed value of its feature (the first observed value before any), as in <see cref="WindowedSeries"/>, so the
/// network never reads NaN and is never asked to reconstruct a value it did not observe.
/// </remarks>
public sealed class ReconstructionWindows : ISequenceDataset
{
    private readonly float[] _filled;
    private readonly float[] _raw;

    /// <summary>Creates the windows of a time-major series (<c>values[t·features + f]</c>).</summary>
    /// <param name="values">The series, time-major; NaN marks a missing value.</param>
    /// <param name="features">Values per time step.</param>
    /// <param name="window">Window length.</param>
    /// <param name="stride">Distance between the starts of consecutive windows.</param>
    /// <exception cref="ArgumentException">The series is too short, holds infinities, or a feature is never observed.</exception>
    public ReconstructionWindows(ReadOnlySpan<float> values, int features, int window, int stride = 1)
        : this(values, filledInputs: null, features, window, stride)
    {
    }

    /// <summary>
    /// Inputs read as given from <paramref name="filledInputs"/> (no NaN) when not null, instead of filled from
    /// <paramref name="values"/>, which then only gives the targets.
    /// </summary>
    private ReconstructionWindows(ReadOnlySpan<float> values, float[]? filledInputs, int features, int window, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (values.Length % features != 0)
        {
            throw new ArgumentException($"The series has {values.Length} values, not a whole number of time steps of {features} features.", nameof(values));
        }

        int length = values.Length / features;
        if (length < window)
        {
            throw new ArgumentException($"The series has {length} time steps; at least one window of {window} is needed.", nameof(values));
        }

        _raw = values.ToArray();
        _filled = filledInputs ?? SeriesFill.ForwardFill(_raw, features);
        Features = features;
        Length = length;
        Window = window;
        Stride = stride;
        Count = (length - window) / stride + 1;
    }

    /// <summary>
    /// Windows whose inputs are <paramref name="inputs"/> as given (already filled: what a scorer reads) and whose targets
    /// are <paramref name="targets"/>, NaN wherever a value is missing or must not be learned: fine-tuning reads what
    /// scoring reads, but learns only the targets left.
    /// </summary>
    internal static ReconstructionWindows WithTargets(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int features, int window, int stride)
    {
        Diagnostics.Guard.Length(targets.Length, inputs.Length, nameof(targets), "one per input value");
        return new ReconstructionWindows(targets, inputs.ToArray(), features, window, stride);
    }

    /// <summary>Gets the number of features per time step.</summary>
    public int Features { get; }

    /// <summary>Gets the number of time steps of the series.</summary>
    public int Length { get; }

    /// <summary>Gets the window length.</summary>
    public int Window { get; }

    /// <summary>Gets the distance between consecutive windows.</summary>
    public int Stride { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Steps => Window;

    /// <inheritdoc />
    public int InputSize => Features;

    /// <summary>Gets the target width: every feature of a step.</summary>
    public int TargetSize => Features;

    /// <summary>Gets the number of target steps: every step of the window.</summary>
    public int TargetSteps => Window;

    /// <summary>Creates the windows of a univariate series.</summary>
    /// <param name="values">The series; NaN marks a missing value.</param>
    /// <param name="window">Window length.</param>
    /// <param name="stride">Distance between consecutive windows.</param>
    /// <returns>The dataset.</returns>
    public static ReconstructionWindows Univariate(ReadOnlySpan<float> values, int window, int stride = 1) =>
        new(values, 1, window, stride);

    /// <summary>Gets the time index of the first point of an example.</summary>
    /// <param name="example">Example index, in [0, <see cref="Count"/>).</param>
    /// <returns>The time index.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, <see cref="Count"/>).</exception>
    public int StartOf(int example)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(example);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(example, Count);
        return example * Stride;
    }

    /// <inheritdoc />
    public void WriteInputs(int example, Span<float> batchInputs, int batchSize, int slot) =>
        CopyWindow(_filled, example, batchInputs, batchSize, slot);

    /// <inheritdoc />
    public void WriteTargets(int example, Span<float> batchTargets, int batchSize, int slot) =>
        CopyWindow(_raw, example, batchTargets, batchSize, slot);

    private void CopyWindow(float[] source, int example, Span<float> batch, int batchSize, int slot) =>
        TimeMajorBatch.WriteWindow(source, Features, StartOf(example), Window, batch, batchSize, slot);
}
