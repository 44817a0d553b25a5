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
