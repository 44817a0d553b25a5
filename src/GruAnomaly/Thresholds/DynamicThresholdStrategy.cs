using System.Globalization;
using GruAnomaly.Diagnostics;

namespace GruAnomaly.Thresholds;

/// <summary>
/// The non-parametric dynamic threshold of Hundman et al. (KDD 2018). It is a test-time threshold: <c>Apply</c>
/// chooses ε from the applied scores themselves, window by window (see <see cref="DynamicThreshold.Epsilon"/> and
/// <see cref="DynamicThresholdOptions.WindowLength"/>). Fitting validates the options and records the calibration
/// scores for <see cref="IFittedThreshold.TailProbability"/>.
/// </summary>
/// <remarks>
/// Scores should already be smoothed (telemanom smooths errors with an exponentially weighted moving average).
/// Needs at least 2 calibration scores.
/// </remarks>
public sealed class DynamicThresholdStrategy : IThresholdStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="options">The options, or null for the defaults; copied.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem.</exception>
    public DynamicThresholdStrategy(DynamicThresholdOptions? options = null)
        : this(options, deferChecks: false)
    {
    }

    internal DynamicThresholdStrategy(DynamicThresholdOptions? options, bool deferChecks)
    {
        Options = FittedDynamicThreshold.Copy(options ?? DynamicThresholdOptions.Default);
        _problem = DeferredArguments.Check(deferChecks, "Threshold.Dynamic", Options.Validate);
    }

    private readonly string? _problem;

    /// <inheritdoc/>
    public void Validate(ICollection<string> problems) => DeferredArguments.Report(_problem, problems);

    /// <summary>The options (a private copy).</summary>
    public DynamicThresholdOptions Options { get; }

    /// <inheritdoc/>
    public string Name => FittedDynamicThreshold.MakeName(Options);

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    /// <value>2.</value>
    public int MinimumCalibrationScores => 2;

    /// <inheritdoc/>
    public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores)
    {
        DeferredArguments.ThrowIfInvalid(_problem);
        ScoreChecks.Calibration(calibrationScores, 2, Name);
        int windowLength = Math.Min(Options.WindowLength ?? calibrationScores.Length, calibrationScores.Length);
        ReadOnlySpan<double> lastWindow = calibrationScores[^windowLength..];
        double threshold = DynamicThreshold.EpsilonUnchecked(lastWindow, Options, new bool[windowLength]);
        return new FittedDynamicThreshold(Options, new EmpiricalDistribution(calibrationScores), threshold);
    }
}

/// <summary>The dynamic threshold after fitting; <see cref="Apply"/> computes ε from the applied scores.</summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class FittedDynamicThreshold : IFittedThreshold
{
    /// <summary>Creates the fitted threshold from its state (for example, read back from storage).</summary>
    /// <param name="options">The options; copied and validated.</param>
    /// <param name="calibration">The calibration scores.</param>
    /// <param name="threshold">ε of the last window of the calibration scores; finite.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not finite.</exception>
    public FittedDynamicThreshold(DynamicThresholdOptions options, EmpiricalDistribution calibration, double threshold)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(calibration);
        ScoreChecks.FiniteArgument(threshold, nameof(threshold));
        Options = Copy(options);
        Options.Validate();
        Calibration = calibration;
        Value = threshold;
    }

    /// <inheritdoc/>
    public string Name => MakeName(Options);

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>The options (a private copy).</summary>
    public DynamicThresholdOptions Options { get; }

    /// <summary>The calibration scores.</summary>
    public EmpiricalDistribution Calibration { get; }

    /// <summary>ε computed on the last window of the calibration scores.</summary>
    public double Value { get; }

    /// <summary>
    /// Writes ε for each score. Without <see cref="DynamicThresholdOptions.WindowLength"/> (or when the scores are
    /// no longer than it) one ε computed on all of <paramref name="scores"/>. Otherwise the first
    /// <c>WindowLength</c> scores get the ε of that window and each following batch of
    /// <see cref="DynamicThresholdOptions.BatchLength"/> scores (the last may be shorter) gets the ε of the
    /// <c>WindowLength</c> scores ending with the batch.
    /// </summary>
    /// <param name="scores">The scores, in time order; finite.</param>
    /// <param name="thresholds">Receives ε per score; same length.</param>
    /// <exception cref="ArgumentException">The lengths differ or a score is not finite.</exception>
    public void Apply(ReadOnlySpan<double> scores, Span<double> thresholds)
    {
        ScoreChecks.Apply(scores, thresholds);
        int n = scores.Length;
        if (n == 0)
        {
            return;
        }

        int windowLength = Math.Min(Options.WindowLength ?? n, n);
        bool[] scratch = new bool[windowLength];
        thresholds[..windowLength].Fill(DynamicThreshold.EpsilonUnchecked(scores[..windowLength], Options, scratch));
        for (int start = windowLength; start < n; start += Options.BatchLength)
        {
            int end = Math.Min(start + Options.BatchLength, n);
            double epsilon = DynamicThreshold.EpsilonUnchecked(scores[(end - windowLength)..end], Options, scratch);
            thresholds[start..end].Fill(epsilon);
        }
    }

    /// <inheritdoc/>
    public double TailProbability(double score) => Calibration.TailProbability(score);

    /// <inheritdoc/>
    public double Surprise(double score) => CalibratedTail.Surprise(Calibration, null, score);

    internal static DynamicThresholdOptions Copy(DynamicThresholdOptions options) => new()
    {
        MinimumZ = options.MinimumZ,
        MaximumZ = options.MaximumZ,
        ZStep = options.ZStep,
        WindowLength = options.WindowLength,
        BatchLength = options.BatchLength,
        AnomalyPadding = options.AnomalyPadding,
        MaximumSequences = options.MaximumSequences,
        MaximumFlaggedFraction = options.MaximumFlaggedFraction,
    };

    internal static string MakeName(DynamicThresholdOptions options) =>
        options.WindowLength is int window
            ? string.Create(CultureInfo.InvariantCulture, $"Dynamic(window={window}, batch={options.BatchLength})")
            : "Dynamic(whole sequence)";
}
