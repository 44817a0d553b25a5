namespace GruAnomaly.Thresholds;

/// <summary>
/// A threshold fitted on calibration scores. A score is flagged as anomalous when it is strictly greater than the
/// threshold in force at its step.
/// </summary>
/// <remarks>
/// Immutable and safe to share between threads: streaming strategies run <see cref="Apply"/> on a private copy of
/// their state, so applying the same fitted threshold twice to the same scores gives the same thresholds.
/// </remarks>
public interface IFittedThreshold
{
    /// <summary>The name of the strategy that produced this threshold, with its settings.</summary>
    string Name { get; }

    /// <summary>The threshold's value in force right after fitting (before any score has been applied).</summary>
    double Value { get; }

    /// <summary>Writes the threshold in force at each step of <paramref name="scores"/>.</summary>
    /// <param name="scores">New scores in time order; finite. May be empty.</param>
    /// <param name="thresholds">Receives one threshold per score; same length as <paramref name="scores"/>.</param>
    /// <exception cref="ArgumentException">
    /// The lengths differ, or <paramref name="scores"/> contains NaN or infinity.
    /// </exception>
    void Apply(ReadOnlySpan<double> scores, Span<double> thresholds);

    /// <summary>
    /// The probability, under the fitted calibration distribution, that a score is at least <paramref name="score"/>:
    /// <c>P(S ≥ score)</c>. Empirical, except beyond the initial threshold of a peaks-over-threshold model where the
    /// fitted generalized Pareto tail is used. Useful to present scores on a calibrated scale.
    /// </summary>
    /// <param name="score">Any score; NaN gives NaN.</param>
    /// <returns>A probability in [0, 1].</returns>
    double TailProbability(double score);

    /// <summary>
    /// The surprise of a score, <c>−log₁₀ p</c> of a calibrated tail probability p: 0 for the lowest scores, 3 for a
    /// score that one normal score in a thousand reaches. Unlike <see cref="TailProbability"/>, the built-in thresholds make
    /// it strictly increasing in the score and never saturating: beyond everything seen in calibration it keeps growing
    /// (computed in logs, so it never underflows), and two different scores never tie.
    /// </summary>
    /// <remarks>
    /// The default implementation is <c>−log₁₀</c> of <see cref="TailProbability"/>, which saturates where that reaches 0;
    /// a custom threshold should override it when it can do better.
    /// </remarks>
    /// <param name="score">Any score; NaN gives NaN.</param>
    /// <returns>A value of at least 0.</returns>
    double Surprise(double score) => -Math.Log10(TailProbability(score));
}
