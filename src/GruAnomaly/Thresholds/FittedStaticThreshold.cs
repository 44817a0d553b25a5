namespace GruAnomaly.Thresholds;

/// <summary>
/// A threshold that stays the same at every step: the result of the fixed, mean + kσ, quantile, median + k·MAD,
/// static peaks-over-threshold and false-alarm-budget strategies.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
public sealed class FittedStaticThreshold : IFittedThreshold
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
        Threshold = threshold;
        Calibration = calibration;
        Tail = tail;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public double Threshold { get; }

    /// <summary>The calibration scores the threshold was fitted on.</summary>
    public EmpiricalDistribution Calibration { get; }

    /// <summary>The fitted tail, when the strategy has one; otherwise null.</summary>
    public PeaksOverThresholdTail? Tail { get; }

    /// <inheritdoc/>
    public void Apply(ReadOnlySpan<double> scores, Span<double> thresholds)
    {
        ScoreChecks.Apply(scores, thresholds);
        thresholds.Fill(Threshold);
    }

    /// <inheritdoc/>
    public double TailProbability(double score) => CalibratedTail.Probability(Calibration, Tail, score);
}

/// <summary>Empirical tail probability, switched to the peaks-over-threshold tail above its initial threshold.</summary>
internal static class CalibratedTail
{
    public static double Probability(EmpiricalDistribution calibration, PeaksOverThresholdTail? tail, double score) =>
        tail is not null && score > tail.InitialThreshold
            ? tail.TailProbability(score)
            : calibration.TailProbability(score);
}
