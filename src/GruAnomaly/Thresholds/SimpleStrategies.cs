using System.Globalization;
using GruAnomaly.Diagnostics;

namespace GruAnomaly.Thresholds;

/// <summary>A threshold given by the user; fitting only records the calibration scores for tail probabilities.</summary>
/// <remarks>Needs at least 1 calibration score.</remarks>
public sealed class FixedThresholdStrategy : IThresholdStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="value">The threshold; finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not finite.</exception>
    public FixedThresholdStrategy(double value)
        : this(value, deferChecks: false)
    {
    }

    internal FixedThresholdStrategy(double value, bool deferChecks)
    {
        _problem = DeferredArguments.Check(deferChecks, "Threshold.Fixed", () => ScoreChecks.FiniteArgument(value, nameof(value)));
        Value = value;
    }

    private readonly string? _problem;

    /// <inheritdoc/>
    public void Validate(ICollection<string> problems) => DeferredArguments.Report(_problem, problems);

    /// <summary>The threshold.</summary>
    public double Value { get; }

    /// <inheritdoc/>
    public string Name => $"Fixed({ScoreChecks.Format(Value)})";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores)
    {
        DeferredArguments.ThrowIfInvalid(_problem);
        ScoreChecks.Calibration(calibrationScores, 1, Name);
        return new FittedStaticThreshold(Name, Value, new EmpiricalDistribution(calibrationScores));
    }
}

/// <summary>
/// <c>mean + k·σ</c> of the calibration scores, with the population standard deviation (divisor n, numpy's default).
/// </summary>
/// <remarks>Needs at least 2 calibration scores.</remarks>
public sealed class MeanPlusSigmaStrategy : IThresholdStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="k">The number of standard deviations above the mean; finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not finite.</exception>
    public MeanPlusSigmaStrategy(double k = 3)
        : this(k, deferChecks: false)
    {
    }

    internal MeanPlusSigmaStrategy(double k, bool deferChecks)
    {
        _problem = DeferredArguments.Check(deferChecks, "Threshold.MeanPlusSigma", () => ScoreChecks.FiniteArgument(k, nameof(k)));
        K = k;
    }

    private readonly string? _problem;

    /// <inheritdoc/>
    public void Validate(ICollection<string> problems) => DeferredArguments.Report(_problem, problems);

    /// <summary>The number of standard deviations above the mean.</summary>
    /// <value>The default value is 3.</value>
    public double K { get; }

    /// <inheritdoc/>
    public string Name => $"MeanPlusSigma(k={ScoreChecks.Format(K)})";

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
        var calibration = new EmpiricalDistribution(calibrationScores);
        return new FittedStaticThreshold(Name, calibration.Mean + (K * calibration.StandardDeviation), calibration);
    }
}

/// <summary>
/// The q quantile of the calibration scores, by linear interpolation between order statistics (numpy's default
/// <c>method='linear'</c>; see <see cref="EmpiricalDistribution.Quantile"/>).
/// </summary>
/// <remarks>Needs at least 1 calibration score.</remarks>
public sealed class QuantileStrategy : IThresholdStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="q">The quantile level, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1].</exception>
    public QuantileStrategy(double q)
        : this(q, deferChecks: false)
    {
    }

    internal QuantileStrategy(double q, bool deferChecks)
    {
        _problem = DeferredArguments.Check(deferChecks, "Threshold.Quantile", () => ScoreChecks.Probability(q, nameof(q), allowZero: true, allowOne: true));
        Q = q;
    }

    private readonly string? _problem;

    /// <inheritdoc/>
    public void Validate(ICollection<string> problems) => DeferredArguments.Report(_problem, problems);

    /// <summary>The quantile level.</summary>
    public double Q { get; }

    /// <inheritdoc/>
    public string Name => $"Quantile(q={ScoreChecks.Format(Q)})";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores)
    {
        DeferredArguments.ThrowIfInvalid(_problem);
        ScoreChecks.Calibration(calibrationScores, 1, Name);
        var calibration = new EmpiricalDistribution(calibrationScores);
        return new FittedStaticThreshold(Name, calibration.Quantile(Q), calibration);
    }
}

/// <summary>
/// <c>median + k·1.4826·MAD</c> of the calibration scores, where MAD is the median absolute deviation from the
/// median; the factor 1.4826 makes the scaled MAD estimate σ for Gaussian data. Medians use the linear quantile
/// definition (the mean of the two middle values for an even count).
/// </summary>
/// <remarks>Needs at least 1 calibration score.</remarks>
public sealed class MedianPlusMadStrategy : IThresholdStrategy
{
    /// <summary>The factor that makes the MAD a consistent estimator of σ for Gaussian data, 1/Φ⁻¹(3/4).</summary>
    public const double GaussianConsistency = 1.4826;

    /// <summary>Creates the strategy.</summary>
    /// <param name="k">The number of scaled MADs above the median; finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not finite.</exception>
    public MedianPlusMadStrategy(double k = 3)
        : this(k, deferChecks: false)
    {
    }

    internal MedianPlusMadStrategy(double k, bool deferChecks)
    {
        _problem = DeferredArguments.Check(deferChecks, "Threshold.MedianPlusMad", () => ScoreChecks.FiniteArgument(k, nameof(k)));
        K = k;
    }

    private readonly string? _problem;

    /// <inheritdoc/>
    public void Validate(ICollection<string> problems) => DeferredArguments.Report(_problem, problems);

    /// <summary>The number of scaled MADs above the median.</summary>
    /// <value>The default value is 3.</value>
    public double K { get; }

    /// <inheritdoc/>
    public string Name => $"MedianPlusMad(k={ScoreChecks.Format(K)})";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores)
    {
        DeferredArguments.ThrowIfInvalid(_problem);
        ScoreChecks.Calibration(calibrationScores, 1, Name);
        var calibration = new EmpiricalDistribution(calibrationScores);
        double median = calibration.Quantile(0.5);
        double[] deviations = new double[calibration.Count];
        ReadOnlySpan<double> sorted = calibration.SortedValues;
        for (int i = 0; i < deviations.Length; i++)
        {
            deviations[i] = Math.Abs(sorted[i] - median);
        }

        Array.Sort(deviations);
        double mad = EmpiricalDistribution.QuantileOfSorted(deviations, 0.5);
        return new FittedStaticThreshold(Name, median + (K * GaussianConsistency * mad), calibration);
    }
}

internal static class StrategyNames
{
    public static string Risk(double riskLevel, double initialQuantile) =>
        string.Create(CultureInfo.InvariantCulture, $"risk={riskLevel:G6}, q0={initialQuantile:G6}");
}
