namespace GruAnomaly.Detection;

/// <summary>Streaming detection: one series a point at a time.</summary>
public sealed partial class FittedAnomalyDetector
{
    /// <summary>
    /// Starts detecting one series live, a point at a time (see <see cref="DetectorStream"/>): each point gets what
    /// <see cref="Detect"/> reports for that time step of the whole series. The detector is not changed; create one stream per
    /// series, from any thread.
    /// </summary>
    /// <returns>A new stream, before its first point.</returns>
    /// <exception cref="NotSupportedException">
    /// A step of this detector looks ahead or cannot run a point at a time: online adaptation, non-maximum suppression of
    /// flags, the reconstruction scorer (alone or in a fusion), the dynamic threshold, or a custom scorer, score
    /// normalization or threshold. The message names it and says what streams instead.
    /// </exception>
    public DetectorStream CreateStream()
    {
        if (Settings.OnlineAdaptation is not null)
        {
            throw new NotSupportedException(
                "This detector adapts online: Detect fine-tunes a copy of the model between chunks of a series, which a stream " +
                "does not do. Build the detector without WithOnlineAdaptation to stream, or detect in batches.");
        }

        if (Settings.EventRules.NonMaximumSuppressionRadius is int radius and > 0)
        {
            throw new NotSupportedException(
                $"This detector's event rules keep only the highest flag within {radius} steps (NonMaximumSuppressionRadius), which " +
                $"looks {radius} steps ahead before an alarm is raised, so a stream could not raise Detect's alarms when they happen. " +
                "Build the detector with NonMaximumSuppressionRadius = 0 to stream (alarm suppression thins alarms causally).");
        }

        return new DetectorStream(this);
    }

    /// <summary>
    /// Starts detecting many series live, a point of each at a time (see <see cref="DetectorStreamBatch"/>): each series
    /// gets what its own <see cref="CreateStream"/> would report, while the sliding-window forecasts of all series run
    /// as one matrix product per step.
    /// </summary>
    /// <param name="streams">How many series; positive.</param>
    /// <returns>A new batch, before its first point.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="streams"/> is not positive.</exception>
    /// <exception cref="NotSupportedException">The detector cannot stream (see <see cref="CreateStream"/>).</exception>
    public DetectorStreamBatch CreateStreamBatch(int streams)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streams);
        return new DetectorStreamBatch(this, streams);
    }
}
