using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using GruAnomaly.Detection;
using GruAnomaly.Diagnostics;
using GruAnomaly.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GruAnomaly.Extensions.DependencyInjection.Tests;

/// <summary>The core library's meter and activities: what is counted, measured and traced, and through which meter.</summary>
public sealed class TelemetryTests(DetectorFixture fixture)
{
    private static ServiceProvider Metrics() => new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public void Fit_and_Detect_report_epochs_points_alarms_and_duration_to_the_meter_factory()
    {
        using ServiceProvider services = Metrics();
        IMeterFactory factory = services.GetRequiredService<IMeterFactory>();
        using var epochs = new MetricCollector<long>(factory, Telemetry.MeterName, Telemetry.EpochsCounter);
        using var points = new MetricCollector<long>(factory, Telemetry.MeterName, Telemetry.PointsCounter);
        using var alarms = new MetricCollector<long>(factory, Telemetry.MeterName, Telemetry.AlarmsCounter);
        using var duration = new MetricCollector<double>(factory, Telemetry.MeterName, Telemetry.DurationHistogram);

        FittedAnomalyDetector fitted = DetectorFixture.Configure(AnomalyDetector.CreateBuilder()).WithMeterFactory(factory).Build()
            .Fit(DetectorFixture.Training);
        Assert.Equal(fitted.History!.Epochs.Count, epochs.GetMeasurementSnapshot().EvaluateAsCounter());

        float[] test = Series.Test(400, seed: 5);
        DetectionResult result = fitted.Detect(test);
        Assert.NotEmpty(result.Alarms);
        Assert.Equal(test.Length, points.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(points.GetMeasurementSnapshot(), m => Assert.Equal(Telemetry.BatchMode, m.Tags[Telemetry.ModeTag]));
        Assert.Equal(result.Alarms.Count, alarms.GetMeasurementSnapshot().EvaluateAsCounter());
        CollectedMeasurement<double> call = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.True(call.Value > 0);
        Assert.Equal(Telemetry.BatchMode, call.Tags[Telemetry.ModeTag]);
    }

    [Fact]
    public void A_stream_reports_each_point_its_alarms_and_its_duration()
    {
        using ServiceProvider services = Metrics();
        IMeterFactory factory = services.GetRequiredService<IMeterFactory>();
        using var points = new MetricCollector<long>(factory, Telemetry.MeterName, Telemetry.PointsCounter);
        using var alarms = new MetricCollector<long>(factory, Telemetry.MeterName, Telemetry.AlarmsCounter);
        using var duration = new MetricCollector<double>(factory, Telemetry.MeterName, Telemetry.DurationHistogram);

        // A loaded detector reports to the factory of its load options.
        FittedAnomalyDetector fitted = FittedAnomalyDetector.Load(fixture.Path, new DetectorLoadOptions { MeterFactory = factory });
        DetectorStream stream = fitted.CreateStream();
        float[] test = Series.Test(400, seed: 5);
        int raised = test.Count(value => stream.Observe(value).IsAlarm);

        Assert.True(raised > 0);
        Assert.Equal(test.Length, points.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(raised, alarms.GetMeasurementSnapshot().EvaluateAsCounter());
        IReadOnlyList<CollectedMeasurement<double>> measured = duration.GetMeasurementSnapshot();
        Assert.Equal(test.Length, measured.Count);
        Assert.All(measured, m => Assert.Equal(Telemetry.StreamMode, m.Tags[Telemetry.ModeTag]));
        Assert.All(measured, m => Assert.True(m.Value >= 0));
    }

    [Fact]
    public void Without_a_factory_each_detector_has_a_meter_of_its_own_under_the_documented_name()
    {
        var meters = new ConcurrentDictionary<Meter, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Telemetry.MeterName && instrument.Name == Telemetry.PointsCounter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => meters.AddOrUpdate(instrument.Meter, value, (_, sum) => sum + value));
        listener.Start();

        FittedAnomalyDetector first = FittedAnomalyDetector.Load(fixture.Path);
        FittedAnomalyDetector second = FittedAnomalyDetector.Load(fixture.Path);
        float[] test = Series.Test(300, seed: 6);
        first.Detect(test);
        DetectorStream stream = second.CreateStream();
        foreach (float value in test[..50])
        {
            stream.Observe(value);
        }

        Assert.Contains(meters, m => m.Value == test.Length);
        Assert.Contains(meters, m => m.Value == 50);
    }

    [Fact]
    public void Fit_and_Detect_are_traced_with_the_series_shape_and_their_outcome()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Telemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);

        const int TrainingLength = 777, TestLength = 313;
        FittedAnomalyDetector fitted = DetectorFixture.Configure(AnomalyDetector.CreateBuilder()).Build().Fit(Series.Normal(TrainingLength, seed: 3));
        DetectionResult result = fitted.Detect(Series.Test(TestLength, seed: 4));
        Assert.Throws<ArgumentException>(() => fitted.Detect(new TimeSeries(new float[TestLength * 2], features: 2)));

        Activity fit = Assert.Single(stopped, a => a.OperationName == Telemetry.FitActivity && (int?)a.GetTagItem("gruanomaly.series.length") == TrainingLength);
        Assert.Equal(fitted.Window, fit.GetTagItem("gruanomaly.window"));
        Assert.Equal(ActivityStatusCode.Unset, fit.Status);
        Activity detect = Assert.Single(stopped, a => a.OperationName == Telemetry.DetectActivity && (int?)a.GetTagItem("gruanomaly.series.features") == 1
            && (int?)a.GetTagItem("gruanomaly.series.length") == TestLength);
        Assert.Equal(result.Alarms.Count, detect.GetTagItem("gruanomaly.alarms"));
        Assert.Equal(fitted.Scorer.Name, detect.GetTagItem("gruanomaly.scorer"));
        Activity failed = Assert.Single(stopped, a => a.OperationName == Telemetry.DetectActivity && (int?)a.GetTagItem("gruanomaly.series.features") == 2
            && (int?)a.GetTagItem("gruanomaly.series.length") == TestLength);
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
    }
}
