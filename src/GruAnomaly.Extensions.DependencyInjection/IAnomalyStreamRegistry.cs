using GruAnomaly.Detection;

namespace GruAnomaly.Extensions.DependencyInjection;

/// <summary>
/// The live streams of one named detector, one <see cref="DetectorStream"/> per series id, created at the series' first
/// point; registered by <see cref="AnomalyDetectorServiceCollectionExtensions.AddAnomalyDetector"/> as a keyed singleton
/// under the detector's name. Snapshots save every stream's state, so a restarted service continues each series where it
/// stopped.
/// </summary>
/// <remarks>
/// Thread-safe: any number of threads may observe different series at once; the points of one series are observed one
/// at a time, in the order the calls take its lock (give one series' points from one thread to keep their order).
/// The first call that needs the detector loads or fits it (see <see cref="IAnomalyDetectorProvider"/>) and blocks
/// meanwhile; await <see cref="GetDetectorAsync"/> first to avoid that.
/// </remarks>
public interface IAnomalyStreamRegistry
{
    /// <summary>Gets the name of the detector whose streams these are.</summary>
    string DetectorName { get; }

    /// <summary>Gets the number of series with a stream.</summary>
    int Count { get; }

    /// <summary>Gets the ids of the series with a stream, in ordinal order (a copy).</summary>
    IReadOnlyList<string> SeriesIds { get; }

    /// <summary>Gets the detector, loading or fitting it at the first request.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The detector.</returns>
    Task<FittedAnomalyDetector> GetDetectorAsync(CancellationToken cancellationToken = default);

    /// <summary>Detects the next point of a univariate series (see <see cref="DetectorStream.Observe(float)"/>).</summary>
    /// <param name="seriesId">The series; its stream is created at its first point.</param>
    /// <param name="value">The value; NaN when missing.</param>
    /// <returns>What was decided about the point.</returns>
    StreamPoint Observe(string seriesId, float value);

    /// <summary>Detects the next point of a univariate series, with its timestamp (see <see cref="DetectorStream.Observe(float, DateTimeOffset)"/>).</summary>
    /// <param name="seriesId">The series; its stream is created at its first point.</param>
    /// <param name="value">The value; NaN when missing.</param>
    /// <param name="timestamp">The point's timestamp; later than the series' last.</param>
    /// <returns>What was decided about the point.</returns>
    StreamPoint Observe(string seriesId, float value, DateTimeOffset timestamp);

    /// <summary>Detects the next point of a series (see <see cref="DetectorStream.Observe(ReadOnlySpan{float})"/>).</summary>
    /// <param name="seriesId">The series; its stream is created at its first point.</param>
    /// <param name="values">One value per feature; NaN where missing.</param>
    /// <returns>What was decided about the point.</returns>
    StreamPoint Observe(string seriesId, ReadOnlySpan<float> values);

    /// <summary>Detects the next point of a series, with its timestamp (see <see cref="DetectorStream.Observe(ReadOnlySpan{float}, DateTimeOffset)"/>).</summary>
    /// <param name="seriesId">The series; its stream is created at its first point.</param>
    /// <param name="values">One value per feature; NaN where missing.</param>
    /// <param name="timestamp">The point's timestamp; later than the series' last.</param>
    /// <returns>What was decided about the point.</returns>
    StreamPoint Observe(string seriesId, ReadOnlySpan<float> values, DateTimeOffset timestamp);

    /// <summary>Forgets a series: its next point starts a new stream. A point observed at the same time may be lost with it.</summary>
    /// <param name="seriesId">The series.</param>
    /// <returns>Whether the series had a stream.</returns>
    bool Remove(string seriesId);

    /// <summary>
    /// Writes the state of every stream to <paramref name="archive"/> as a zip archive, one entry per series. Each stream is
    /// saved under its lock, so points keep arriving meanwhile; a point observed during the snapshot is in it or not.
    /// </summary>
    /// <param name="archive">A writable stream, left open.</param>
    /// <returns>The number of series saved.</returns>
    int Snapshot(Stream archive);

    /// <summary>
    /// Writes the snapshot (see <see cref="Snapshot(Stream)"/>) to a file atomically: a temporary file in the same directory
    /// replaces <paramref name="path"/> once complete, so a crash leaves the previous snapshot.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <returns>The number of series saved.</returns>
    int Snapshot(string path);

    /// <summary>
    /// Restores the streams saved by <see cref="Snapshot(Stream)"/>: every series in the archive continues from its saved
    /// state, replacing its current stream; series not in the archive are left alone. All or nothing: when one state
    /// cannot be restored, nothing changes.
    /// </summary>
    /// <param name="archive">The archive, from its position; left open.</param>
    /// <returns>The number of series restored.</returns>
    /// <exception cref="InvalidDataException">
    /// The archive is damaged, or a state was saved by another detector (the message names the series and both detectors).
    /// </exception>
    int Restore(Stream archive);

    /// <summary>Restores the streams saved to a file by <see cref="Snapshot(string)"/> (see <see cref="Restore(Stream)"/>).</summary>
    /// <param name="path">The snapshot file.</param>
    /// <returns>The number of series restored.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The archive is damaged, or a state was saved by another detector.</exception>
    int Restore(string path);
}
