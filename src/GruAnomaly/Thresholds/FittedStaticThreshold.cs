namespace GruAnomaly.Thresholds;

/// <summary>
/// A threshold that stays the same at every step: the result of the fixed, mean + kσ, quantile, median + k·MAD,
/// static peaks-over-threshold and false-alarm-budget strategies.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class FittedStaticThreshold : IFittedThreshold, IStreamableThreshold
{
    /// <summary>Creates a fitted threshold from its state (for example, read back from storage).</summary>
    /// <param name="name">The strategy name; not empty.</param>
    /// <param name="threshold">The threshold; finite.</param>
    /// <param name="calibration">The calibration scores, for <see cref="TailProbability"/>.</param>
    /// <param name="tail">
    /// The peaks-over-threshold tail used beyond its initial threshold by <see cref="TailProbability"/>, or null for a
    /// purely empirical tail probability.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="calibration"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not finite.</exception>
    public FittedStaticThreshold(string name, double threshold, EmpiricalDistribution calibration, PeaksOverThresholdTail? tail = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(calibration);
        ScoreChecks.FiniteArgument(threshold, nameof(threshold));
        Name = name;
        Value = threshold;
        Calibration = calibration;
        Tail = tail;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public double Value { get; }

    /// <summary>The calibration scores the threshold was fitted on.</summary>
    public EmpiricalDistribution Calibration { get; }

    /// <summary>The fitted tail, when the strategy has one; otherwise null.</summary>
    public PeaksOverThresholdTail? Tail { get; }

    /// <inheritdoc/>
    public void Apply(ReadOnlySpan<double> scores, Span<double> thresholds)
    {
        ScoreChecks.Apply(scores, thresholds);
        thresholds.Fill(Value);
    }

    ThresholdState IStreamableThreshold.CreateState() => new ConstantThresholdState(Value);

    /// <inheritdoc/>
    public double TailProbability(double score) => CalibratedTail.Probability(Calibration, Tail, score);

    /// <inheritdoc/>
    public double Surprise(double score) => CalibratedTail.Surprise(Calibration, Tail, score);
}

/// <summary>
/// The calibrated scales of a score: the tail probability (empirical, switched to the peaks-over-threshold tail above its
/// initial threshold) and the surprise, a strictly increasing, never saturating version of its −log₁₀.
/// </summary>
internal static class CalibratedTail
{
    /// <summary>Past this fraction of the way to a short-tailed (γ &lt; 0) GPD's endpoint, its log continues as a straight line.</summary>
    private const double ShortTailCut = 0.99;

    public static double Probability(EmpiricalDistribution calibration, PeaksOverThresholdTail? tail, double score) =>
        tail is not null && score > tail.InitialThreshold
            ? tail.TailProbability(score)
            : calibration.TailProbability(score);

    /// <summary>
    /// −log₁₀ of a tail probability p(s) that strictly decreases everywhere: the plotting positions
    /// <c>#{x ≥ v}/(n + 1)</c> at the distinct calibration values v, joined log-linearly; above the tail's initial
    /// threshold t exactly the tail's <c>(N_t/n)·P(Y &gt; s − t)</c>; above the largest value (without a tail) an exponential
    /// tail as steep as the top tenth of the scores; below the smallest value an approach to 1. Computed in logs, so it never
    /// underflows: a score far beyond anything seen in calibration still reads larger than a slightly smaller one.
    /// </summary>
    public static double Surprise(EmpiricalDistribution calibration, PeaksOverThresholdTail? tail, double score)
    {
        if (double.IsNaN(score))
        {
            return double.NaN;
        }

        return -LogSurvival(calibration, tail, score) / Math.Log(10);
    }

    private static double LogSurvival(EmpiricalDistribution calibration, PeaksOverThresholdTail? tail, double score)
    {
        ReadOnlySpan<double> sorted = calibration.SortedValues;
        int n = sorted.Length;
        if (tail is not null && score >= tail.InitialThreshold)
        {
            return Math.Log((double)tail.PeakCount / tail.ObservationCount) + LogGpdSurvival(tail.Excesses, score - tail.InitialThreshold);
        }

        double spread = Math.Max(calibration.StandardDeviation, 1e-12 * Math.Max(1, Math.Abs(calibration.Mean)));
        int above = EmpiricalDistribution.UpperBound(sorted, score);
        if (above == 0)
        {
            // Below every calibration score: p rises from n/(n + 1) towards 1.
            return double.LogP1(-Math.Exp((score - sorted[0]) / spread) / (n + 1));
        }

        double left = sorted[above - 1];
        double logLeft = LogPosition(sorted, left);
        double right, logRight;
        if (tail is not null && (above == n || sorted[above] >= tail.InitialThreshold))
        {
            right = tail.InitialThreshold;
            logRight = Math.Log((double)tail.PeakCount / tail.ObservationCount);
        }
        else if (above == n)
        {
            return logLeft - ((score - left) / TopSlope(calibration, spread));
        }
        else
        {
            right = sorted[above];
            logRight = LogPosition(sorted, right);
        }

        return score == left ? logLeft : logLeft + ((logRight - logLeft) * (score - left) / (right - left));
    }

    /// <summary>ln of the plotting position <c>#{x ≥ v}/(n + 1)</c> of a calibration value v.</summary>
    private static double LogPosition(ReadOnlySpan<double> sorted, double value) =>
        Math.Log((double)(sorted.Length - EmpiricalDistribution.LowerBound(sorted, value)) / (sorted.Length + 1));

    /// <summary>The scale of an exponential tail fitted to the top tenth of the calibration scores, kept away from 0.</summary>
    private static double TopSlope(EmpiricalDistribution calibration, double spread) =>
        double.IsNaN(calibration.TopTenthMeanExcess) ? spread : Math.Max(calibration.TopTenthMeanExcess, 1e-6 * spread);

    private static double LogGpdSurvival(GeneralizedPareto gpd, double excess)
    {
        double shape = gpd.Shape, scale = gpd.Scale;
        if (excess <= 0)
        {
            return 0;
        }

        if (shape >= 0)
        {
            return shape == 0 ? -excess / scale : -double.LogP1(shape * excess / scale) / shape;
        }

        // A short tail ends at σ/|γ|, where its log falls to −∞. Past ShortTailCut of the way there (a survival of
        // 0.01^(1/|γ|), far below any risk level in use unless |γ| is large), continue with the slope at that point, so that
        // scores at and past the end stay finite and ordered.
        double cut = ShortTailCut * scale / -shape;
        if (excess <= cut)
        {
            return -double.LogP1(shape * excess / scale) / shape;
        }

        return (-double.LogP1(shape * cut / scale) / shape) - ((excess - cut) / (scale + (shape * cut)));
    }
}
