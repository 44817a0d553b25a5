using System.Diagnostics.Metrics;
using GruAnomaly.Detection;
using GruAnomaly.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GruAnomaly.Extensions.DependencyInjection.Tests;

/// <summary>Named detectors in a container: loaded, or fitted once at first use and saved; options validated; the container's logger and meter used.</summary>
public sealed class AddAnomalyDetectorTests(DetectorFixture fixture)
{
    [Fact]
    public async Task A_detector_is_fitted_once_at_first_use_with_the_containers_logger_saved_and_loaded_after_a_restart()
    {
        string path = fixture.NewPath("fitted.gad");
        var logs = new ListLoggerProvider();
        int fits = 0;
        ServiceProvider Container() => new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs))
            .AddAnomalyDetector("cpu", o =>
            {
                o.Path = path;
                o.ConfigureBuilder = b => DetectorFixture.Configure(b);
                o.TrainingData = (_, _) =>
                {
                    Interlocked.Increment(ref fits);
                    return Task.FromResult(DetectorFixture.Training);
                };
            })
            .BuildServiceProvider();

        FittedAnomalyDetector fitted;
        await using (ServiceProvider services = Container())
        {
            IAnomalyDetectorProvider provider = services.GetRequiredService<IAnomalyDetectorProvider>();
            FittedAnomalyDetector[] all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => provider.GetDetectorAsync("cpu"))));
            fitted = all[0];
            Assert.All(all, d => Assert.Same(fitted, d));
            Assert.Equal(1, fits);
            Assert.True(File.Exists(path));
            Assert.Equal(["cpu"], provider.Names);
            Assert.Contains(logs.Messages, m => m.Category == typeof(AnomalyDetector).FullName && m.Message.StartsWith("Fitting detector", StringComparison.Ordinal));
        }

        await using (ServiceProvider services = Container())
        {
            FittedAnomalyDetector loaded = services.GetRequiredService<IAnomalyDetectorProvider>().GetDetector("cpu");
            Assert.Equal(1, fits); // loaded from the file this time
            float[] test = Series.Test(300, seed: 8);
            Assert.Equal(fitted.Detect(test).Scores.ToArray(), loaded.Detect(test).Scores.ToArray());
        }
    }

    [Fact]
    public async Task A_detector_loaded_from_a_file_reports_to_the_containers_meter_factory()
    {
        await using ServiceProvider services = new ServiceCollection()
            .AddMetrics()
            .AddAnomalyDetector("cpu", o => o.Path = fixture.Path)
            .BuildServiceProvider();
        using var points = new MetricCollector<long>(services.GetRequiredService<IMeterFactory>(), Telemetry.MeterName, Telemetry.PointsCounter);

        IAnomalyStreamRegistry registry = services.GetRequiredKeyedService<IAnomalyStreamRegistry>("cpu");
        for (int t = 0; t < 30; t++)
        {
            registry.Observe("a", MathF.Sin(t));
        }

        Assert.Equal(30, points.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal("cpu", registry.DetectorName);
    }

    [Fact]
    public async Task Invalid_options_are_all_reported_and_an_unknown_name_is_refused()
    {
        await using ServiceProvider services = new ServiceCollection()
            .AddAnomalyDetector("empty", o => o.ConfigureBuilder = _ => { })
            .AddAnomalyDetector("missing", o => o.Path = fixture.NewPath("never-written.gad"))
            .BuildServiceProvider();
        IAnomalyDetectorProvider provider = services.GetRequiredService<IAnomalyDetectorProvider>();

        OptionsValidationException invalid = await Assert.ThrowsAsync<OptionsValidationException>(() => provider.GetDetectorAsync("empty"));
        Assert.Equal(2, invalid.Failures.Count());
        Assert.Contains("'empty'", invalid.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<FileNotFoundException>(() => provider.GetDetectorAsync("missing"));
        ArgumentException unknown = await Assert.ThrowsAsync<ArgumentException>(() => provider.GetDetectorAsync("nope"));
        Assert.Contains("'empty', 'missing'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_load_is_tried_again_at_the_next_request()
    {
        string path = fixture.NewPath("later.gad");
        await using ServiceProvider services = new ServiceCollection()
            .AddAnomalyDetector("later", o => o.Path = path)
            .BuildServiceProvider();
        IAnomalyDetectorProvider provider = services.GetRequiredService<IAnomalyDetectorProvider>();

        await Assert.ThrowsAsync<FileNotFoundException>(() => provider.GetDetectorAsync("later"));
        File.Copy(fixture.Path, path);
        FittedAnomalyDetector loaded = await provider.GetDetectorAsync("later");
        Assert.Equal(fixture.Detector.Window, loaded.Window);
    }
}
