namespace GruAnomaly.Thresholds;

/// <summary>The built-in threshold strategies.</summary>
public static class Threshold
{
    /// <summary>A threshold given by the user.</summary>
    /// <param name="value">The threshold; finite.</param>
    /// <returns>A <see cref="FixedThresholdStrategy"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not finite.</exception>
    public static FixedThresholdStrategy Fixed(double value) => new(value);

    /// <summary><c>mean + k·σ</c> of the calibration scores (population σ).</summary>
    /// <param name="k">The number of standard deviations; finite.</param>
    /// <returns>A <see cref="MeanPlusSigmaStrategy"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not finite.</exception>
    public static MeanPlusSigmaStrategy MeanPlusSigma(double k = 3) => new(k);

    /// <summary>The q quantile of the calibration scores (numpy's linear interpolation).</summary>
    /// <param name="q">The level, in [0, 1].</param>
    /// <returns>A <see cref="QuantileStrategy"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1].</exception>
    public static QuantileStrategy Quantile(double q) => new(q);

    /// <summary><c>median + k·1.4826·MAD</c> of the calibration scores.</summary>
    /// <param name="k">The number of scaled MADs; finite.</param>
    /// <returns>A <see cref="MedianPlusMadStrategy"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not finite.</exception>
    public static MedianPlusMadStrategy MedianPlusMad(double k = 3) => new(k);

    /// <summary>
    /// Peaks-over-threshold (SPOT, static) when there are enough calibration scores to fit a tail, a robust
    /// median + k·MAD when there are not. The default of a detector.
    /// </summary>
    /// <param name="riskLevel">q, the probability that a normal score exceeds the threshold; in (0, 0.02).</param>
    /// <returns>An <see cref="AutomaticThresholdStrategy"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="riskLevel"/> is out of range.</exception>
    public static AutomaticThresholdStrategy Automatic(double riskLevel = 1e-3) => new(riskLevel);

    /// <summary>SPOT with a threshold fixed after fitting.</summary>
    /// <param name="riskLevel">q, the probability that a normal score exceeds the threshold; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of the initial threshold; in (0, 1).</param>
    /// <returns>A static <see cref="PeaksOverThresholdStrategy"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A level is out of range.</exception>
    public static PeaksOverThresholdStrategy PeaksOverThreshold(double riskLevel = 1e-3, double initialQuantile = 0.98) =>
        new(riskLevel, initialQuantile, streaming: false);

    /// <summary>Streaming SPOT: non-alarm peaks seen during <c>Apply</c> keep refining the tail.</summary>
    /// <param name="riskLevel">q; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of the initial threshold; in (0, 1).</param>
    /// <returns>A streaming <see cref="PeaksOverThresholdStrategy"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A level is out of range.</exception>
    public static PeaksOverThresholdStrategy StreamingPeaksOverThreshold(double riskLevel, double initialQuantile = 0.98) =>
        new(riskLevel, initialQuantile, streaming: true);

    /// <summary>DSPOT: streaming SPOT on the score minus the moving average of the last <paramref name="depth"/> normal scores.</summary>
    /// <param name="depth">The moving-average depth; at least 1.</param>
    /// <param name="riskLevel">q; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of the initial threshold; in (0, 1).</param>
    /// <returns>A <see cref="DriftingPeaksOverThresholdStrategy"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static DriftingPeaksOverThresholdStrategy DriftingPeaksOverThreshold(int depth, double riskLevel, double initialQuantile = 0.98) =>
        new(depth, riskLevel, initialQuantile);

    /// <summary>Telemanom's non-parametric dynamic threshold, computed on the applied scores.</summary>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <returns>A <see cref="DynamicThresholdStrategy"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    public static DynamicThresholdStrategy Dynamic(DynamicThresholdOptions? options = null) => new(options);

    /// <summary>The threshold exceeded by a fraction <paramref name="alarmsPerPoint"/> of normal scores.</summary>
    /// <param name="alarmsPerPoint">r; in (0, 1).</param>
    /// <returns>A <see cref="FalseAlarmBudgetStrategy"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alarmsPerPoint"/> is outside (0, 1).</exception>
    public static FalseAlarmBudgetStrategy FalseAlarmBudget(double alarmsPerPoint) => new(alarmsPerPoint);

    /// <summary>
    /// The threshold that allows <paramref name="alarms"/> false alarms per <paramref name="per"/> when a score arrives
    /// every <paramref name="samplingInterval"/>.
    /// </summary>
    /// <param name="alarms">The tolerated false alarms; at least 1.</param>
    /// <param name="per">The period; positive.</param>
    /// <param name="samplingInterval">The time between scores; positive.</param>
    /// <returns>A <see cref="FalseAlarmBudgetStrategy"/> with rate <c>alarms·samplingInterval/per</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range, or the rate is not below 1.</exception>
    public static FalseAlarmBudgetStrategy FalseAlarmBudget(int alarms, TimeSpan per, TimeSpan samplingInterval) =>
        new(FalseAlarmBudgetStrategy.RateOf(alarms, per, samplingInterval));
}
