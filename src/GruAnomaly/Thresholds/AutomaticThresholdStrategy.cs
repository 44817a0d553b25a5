using System.Globalization;

namespace GruAnomaly.Thresholds;

/// <summary>
/// Peaks-over-threshold where the calibration scores are enough to fit a tail, and a robust median + k·MAD where they
/// are not; the fitted threshold's name says which was used and why (the detector logs it).
/// </summary>
/// <remarks>
/// The fallback's k is the standard normal quantile of <c>1 − RiskLevel</c> plus 2: scores are rarely lighter-tailed than a
/// normal distribution, and with few calibration scores a threshold that errs high raises fewer false alarms.
/// </remarks>
public sealed class AutomaticThresholdStrategy : IThresholdStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="riskLevel">q, the probability that a normal score exceeds the threshold; in (0, 0.02).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="riskLevel"/> is out of range.</exception>
    public AutomaticThresholdStrategy(double riskLevel = 1e-3)
    {
        PeaksOverThreshold = new PeaksOverThresholdStrategy(riskLevel);
        RiskLevel = riskLevel;
        double k = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 1 - riskLevel) + 2;
        Fallback = new MedianPlusMadStrategy(Math.Round(k, 2));
    }

    /// <summary>q, the probability that a normal score exceeds the threshold.</summary>
    public double RiskLevel { get; }

    /// <summary>The strategy used when there are enough calibration scores.</summary>
    public PeaksOverThresholdStrategy PeaksOverThreshold { get; }

    /// <summary>The strategy used when there are too few.</summary>
    public MedianPlusMadStrategy Fallback { get; }

    /// <summary>The fewest calibration scores the peaks-over-threshold model is fitted on.</summary>
    public int MinimumPeaksOverThresholdScores => PeaksOverThreshold.MinimumCalibrationScores;

    /// <inheritdoc/>
    public string Name => $"Automatic({StrategyNames.Risk(RiskLevel, PeaksOverThreshold.InitialQuantile)})";

    /// <inheritdoc/>
    public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores)
    {
        ScoreChecks.Calibration(calibrationScores, 1, Name);
        if (calibrationScores.Length >= MinimumPeaksOverThresholdScores)
        {
            try
            {
                return PeaksOverThreshold.Fit(calibrationScores);
            }
            catch (ArgumentException)
            {
                // Too many tied scores leave fewer than the minimum peaks above the initial threshold: fall back as below.
            }
        }

        var fitted = (FittedStaticThreshold)Fallback.Fit(calibrationScores);
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{Fallback.Name} (automatic: {calibrationScores.Length} calibration scores are too few for {PeaksOverThreshold.Name}, which needs {MinimumPeaksOverThresholdScores} with distinct peaks)");
        return new FittedStaticThreshold(name, fitted.Threshold, fitted.Calibration);
    }
}
