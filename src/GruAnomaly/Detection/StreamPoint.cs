namespace GruAnomaly.Detection;

/// <summary>
/// What a <see cref="DetectorStream"/> decided about one point: the same values that <see cref="DetectionResult"/> reports
/// for that time step when the series up to it is detected in a batch. A point that received no score (the warm-up, or
/// every feature missing) has score 0, tail probability 1, surprise 0, is neither flagged nor an alarm, and carries the
/// threshold in force at the last scored point.
/// </summary>
/// <param name="Time">The point's time step: how many points the stream had seen before it.</param>
/// <param name="Timestamp">The timestamp given with the point, or null.</param>
/// <param name="IsScored">Whether the point received a score.</param>
/// <param name="RawScore">The score as the scorer and error combination give it, after smoothing (see <see cref="DetectionResult.RawScores"/>).</param>
/// <param name="Score">The score the threshold judges: the raw score normalized against the scores before it (see <see cref="DetectionResult.Scores"/>).</param>
/// <param name="Threshold">The threshold in force at the point, on the scale of <paramref name="Score"/>.</param>
/// <param name="TailProbability">The calibrated probability that a normal score is at least this high (see <see cref="DetectionResult.TailProbabilities"/>).</param>
/// <param name="Surprise">−log₁₀ of the calibrated tail probability, never saturating (see <see cref="DetectionResult.Surprise"/>).</param>
/// <param name="IsFlagged">
/// Whether <paramref name="Score"/> is above <paramref name="Threshold"/>: the flag before the event rules (which look ahead,
/// so <see cref="DetectionResult.Flags"/> can differ where they merge, drop or prune).
/// </param>
/// <param name="IsAlarm">Whether the point raises an alarm (see <see cref="DetectionResult.Alarms"/>): what a service acts on.</param>
/// <param name="Expected">
/// The expected value of the first feature (the only one of a univariate stream) in the series' units; NaN in the warm-up.
/// <see cref="DetectorStream.Expected"/> holds every feature's.
/// </param>
public readonly record struct StreamPoint(
    long Time,
    DateTimeOffset? Timestamp,
    bool IsScored,
    double RawScore,
    double Score,
    double Threshold,
    double TailProbability,
    double Surprise,
    bool IsFlagged,
    bool IsAlarm,
    float Expected)
{
    /// <summary>Gets the anomaly likelihood in [0, 1): a strictly increasing function of <see cref="Surprise"/> (see <see cref="AnomalyLikelihood.FromSurprise"/>).</summary>
    public double Likelihood => AnomalyLikelihood.FromSurprise(Surprise);
}
