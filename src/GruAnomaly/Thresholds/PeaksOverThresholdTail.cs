using System.Globalization;

namespace GruAnomaly.Thresholds;

/// <summary>
/// A peaks-over-threshold model of the upper tail of a score distribution (Siffer et al., "Anomaly Detection in
/// Streams with Extreme Value Theory", KDD 2017): out of <see cref="ObservationCount"/> scores, the
/// <see cref="PeakCount"/> scores above <see cref="InitialThreshold"/> t have excesses over t distributed as
/// <see cref="Excesses"/>. Then <c>P(S &gt; s) ≈ (N_t/n)·P(Y &gt; s − t)</c> for <c>s ≥ t</c>.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class PeaksOverThresholdTail
{
    /// <summary>The fewest peaks (scores above the initial threshold) a tail is fitted on.</summary>
    public const int MinimumPeaks = 10;

    /// <summary>
    /// The fewest distinct scores that leave <see cref="MinimumPeaks"/> strictly above their
    /// <paramref name="initialQuantile"/> quantile (linear interpolation, as <see cref="EmpiricalDistribution.Quantile"/>).
    /// </summary>
    internal static int MinimumScores(double initialQuantile)
    {
        // Above the quantile at h = (n − 1)·q lie n − 1 − ⌊h⌋ distinct scores; the same expression as QuantileOfSorted,
        // so rounding agrees with what Fit will count.
        if (!(initialQuantile > 0 && initialQuantile < 1))
        {
            return MinimumPeaks + 1; // an invalid level, refused by the strategy's Validate and Fit
        }

        int n = Math.Max(MinimumPeaks + 1, (int)Math.Min(int.MaxValue / 2, (MinimumPeaks / (1 - initialQuantile)) - 2));
        while (n - 1 - (int)Math.Floor((n - 1) * initialQuantile) < MinimumPeaks)
        {
            n++;
        }

        return n;
    }

    /// <summary>Creates a tail from its state (for example, read back from storage).</summary>
    /// <param name="initialThreshold">t; finite.</param>
    /// <param name="peakCount">N_t, the number of scores above t; at least 1.</param>
    /// <param name="observationCount">n, the number of scores seen; at least <paramref name="peakCount"/>.</param>
    /// <param name="excesses">The fitted distribution of the excesses over t.</param>
    /// <exception cref="ArgumentNullException"><paramref name="excesses"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count or the threshold is out of range.</exception>
    public PeaksOverThresholdTail(double initialThreshold, long peakCount, long observationCount, GeneralizedPareto excesses)
    {
        ArgumentNullException.ThrowIfNull(excesses);
        ScoreChecks.FiniteArgument(initialThreshold, nameof(initialThreshold));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(peakCount);
        if (observationCount < peakCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(observationCount), observationCount, "observationCount must be at least peakCount.");
        }

        InitialThreshold = initialThreshold;
        PeakCount = peakCount;
        ObservationCount = observationCount;
        Excesses = excesses;
    }

    /// <summary>The initial threshold t, a high empirical quantile of the calibration scores.</summary>
    public double InitialThreshold { get; }

    /// <summary>N_t: the number of scores strictly above <see cref="InitialThreshold"/>.</summary>
    public long PeakCount { get; }

    /// <summary>n: the number of scores the tail was estimated from.</summary>
    public long ObservationCount { get; }

    /// <summary>The generalized Pareto distribution of the excesses over <see cref="InitialThreshold"/>.</summary>
    public GeneralizedPareto Excesses { get; }

    /// <summary>
    /// Fits a tail on <paramref name="scores"/>: t is their <paramref name="initialQuantile"/> quantile (numpy's
    /// linear definition) and the excesses of the scores strictly above t are fitted by
    /// <see cref="GeneralizedPareto.Fit"/>, or, for <see cref="TailModel.Exponential"/>, taken as exponential with their
    /// mean as scale.
    /// </summary>
    /// <param name="scores">The calibration scores.</param>
    /// <param name="initialQuantile">The level of t, in (0, 1); Siffer et al. use 0.98.</param>
    /// <param name="model">The distribution of the excesses.</param>
    /// <returns>The tail.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialQuantile"/> is outside (0, 1).</exception>
    /// <exception cref="ArgumentException">Fewer than <see cref="MinimumPeaks"/> scores lie above t.</exception>
    public static PeaksOverThresholdTail Fit(EmpiricalDistribution scores, double initialQuantile, TailModel model = TailModel.GeneralizedPareto)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ScoreChecks.Probability(initialQuantile, nameof(initialQuantile));
        double threshold = scores.Quantile(initialQuantile);
        int peaks = scores.CountAbove(threshold);
        if (peaks < MinimumPeaks)
        {
            int needed = (int)Math.Ceiling(MinimumPeaks / (1 - initialQuantile));
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"calibrationScores has only {peaks} scores above the initial threshold {threshold:G6} (its {initialQuantile} quantile, from {scores.Count} scores); at least {MinimumPeaks} are needed to fit the tail: supply at least {needed} distinct-valued scores or lower initialQuantile."),
                "calibrationScores");
        }

        ReadOnlySpan<double> sorted = scores.SortedValues;
        double[] excesses = new double[peaks];
        for (int i = 0; i < peaks; i++)
        {
            excesses[i] = sorted[sorted.Length - peaks + i] - threshold;
        }

        // Every peak lies strictly above t, so the mean excess is positive: a valid exponential scale.
        GeneralizedPareto fitted = model == TailModel.Exponential
            ? new GeneralizedPareto(0, excesses.Average())
            : GeneralizedPareto.Fit(excesses);
        return new PeaksOverThresholdTail(threshold, peaks, scores.Count, fitted);
    }

    /// <summary>
    /// The score exceeded with probability <paramref name="riskLevel"/> q:
    /// <c>z_q = t + σ/γ·((q·n/N_t)^(−γ) − 1)</c>, or <c>t − σ·ln(q·n/N_t)</c> for γ = 0.
    /// </summary>
    /// <param name="riskLevel">q in (0, 1).</param>
    /// <returns>z_q; below t when <c>q &gt; N_t/n</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="riskLevel"/> is outside (0, 1).</exception>
    public double ThresholdAt(double riskLevel)
    {
        ScoreChecks.Probability(riskLevel, nameof(riskLevel));
        return ThresholdAt(InitialThreshold, Excesses.Shape, Excesses.Scale, riskLevel * ObservationCount / PeakCount);
    }

    /// <summary>
    /// <c>P(S ≥ score)</c> from the tail: <c>(N_t/n)·P(Y &gt; score − t)</c>. Meaningful for <c>score ≥ t</c>; below t it
    /// returns <c>N_t/n</c>.
    /// </summary>
    /// <param name="score">The score.</param>
    /// <returns>A probability in [0, 1].</returns>
    public double TailProbability(double score) =>
        (double)PeakCount / ObservationCount * Excesses.Survival(score - InitialThreshold);

    internal static double ThresholdAt(double initialThreshold, double shape, double scale, double ratio) =>
        initialThreshold + GeneralizedPareto.ExcessAt(shape, scale, ratio);
}
