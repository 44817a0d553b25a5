using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using GruAnomaly.Training;

namespace GruAnomaly.Diagnostics;

/// <summary>
/// One detector's meter, instruments and activity source (see <see cref="Telemetry"/> for the names and who owns the
/// meter). Shared by an <see cref="Detection.AnomalyDetector"/>, the detectors it fits and their streams; thread-safe.
/// </summary>
internal sealed class DetectorTelemetry
{
    private readonly Counter<long> _points;
    private readonly Counter<long> _alarms;
    private readonly Counter<long> _epochs;
    private readonly Histogram<double> _duration;
    private readonly KeyValuePair<string, object?> _batch = new(Telemetry.ModeTag, Telemetry.BatchMode);
    private readonly KeyValuePair<string, object?> _stream = new(Telemetry.ModeTag, Telemetry.StreamMode);

    private DetectorTelemetry(Meter meter, ActivitySource source)
    {
        Meter = meter;
        Source = source;
        _points = meter.CreateCounter<long>(Telemetry.PointsCounter, "{point}",
            "Points detected: every time step given to Detect, every point a stream observes.");
        _alarms = meter.CreateCounter<long>(Telemetry.AlarmsCounter, "{alarm}", "Alarms raised by Detect and by streams.");
        _epochs = meter.CreateCounter<long>(Telemetry.EpochsCounter, "{epoch}", "Training epochs completed while fitting detectors.");
        _duration = meter.CreateHistogram(Telemetry.DurationHistogram, "s",
            "Time to score one Detect call (mode batch) or one stream point (mode stream).", tags: null,
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
    }

    /// <summary>Gets the meter the instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary>Gets the source of the Fit and Detect activities.</summary>
    public ActivitySource Source { get; }

    /// <summary>Creates the meter through <paramref name="meterFactory"/> when given, otherwise one of its own; and an activity source.</summary>
    public static DetectorTelemetry Create(IMeterFactory? meterFactory)
    {
        string? version = typeof(DetectorTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var options = new MeterOptions(Telemetry.MeterName) { Version = version };
        Meter meter = meterFactory?.Create(options) ?? new Meter(options);
        return new DetectorTelemetry(meter, new ActivitySource(Telemetry.ActivitySourceName, version));
    }

    /// <summary>Gets a timestamp to measure a stream point from, or 0 when nobody listens to the duration.</summary>
    public long StartPoint() => _duration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records one stream point: its count, its alarm and the time since <paramref name="started"/>. Allocates nothing.</summary>
    public void PointObserved(long started, bool alarm)
    {
        _points.Add(1, _stream);
        if (alarm)
        {
            _alarms.Add(1, _stream);
        }

        if (started != 0)
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _stream);
        }
    }

    /// <summary>
    /// Records one step of a batch of streams: its points and alarms, and for each point the step's time since
    /// <paramref name="started"/> divided by the points (the series share one matrix product). Allocates nothing.
    /// </summary>
    public void BatchStepObserved(long started, int points, int alarms)
    {
        _points.Add(points, _stream);
        if (alarms > 0)
        {
            _alarms.Add(alarms, _stream);
        }

        if (started != 0)
        {
            double perPoint = Stopwatch.GetElapsedTime(started).TotalSeconds / points;
            for (int i = 0; i < points; i++)
            {
                _duration.Record(perPoint, _stream);
            }
        }
    }

    /// <summary>Records one <c>Detect</c> call: the points, the alarms and the time since <paramref name="started"/>.</summary>
    public void Detected(long started, int points, int alarms)
    {
        _points.Add(points, _batch);
        if (alarms > 0)
        {
            _alarms.Add(alarms, _batch);
        }

        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _batch);
    }

    /// <summary>
    /// Wraps <paramref name="progress"/> to count every completed epoch (the last batch of an epoch reported), when
    /// anyone listens to the epoch counter; otherwise returns it unchanged.
    /// </summary>
    public IProgress<TrainingProgress>? CountingEpochs(IProgress<TrainingProgress>? progress) =>
        _epochs.Enabled ? new EpochCounter(_epochs, progress) : progress;

    /// <summary>Starts an activity with the series' shape and the scorer's name, or returns null when nobody listens.</summary>
    public Activity? StartActivity(string name, int length, int features, string scorer)
    {
        Activity? activity = Source.StartActivity(name, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gruanomaly.series.length", length);
            activity.SetTag("gruanomaly.series.features", features);
            activity.SetTag("gruanomaly.scorer", scorer);
        }

        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> as failed by <paramref name="exception"/>.</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag("error.type", exception.GetType().FullName);
        }
    }

    /// <summary>Counts the epochs of the progress it forwards.</summary>
    private sealed class EpochCounter(Counter<long> epochs, IProgress<TrainingProgress>? inner) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Batch == value.Batches)
            {
                epochs.Add(1);
            }

            inner?.Report(value);
        }
    }
}
