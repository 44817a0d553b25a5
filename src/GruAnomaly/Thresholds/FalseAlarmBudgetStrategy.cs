using System.Globalization;
using GruAnomaly.Diagnostics;

namespace GruAnomaly.Thresholds;

/// <summary>
/// A threshold exceeded by a given fraction r of normal scores (a false-alarm budget): the (1 − r) quantile of the
/// calibration distribution. It is taken from the empirical distribution (numpy's linear quantile) when at least
/// <see cref="MinimumEmpiricalExceedances"/> calibration scores are expected above it (<c>r·n ≥ 10</c>), and otherwise
/// from a peaks-over-threshold tail, <c>z_r</c> with initial quantile <see cref="InitialQuantile"/>.
/// </summary>
/// <remarks>
/// Needs at least 1 calibration score when <c>r·n ≥ 10</c>; otherwise r must be below <c>1 − InitialQuantile</c> and
/// the tail needs <see cref="PeaksOverThresholdTail.MinimumPeaks"/> peaks (about 500 scores for 0.98).
/// </remarks>
public sealed class FalseAlarmBudgetStrategy : IThresholdStrategy
{
    /// <summary>The smallest expected number of calibration scores above the threshold for an empirical quantile.</summary>
    public const int MinimumEmpiricalExceedances = 10;

    /// <summary>Creates the strategy.</summary>
    /// <param name="alarmsPerPoint">r, the tolerated fraction of normal points flagged; in (0, 1).</param>
    /// <param name="initialQuantile">The initial quantile of the tail model, used when r·n &lt; 10; in (0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public FalseAlarmBudgetStrategy(double alarmsPerPoint, double initialQuantile = 0.98)
        : this(alarmsPerPoint, initialQuantile, problem: null)
    {
        ScoreChecks.Probability(alarmsPerPoint, nameof(alarmsPerPoint));
        ScoreChecks.Probability(initialQuantile, nameof(initialQuantile));
    }

    /// <summary>Creates the strategy with the problem a factory recorded instead of throwing (null when the arguments are valid).</summary>
    internal FalseAlarmBudgetStrategy(double alarmsPerPoint, double initialQuantile, string? problem)
    {
        _problem = problem;
        AlarmsPerPoint = alarmsPerPoint;
        InitialQuantile = initialQuantile;
    }

    private readonly string? _problem;

    /// <summary>r, the tolerated fraction of normal points flagged.</summary>
    public double AlarmsPerPoint { get; }

    /// <summary>The initial quantile of the tail model.</summary>
    /// <value>The default value is 0.98.</value>
    public double InitialQuantile { get; }

    /// <inheritdoc/>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"FalseAlarmBudget(r={AlarmsPerPoint:G6})");

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>
    /// The rate of a budget of <paramref name="alarms"/> false alarms per <paramref name="per"/> when a score arrives
    /// every <paramref name="samplingInterval"/>: <c>alarms · samplingInterval / per</c>.
    /// </summary>
    /// <param name="alarms">The number of tolerated false alarms; at least 1.</param>
    /// <param name="per">The period of the budget; positive.</param>
    /// <param name="samplingInterval">The time between scores; positive.</param>
    /// <returns>The rate in alarms per point.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range, or the rate is not below 1.</exception>
    public static double RateOf(int alarms, TimeSpan per, TimeSpan samplingInterval)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alarms);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(per, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(samplingInterval, TimeSpan.Zero);
        double rate = alarms * (samplingInterval / per);
        if (!(rate < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(alarms),
                alarms,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{alarms} alarms per {per} with a score every {samplingInterval} is {rate:G6} alarms per point; the budget must be below 1 alarm per point."));
        }

        return rate;
    }

    /// <inheritdoc/>
    /// <value>
    /// The fewest scores that hold 10 expected exceedances (⌈10/r⌉), or, for a budget below 1 − InitialQuantile, the fewer
    /// that the tail model needs when that is less.
    /// </value>
    public int MinimumCalibrationScores
    {
        get
        {
            if (!(AlarmsPerPoint > 0 && AlarmsPerPoint < 1))
            {
                return 1; // invalid, and refused by Validate and Fit
            }

            // The smallest n with r·n ≥ 10, by the same floating-point test as Fit.
            long empirical = (long)Math.Min(int.MaxValue, Math.Ceiling(MinimumEmpiricalExceedances / AlarmsPerPoint));
            while (empirical > 1 && AlarmsPerPoint * (empirical - 1) >= MinimumEmpiricalExceedances)
            {
                empirical--;
            }

            while (empirical < int.MaxValue && AlarmsPerPoint * empirical < MinimumEmpiricalExceedances)
            {
                empirical++;
            }

            return AlarmsPerPoint < 1 - InitialQuantile
                ? (int)Math.Min(empirical, PeaksOverThresholdTail.MinimumScores(InitialQuantile))
                : (int)empirical;
        }
    }

    /// <inheritdoc/>
    public void Validate(ICollection<string> problems) => DeferredArguments.Report(_problem, problems);

    /// <inheritdoc/>
    public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores)
    {
        DeferredArguments.ThrowIfInvalid(_problem);
        ScoreChecks.Calibration(calibrationScores, 1, Name);
        var calibration = new EmpiricalDistribution(calibrationScores);
        if (AlarmsPerPoint * calibration.Count >= MinimumEmpiricalExceedances)
        {
            return new FittedStaticThreshold(Name, calibration.Quantile(1 - AlarmsPerPoint), calibration);
        }

        if (!(AlarmsPerPoint < 1 - InitialQuantile))
        {
            int needed = (int)Math.Ceiling(MinimumEmpiricalExceedances / AlarmsPerPoint);
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"calibrationScores has {calibration.Count} scores; a budget of {AlarmsPerPoint:G6} alarms per point needs at least {needed} for an empirical quantile (or a budget below 1 − initialQuantile = {1 - InitialQuantile:G6} for the tail model)."),
                nameof(calibrationScores));
        }

        PeaksOverThresholdTail tail = PeaksOverThresholdTail.Fit(calibration, InitialQuantile);
        return new FittedStaticThreshold(Name, tail.ThresholdAt(AlarmsPerPoint), calibration, tail);
    }
}
