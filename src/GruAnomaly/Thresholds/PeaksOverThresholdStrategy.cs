using System.Globalization;
using GruAnomaly.Diagnostics;

namespace GruAnomaly.Thresholds;

/// <summary>
/// SPOT (Siffer et al., KDD 2017): the initial threshold t is the <see cref="InitialQuantile"/> quantile of the
/// calibration scores, the excesses above t are fitted by a generalized Pareto distribution
/// (<see cref="GeneralizedPareto.Fit"/>), and the threshold is the score exceeded with probability
/// <see cref="RiskLevel"/>, <c>z_q = t + σ/γ·((q·n/N_t)^(−γ) − 1)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Static (<see cref="Streaming"/> false): z_q stays fixed after fitting. Streaming: during <c>Apply</c> every score
/// that is not an alarm and lies above t is added to the peaks and the GPD and z_q are refitted; alarms are never
/// added, so an anomaly cannot raise the threshold (Algorithm 1 of the paper). As in the paper, z_q is recomputed only
/// when a peak is added (other normal scores just count towards n), and each refit costs a few hundred passes over
/// the peaks. Because normal scores above z_q are treated as alarms, the tail seen by the refits is truncated at z_q
/// and z_q tends to drift down on long normal streams (about 0.3 below the true quantile of 6.91 after 20 000 Exp(1)
/// scores at q = 10⁻³ in the tests, about 1.4 below after 400 000). Memory is bounded: the latest 5000 peaks are kept,
/// and the peak rate is taken over the observations since the oldest of them.
/// </para>
/// <para>
/// Needs at least <see cref="PeaksOverThresholdTail.MinimumPeaks"/> calibration scores above t, that is at least
/// <c>10/(1 − InitialQuantile)</c> distinct scores: exactly <see cref="MinimumCalibrationScores"/> (497 for the default 0.98).
/// </para>
/// </remarks>
public sealed class PeaksOverThresholdStrategy : IThresholdStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="riskLevel">q, the probability of exceeding the threshold; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of the initial threshold t; in (0, 1).</param>
    /// <param name="streaming">Whether the tail keeps learning from non-alarm peaks during <c>Apply</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A level is out of range.</exception>
    public PeaksOverThresholdStrategy(double riskLevel = 1e-3, double initialQuantile = 0.98, bool streaming = false)
        : this(riskLevel, initialQuantile, streaming, deferChecks: false)
    {
    }

    internal PeaksOverThresholdStrategy(double riskLevel, double initialQuantile, bool streaming, bool deferChecks)
    {
        _problem = DeferredArguments.Check(deferChecks, streaming ? "Threshold.StreamingPeaksOverThreshold" : "Threshold.PeaksOverThreshold",
            () => ValidateLevels(riskLevel, initialQuantile));
        RiskLevel = riskLevel;
        InitialQuantile = initialQuantile;
        Streaming = streaming;
    }

    private readonly string? _problem;

    /// <summary>q, the probability that a normal score exceeds the threshold.</summary>
    /// <value>The default value is 0.001.</value>
    public double RiskLevel { get; }

    /// <summary>The quantile level of the initial threshold t.</summary>
    /// <value>The default value is 0.98.</value>
    public double InitialQuantile { get; }

    /// <summary>Whether the tail keeps learning during <c>Apply</c> (streaming SPOT).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Streaming { get; }

    /// <inheritdoc/>
    public string Name => Streaming
        ? $"StreamingPeaksOverThreshold({StrategyNames.Risk(RiskLevel, InitialQuantile)})"
        : $"PeaksOverThreshold({StrategyNames.Risk(RiskLevel, InitialQuantile)})";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    /// <value>The fewest scores with <see cref="PeaksOverThresholdTail.MinimumPeaks"/> above the initial quantile: 497 for 0.98.</value>
    public int MinimumCalibrationScores => PeaksOverThresholdTail.MinimumScores(InitialQuantile);

    /// <inheritdoc/>
    public void Validate(ICollection<string> problems) => DeferredArguments.Report(_problem, problems);

    /// <inheritdoc/>
    public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores)
    {
        DeferredArguments.ThrowIfInvalid(_problem);
        ScoreChecks.Calibration(calibrationScores, PeaksOverThresholdTail.MinimumPeaks + 1, Name);
        var calibration = new EmpiricalDistribution(calibrationScores);
        PeaksOverThresholdTail tail = PeaksOverThresholdTail.Fit(calibration, InitialQuantile);
        return Streaming
            ? new FittedStreamingPeaksOverThreshold(RiskLevel, InitialQuantile, calibration, tail)
            : new FittedStaticThreshold(Name, tail.ThresholdAt(RiskLevel), calibration, tail);
    }

    internal static void ValidateLevels(double riskLevel, double initialQuantile)
    {
        ScoreChecks.Probability(initialQuantile, nameof(initialQuantile));
        if (!(riskLevel > 0 && riskLevel < 1 - initialQuantile))
        {
            throw new ArgumentOutOfRangeException(
                nameof(riskLevel),
                riskLevel,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"riskLevel must be in (0, 1 − initialQuantile) = (0, {1 - initialQuantile:G6}): the threshold must lie above the initial threshold."));
        }
    }
}

/// <summary>
/// Streaming SPOT fitted on calibration scores. <see cref="Apply"/> continues Algorithm 1 of Siffer et al. on a
/// private copy of the state: the threshold written at a step is the one in force before that score is seen.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class FittedStreamingPeaksOverThreshold : IFittedThreshold, IStreamableThreshold
{
    /// <summary>Creates the fitted threshold from its state (for example, read back from storage).</summary>
    /// <param name="riskLevel">q; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of t; in (0, 1).</param>
    /// <param name="calibration">The calibration scores; the peaks are those above the tail's initial threshold.</param>
    /// <param name="tail">The tail fitted on <paramref name="calibration"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A level is out of range.</exception>
    /// <exception cref="ArgumentException">The tail's counts do not match <paramref name="calibration"/>.</exception>
    public FittedStreamingPeaksOverThreshold(
        double riskLevel, double initialQuantile, EmpiricalDistribution calibration, PeaksOverThresholdTail tail)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(tail);
        PeaksOverThresholdStrategy.ValidateLevels(riskLevel, initialQuantile);
        CheckTailMatches(calibration, tail);
        RiskLevel = riskLevel;
        InitialQuantile = initialQuantile;
        Calibration = calibration;
        Tail = tail;
        Value = tail.ThresholdAt(riskLevel);
    }

    /// <inheritdoc/>
    public string Name => $"StreamingPeaksOverThreshold({StrategyNames.Risk(RiskLevel, InitialQuantile)})";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>q, the probability that a normal score exceeds the threshold.</summary>
    public double RiskLevel { get; }

    /// <summary>The quantile level of the initial threshold.</summary>
    public double InitialQuantile { get; }

    /// <summary>The calibration scores.</summary>
    public EmpiricalDistribution Calibration { get; }

    /// <summary>The tail fitted on the calibration scores (the state before any <c>Apply</c>).</summary>
    public PeaksOverThresholdTail Tail { get; }

    /// <inheritdoc/>
    public double Value { get; }

    /// <inheritdoc/>
    public void Apply(ReadOnlySpan<double> scores, Span<double> thresholds)
    {
        ScoreChecks.Apply(scores, thresholds);
        new StreamingTail(Tail, Calibration, RiskLevel).Run(scores, thresholds);
    }

    ThresholdState IStreamableThreshold.CreateState() => new StreamingTail(Tail, Calibration, RiskLevel);

    /// <inheritdoc/>
    public double TailProbability(double score) => CalibratedTail.Probability(Calibration, Tail, score);

    /// <inheritdoc/>
    public double Surprise(double score) => CalibratedTail.Surprise(Calibration, Tail, score);

    internal static void CheckTailMatches(EmpiricalDistribution calibration, PeaksOverThresholdTail tail)
    {
        if (tail.ObservationCount != calibration.Count || tail.PeakCount != calibration.CountAbove(tail.InitialThreshold))
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"tail has {tail.PeakCount} peaks out of {tail.ObservationCount} scores, but calibration has {calibration.CountAbove(tail.InitialThreshold)} scores above {tail.InitialThreshold:G6} out of {calibration.Count}; the tail must be the one fitted on calibration."),
                nameof(tail));
        }
    }
}
