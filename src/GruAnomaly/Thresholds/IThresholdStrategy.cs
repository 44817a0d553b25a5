namespace GruAnomaly.Thresholds;

/// <summary>
/// An unfitted rule that turns calibration anomaly scores (scores of normal, or mostly normal, data) into a
/// <see cref="IFittedThreshold"/>. A score is flagged when it is strictly greater than the threshold in force.
/// </summary>
/// <remarks>Implementations are immutable and safe to share between threads. Create them with <see cref="Threshold"/>.</remarks>
public interface IThresholdStrategy
{
    /// <summary>A short, stable, human-readable name including the settings, e.g. <c>"Quantile(q=0.99)"</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Gets the fewest calibration scores <see cref="Fit"/> accepts when they are distinct (tied scores can need more, for
    /// example to leave enough distinct peaks above a tail's initial threshold). The detector adds it to its
    /// <c>MinimumTrainingLength</c>, so that a training series of that length always fits.
    /// </summary>
    /// <value>The default value is 1.</value>
    int MinimumCalibrationScores => 1;

    /// <summary>
    /// Adds a message per invalid setting of this strategy, so that <c>AnomalyDetectorBuilder.Build</c> reports it with the
    /// others. The factories of <see cref="Threshold"/> record an invalid argument here instead of throwing.
    /// </summary>
    /// <param name="problems">Receives the messages.</param>
    void Validate(ICollection<string> problems)
    {
    }

    /// <summary>Fits the strategy on calibration scores.</summary>
    /// <param name="calibrationScores">
    /// Scores of normal (or mostly normal) data, in time order; finite. Each strategy documents how many it needs.
    /// </param>
    /// <returns>The fitted threshold; immutable and thread-safe.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="calibrationScores"/> is empty, contains NaN or infinity, or is too short for the strategy.
    /// </exception>
    IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores);
}
