namespace GruAnomaly.Diagnostics;

/// <summary>
/// The names under which GruAnomaly reports metrics (<see cref="System.Diagnostics.Metrics"/>) and traces
/// (<see cref="System.Diagnostics.ActivitySource"/>), for example to enable them in OpenTelemetry:
/// <c>metrics.AddMeter(Telemetry.MeterName)</c> and <c>tracing.AddSource(Telemetry.ActivitySourceName)</c>.
/// </summary>
/// <remarks>
/// <para>
/// A detector built with <see cref="Detection.AnomalyDetectorBuilder.WithMeterFactory"/> (or loaded with
/// <see cref="Persistence.DetectorLoadOptions.MeterFactory"/>) creates its meter through that factory, which shares one
/// meter per name among all its detectors and disposes it with itself (the dependency-injection container's factory
/// does). Without a factory, each built or loaded detector creates a meter of its own, under the same name, which stays
/// registered for the life of the process; its fitted detectors and their streams share it. The activity source is
/// created likewise, one per built or loaded detector.
/// </para>
/// <para>
/// Recording costs nothing measurable while no listener is attached, and allocates nothing per stream point either way
/// (the stream allocation tests run with a listener attached).
/// </para>
/// </remarks>
public static class Telemetry
{
    /// <summary>The name of the meter: <c>GruAnomaly</c>.</summary>
    public const string MeterName = "GruAnomaly";

    /// <summary>The name of the activity source: <c>GruAnomaly</c>.</summary>
    public const string ActivitySourceName = "GruAnomaly";

    /// <summary>
    /// The counter of points detected (<c>{point}</c>): every time step of a series given to
    /// <see cref="Detection.FittedAnomalyDetector.Detect"/>, and every point a <see cref="Detection.DetectorStream"/>
    /// observes, warm-up included; tagged with <see cref="ModeTag"/>.
    /// </summary>
    public const string PointsCounter = "gruanomaly.detector.points";

    /// <summary>The counter of alarms raised (<c>{alarm}</c>), by <c>Detect</c> and by streams; tagged with <see cref="ModeTag"/>.</summary>
    public const string AlarmsCounter = "gruanomaly.detector.alarms";

    /// <summary>The counter of training epochs completed while fitting detectors (<c>{epoch}</c>), every model of a fusion counted.</summary>
    public const string EpochsCounter = "gruanomaly.training.epochs";

    /// <summary>
    /// The histogram of scoring time in seconds (<c>s</c>): one measurement per <c>Detect</c> call (mode <c>batch</c>) and one
    /// per stream point (mode <c>stream</c>); tagged with <see cref="ModeTag"/>.
    /// </summary>
    public const string DurationHistogram = "gruanomaly.detector.duration";

    /// <summary>The tag that says how points were detected: <see cref="BatchMode"/> or <see cref="StreamMode"/>.</summary>
    public const string ModeTag = "gruanomaly.mode";

    /// <summary>The value of <see cref="ModeTag"/> for <see cref="Detection.FittedAnomalyDetector.Detect"/>: <c>batch</c>.</summary>
    public const string BatchMode = "batch";

    /// <summary>The value of <see cref="ModeTag"/> for <see cref="Detection.DetectorStream"/>: <c>stream</c>.</summary>
    public const string StreamMode = "stream";

    /// <summary>
    /// The activity of <see cref="Detection.AnomalyDetector.Fit"/>: <c>GruAnomaly.Fit</c>, with tags
    /// <c>gruanomaly.series.length</c>, <c>gruanomaly.series.features</c>, <c>gruanomaly.scorer</c>, and on success
    /// <c>gruanomaly.window</c> and <c>gruanomaly.threshold</c>; its status is Error when fitting throws.
    /// </summary>
    public const string FitActivity = "GruAnomaly.Fit";

    /// <summary>
    /// The activity of <see cref="Detection.FittedAnomalyDetector.Detect"/>: <c>GruAnomaly.Detect</c>, with tags
    /// <c>gruanomaly.series.length</c>, <c>gruanomaly.series.features</c>, <c>gruanomaly.scorer</c>, and on success
    /// <c>gruanomaly.alarms</c> and <c>gruanomaly.events</c>; its status is Error when detection throws. Streams record no
    /// activity per point.
    /// </summary>
    public const string DetectActivity = "GruAnomaly.Detect";
}
