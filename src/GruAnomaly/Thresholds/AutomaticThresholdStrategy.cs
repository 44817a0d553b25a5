using System.Globalization;
using GruAnomaly.Diagnostics;

namespace GruAnomaly.Thresholds;

/// <summary>
/// Peaks-over-threshold where the calibration scores are enough to fit a tail, and a robust median + k·MAD where they
/// are not; the fitted threshold's name says which was used and why (the detector logs it).
/// </summary>
/// <remarks>
/// <para>
/// The tail is exponential by default (<see cref="TailModel.Exponential"/>): a detector's calibration scores are smoothed,
/// so the few dozen above the initial threshold come from a handful of excursions, and a fitted generalized Pareto shape
/// put the threshold anywhere from 1.5 to 109 robust-z units across the quality benchmark's series. With the exponential
/// tail the default scored 46.9 / 48.3 early-alarm (offline / streaming, five seeds) against 44.1 / 47.7, with 28.4
/// streaming false alarms against 38.6 (quality-2026-12-03-thresholds.md).
/// </para>
/// <para>
/// The fallback's k is the standard normal quantile of <c>1 − RiskLevel</c> plus 2: scores are rarely lighter-tailed than a
/// normal distribution, and with few calibration scores a threshold that errs high raises fewer false alarms.
/// </para>
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
    /// <param name="tail">The distribution of the excesses over the initial threshold.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="riskLevel"/> is out of range, or <paramref name="tail"/> is not a defined value.</exception>
    public AutomaticThresholdStrategy(double riskLevel = DefaultRiskLevel, TailModel tail = TailModel.Exponential)
        : this(riskLevel, tail, deferChecks: false)
    {
    }

    internal AutomaticThresholdStrategy(double riskLevel, TailModel tail, bool deferChecks)
    {
        _problem = DeferredArguments.Check(deferChecks, "Threshold.Automatic", () =>
        {
            PeaksOverThresholdStrategy.ValidateLevels(riskLevel, 0.98);
            if (!Enum.IsDefined(tail))
            {
                throw new ArgumentOutOfRangeException(nameof(tail), tail, "tail must be TailModel.Exponential or TailModel.GeneralizedPareto.");
            }
        });
        PeaksOverThreshold = new PeaksOverThresholdStrategy(riskLevel, 0.98, streaming: false, deferChecks: _problem is not null);
        RiskLevel = riskLevel;
        Tail = tail;
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

    /// <summary>The distribution of the excesses over the initial threshold.</summary>
    /// <value>The default value is <see cref="TailModel.Exponential"/>.</value>
    public TailModel Tail { get; }

    /// <summary>
    /// The peaks-over-threshold strategy with a generalized Pareto tail that this strategy uses when there are enough
    /// calibration scores and <see cref="Tail"/> is <see cref="TailModel.GeneralizedPareto"/>; with an exponential tail
    /// its initial quantile and minimum number of scores apply.
    /// </summary>
    public PeaksOverThresholdStrategy PeaksOverThreshold { get; }

    /// <summary>The strategy used when there are too few.</summary>
    public MedianPlusMadStrategy Fallback { get; }

    /// <summary>The fewest calibration scores the peaks-over-threshold model is fitted on.</summary>
    public int MinimumPeaksOverThresholdScores => PeaksOverThreshold.MinimumCalibrationScores;

    /// <inheritdoc/>
    public string Name => Tail == TailModel.Exponential
        ? $"Automatic({StrategyNames.Risk(RiskLevel, PeaksOverThreshold.InitialQuantile)})"
        : $"Automatic({StrategyNames.Risk(RiskLevel, PeaksOverThreshold.InitialQuantile)}, generalized Pareto tail)";

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
                return Tail == TailModel.GeneralizedPareto ? PeaksOverThreshold.Fit(calibrationScores) : FitExponentialTail(calibrationScores);
            }
            catch (ArgumentException)
            {
                // Too many tied scores leave fewer than the minimum peaks above the initial threshold: fall back as below.
            }
        }

        var fitted = (FittedStaticThreshold)Fallback.Fit(calibrationScores);
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{Fallback.Name} (automatic: {calibrationScores.Length} calibration scores are too few for {TailStrategyName}, which needs {MinimumPeaksOverThresholdScores} with distinct peaks)");
        return new FittedStaticThreshold(name, fitted.Value, fitted.Calibration);
    }

    private FittedStaticThreshold FitExponentialTail(ReadOnlySpan<double> calibrationScores)
    {
        var calibration = new EmpiricalDistribution(calibrationScores);
        PeaksOverThresholdTail tail = PeaksOverThresholdTail.Fit(calibration, PeaksOverThreshold.InitialQuantile, TailModel.Exponential);
        return new FittedStaticThreshold(TailStrategyName, tail.ThresholdAt(RiskLevel), calibration, tail);
    }

    /// <summary>The name of the peaks-over-threshold model fitted when there are enough calibration scores.</summary>
    private string TailStrategyName => Tail == TailModel.GeneralizedPareto
        ? PeaksOverThreshold.Name
        : $"PeaksOverThreshold({StrategyNames.Risk(RiskLevel, PeaksOverThreshold.InitialQuantile)}, exponential tail)";
}
