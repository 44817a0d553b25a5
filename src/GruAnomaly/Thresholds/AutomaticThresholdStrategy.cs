using System.Globalization;
using GruAnomaly.Diagnostics;

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
    /// <summary>
    /// The risk level when none is given, and the detector's default: 10⁻⁴, chosen on the quality benchmark with the
    /// five-part default scorer (means over five seeds: early-alarm 44.1 offline and 47.7 streaming against 43.8 and 45.9 at
    /// 3·10⁻⁴, and fewer false alarms: 10.6 and 38.6 against 14.2 and 44.8). With the forecast alone, 3·10⁻⁴ had beaten
    /// 10⁻³ (46.4 against 45.0).
    /// </summary>
    public const double DefaultRiskLevel = 1e-4;

    /// <summary>Creates the strategy.</summary>
    /// <param name="riskLevel">q, the probability that a normal score exceeds the threshold; in (0, 0.02).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="riskLevel"/> is out of range.</exception>
    public AutomaticThresholdStrategy(double riskLevel = DefaultRiskLevel)
        : this(riskLevel, deferChecks: false)
    {
    }

    internal AutomaticThresholdStrategy(double riskLevel, bool deferChecks)
    {
        _problem = DeferredArguments.Check(deferChecks, "Threshold.Automatic",
            () => PeaksOverThresholdStrategy.ValidateLevels(riskLevel, 0.98));
        PeaksOverThreshold = new PeaksOverThresholdStrategy(riskLevel, 0.98, streaming: false, deferChecks: _problem is not null);
        RiskLevel = riskLevel;
        // −Φ⁻¹(q) rather than Φ⁻¹(1 − q): 1 − q rounds to 1 for q below 1e-17, whose quantile is infinite.
        double k = -MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, riskLevel) + 2;
        // With an invalid risk level (recorded above) k may not be finite; the fallback then only carries it along.
        Fallback = new MedianPlusMadStrategy(Math.Round(k, 2), deferChecks: _problem is not null);
    }

    private readonly string? _problem;

    /// <inheritdoc/>
    public void Validate(ICollection<string> problems) => DeferredArguments.Report(_problem, problems);

    /// <inheritdoc/>
    /// <value>1: with fewer scores than peaks-over-threshold needs, the robust fallback is used.</value>
    public int MinimumCalibrationScores => 1;

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

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores)
    {
        DeferredArguments.ThrowIfInvalid(_problem);
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
        return new FittedStaticThreshold(name, fitted.Value, fitted.Calibration);
    }
}
