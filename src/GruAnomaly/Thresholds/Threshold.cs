using GruAnomaly.Diagnostics;

namespace GruAnomaly.Thresholds;

/// <summary>The built-in threshold strategies.</summary>
/// <remarks>
/// The factories never throw: an invalid argument is recorded in the strategy, <c>AnomalyDetectorBuilder.Build</c> lists it
/// with every other invalid choice (through <see cref="IThresholdStrategy.Validate"/>), and fitting the strategy on its
/// own throws it as an <see cref="ArgumentException"/>. The strategies' constructors still throw at once.
/// </remarks>
public static class Threshold
{
    /// <summary>A threshold given by the user.</summary>
    /// <param name="value">The threshold; finite.</param>
    /// <returns>A <see cref="FixedThresholdStrategy"/>.</returns>
    public static FixedThresholdStrategy Fixed(double value) => new(value, deferChecks: true);

    /// <summary><c>mean + k·σ</c> of the calibration scores (population σ).</summary>
    /// <param name="k">The number of standard deviations; finite.</param>
    /// <returns>A <see cref="MeanPlusSigmaStrategy"/>.</returns>
    public static MeanPlusSigmaStrategy MeanPlusSigma(double k = 3) => new(k, deferChecks: true);

    /// <summary>The q quantile of the calibration scores (numpy's linear interpolation).</summary>
    /// <param name="q">The level, in [0, 1].</param>
    /// <returns>A <see cref="QuantileStrategy"/>.</returns>
    public static QuantileStrategy Quantile(double q) => new(q, deferChecks: true);

    /// <summary><c>median + k·1.4826·MAD</c> of the calibration scores.</summary>
    /// <param name="k">The number of scaled MADs; finite.</param>
    /// <returns>A <see cref="MedianPlusMadStrategy"/>.</returns>
    public static MedianPlusMadStrategy MedianPlusMad(double k = 3) => new(k, deferChecks: true);

    /// <summary>
    /// Peaks-over-threshold (static) when there are enough calibration scores to fit a tail, a robust median + k·MAD when
    /// there are not. The default of a detector.
    /// </summary>
    /// <param name="riskLevel">q, the probability that a normal score exceeds the threshold; in (0, 0.02).</param>
    /// <param name="tail">
    /// The distribution of the excesses over the initial threshold: exponential (the default, stable on the few dependent
    /// peaks of smoothed scores) or generalized Pareto (SPOT's).
    /// </param>
    /// <returns>An <see cref="AutomaticThresholdStrategy"/>.</returns>
    public static AutomaticThresholdStrategy Automatic(double riskLevel = AutomaticThresholdStrategy.DefaultRiskLevel, TailModel tail = TailModel.Exponential) =>
        new(riskLevel, tail, deferChecks: true);

    /// <summary>SPOT with a threshold fixed after fitting.</summary>
    /// <param name="riskLevel">q, the probability that a normal score exceeds the threshold; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of the initial threshold; in (0, 1).</param>
    /// <returns>A static <see cref="PeaksOverThresholdStrategy"/>.</returns>
    public static PeaksOverThresholdStrategy PeaksOverThreshold(double riskLevel = 1e-3, double initialQuantile = 0.98) =>
        new(riskLevel, initialQuantile, streaming: false, deferChecks: true);

    /// <summary>Streaming SPOT: non-alarm peaks seen during <c>Apply</c> keep refining the tail.</summary>
    /// <param name="riskLevel">q; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of the initial threshold; in (0, 1).</param>
    /// <returns>A streaming <see cref="PeaksOverThresholdStrategy"/>.</returns>
    public static PeaksOverThresholdStrategy StreamingPeaksOverThreshold(double riskLevel, double initialQuantile = 0.98) =>
        new(riskLevel, initialQuantile, streaming: true, deferChecks: true);

    /// <summary>DSPOT: streaming SPOT on the score minus the moving average of the last <paramref name="depth"/> normal scores.</summary>
    /// <param name="depth">The moving-average depth; at least 1.</param>
    /// <param name="riskLevel">q; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of the initial threshold; in (0, 1).</param>
    /// <returns>A <see cref="DriftingPeaksOverThresholdStrategy"/>.</returns>
    public static DriftingPeaksOverThresholdStrategy DriftingPeaksOverThreshold(int depth, double riskLevel, double initialQuantile = 0.98) =>
        new(depth, riskLevel, initialQuantile, deferChecks: true);

    /// <summary>Telemanom's non-parametric dynamic threshold, computed on the applied scores.</summary>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <returns>A <see cref="DynamicThresholdStrategy"/>.</returns>
    public static DynamicThresholdStrategy Dynamic(DynamicThresholdOptions? options = null) => new(options, deferChecks: true);

    /// <summary>The threshold exceeded by a fraction <paramref name="alarmsPerPoint"/> of normal scores.</summary>
    /// <param name="alarmsPerPoint">r; in (0, 1).</param>
    /// <returns>A <see cref="FalseAlarmBudgetStrategy"/>.</returns>
    public static FalseAlarmBudgetStrategy FalseAlarmBudget(double alarmsPerPoint) =>
        new(alarmsPerPoint, 0.98, DeferredArguments.Check(defer: true, "Threshold.FalseAlarmBudget",
            () => ScoreChecks.Probability(alarmsPerPoint, nameof(alarmsPerPoint))));

    /// <summary>
    /// The threshold that allows <paramref name="alarms"/> false alarms per <paramref name="per"/> when a score arrives
    /// every <paramref name="samplingInterval"/>.
    /// </summary>
    /// <param name="alarms">The tolerated false alarms; at least 1.</param>
    /// <param name="per">The period; positive.</param>
    /// <param name="samplingInterval">The time between scores; positive.</param>
    /// <returns>A <see cref="FalseAlarmBudgetStrategy"/> with rate <c>alarms·samplingInterval/per</c>.</returns>
    public static FalseAlarmBudgetStrategy FalseAlarmBudget(int alarms, TimeSpan per, TimeSpan samplingInterval)
    {
        double rate = double.NaN;
        string? problem = DeferredArguments.Check(defer: true, "Threshold.FalseAlarmBudget", () => rate = FalseAlarmBudgetStrategy.RateOf(alarms, per, samplingInterval));
        return new(rate, 0.98, problem);
    }
}
