using GruAnomaly.Detection;
using Microsoft.Extensions.DependencyInjection;

namespace GruAnomaly.Extensions.DependencyInjection.Tests;

/// <summary>The stream registry: concurrent series equal a single-threaded run; snapshots restore every series exactly, and only to their own detector.</summary>
public sealed class AnomalyStreamRegistryTests(DetectorFixture fixture)
{
    private const int SeriesCount = 12;
    private const int Length = 300;

    private ServiceProvider Container(string path) => new ServiceCollection()
        .AddAnomalyDetector("d", o => o.Path = path)
        .BuildServiceProvider();

    private static float[][] AllSeries() => [.. Enumerable.Range(0, SeriesCount).Select(s => Series.Test(Length, seed: 100 + s))];

    /// <summary>Each series through a stream of its own, one point after another on one thread.</summary>
    private static StreamPoint[][] SingleThreaded(FittedAnomalyDetector detector, float[][] series) =>
        [.. series.Select(values =>
        {
            DetectorStream stream = detector.CreateStream();
            return values.Select(v => stream.Observe(v)).ToArray();
        })];

    [Fact]
    public async Task Series_observed_on_many_threads_at_once_equal_a_single_threaded_run()
    {
        float[][] series = AllSeries();
        StreamPoint[][] expected = SingleThreaded(fixture.Detector, series);
        await using ServiceProvider services = Container(fixture.Path);
        IAnomalyStreamRegistry registry = services.GetRequiredKeyedService<IAnomalyStreamRegistry>("d");

        var actual = new StreamPoint[SeriesCount][];
        for (int s = 0; s < SeriesCount; s++)
        {
            actual[s] = new StreamPoint[Length];
        }

        // Every series' points in order, but the series interleaved over several threads, each point possibly on another thread.
        using var gate = new Barrier(4);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            gate.SignalAndWait();
            for (int s = worker; s < SeriesCount; s += 4)
            {
                for (int t = 0; t < Length; t++)
                {
                    actual[s][t] = registry.Observe($"series-{s}", series[s][t]);
                }
            }
        })));

        Assert.Equal(SeriesCount, registry.Count);
        for (int s = 0; s < SeriesCount; s++)
        {
            Assert.Equal(expected[s], actual[s]);
        }
    }

    [Fact]
    public async Task Points_of_one_series_from_several_threads_are_observed_one_at_a_time()
    {
        await using ServiceProvider services = Container(fixture.Path);
        IAnomalyStreamRegistry registry = services.GetRequiredKeyedService<IAnomalyStreamRegistry>("d");
        float[] values = Series.Test(Length, seed: 9);
        var times = new long[4 * Length];
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (int t = 0; t < Length; t++)
            {
                times[(worker * Length) + t] = registry.Observe("shared", values[t]).Time;
            }
        })));

        Assert.Equal(Enumerable.Range(0, 4 * Length).Select(t => (long)t), times.Order());
    }

    [Fact]
    public async Task A_snapshot_restored_after_a_restart_continues_every_series_as_if_nothing_had_stopped()
    {
        float[][] series = AllSeries();
        StreamPoint[][] expected = SingleThreaded(fixture.Detector, series);
        string snapshot = fixture.NewPath("streams.zip");
        const int Half = Length / 2;

        await using (ServiceProvider before = Container(fixture.Path))
        {
            IAnomalyStreamRegistry registry = before.GetRequiredKeyedService<IAnomalyStreamRegistry>("d");
            for (int s = 0; s < SeriesCount; s++)
            {
                for (int t = 0; t < Half; t++)
                {
                    registry.Observe($"series/{s} ü", series[s][t]);
                }
            }

            Assert.Equal(SeriesCount, registry.Snapshot(snapshot));
        }

        await using ServiceProvider after = Container(fixture.Path);
        IAnomalyStreamRegistry restored = after.GetRequiredKeyedService<IAnomalyStreamRegistry>("d");
        Assert.Equal(SeriesCount, restored.Restore(snapshot));
        Assert.Equal(Enumerable.Range(0, SeriesCount).Select(s => $"series/{s} ü").Order(StringComparer.Ordinal), restored.SeriesIds);
        for (int s = 0; s < SeriesCount; s++)
        {
            for (int t = Half; t < Length; t++)
            {
                Assert.Equal(expected[s][t], restored.Observe($"series/{s} ü", series[s][t]));
            }
        }

        // The archive can also go to any stream; an empty registry writes an empty archive.
        using var memory = new MemoryStream();
        Assert.Equal(SeriesCount, restored.Snapshot(memory));
        memory.Position = 0;
        await using ServiceProvider third = Container(fixture.Path);
        Assert.Equal(SeriesCount, third.GetRequiredKeyedService<IAnomalyStreamRegistry>("d").Restore(memory));
    }

    [Fact]
    public async Task Restore_refuses_the_states_of_another_detector_and_changes_nothing()
    {
        using var archive = new MemoryStream();
        await using (ServiceProvider services = Container(fixture.Path))
        {
            IAnomalyStreamRegistry registry = services.GetRequiredKeyedService<IAnomalyStreamRegistry>("d");
            foreach (float value in Series.Test(100, seed: 3))
            {
                registry.Observe("x", value);
            }

            registry.Snapshot(archive);
        }

        await using ServiceProvider other = Container(fixture.OtherPath);
        IAnomalyStreamRegistry otherRegistry = other.GetRequiredKeyedService<IAnomalyStreamRegistry>("d");
        otherRegistry.Observe("y", 0.5f);
        archive.Position = 0;
        InvalidDataException refused = Assert.Throws<InvalidDataException>(() => otherRegistry.Restore(archive));
        Assert.Contains("'x'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("different detector", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["y"], otherRegistry.SeriesIds);

        Assert.Throws<InvalidDataException>(() => otherRegistry.Restore(new MemoryStream([1, 2, 3, 4])));
    }

    [Fact]
    public async Task Remove_forgets_a_series()
    {
        await using ServiceProvider services = Container(fixture.Path);
        IAnomalyStreamRegistry registry = services.GetRequiredKeyedService<IAnomalyStreamRegistry>("d");
        await registry.GetDetectorAsync();
        registry.Observe("a", 1f);
        registry.Observe("a", 1f);
        Assert.True(registry.Remove("a"));
        Assert.False(registry.Remove("a"));
        Assert.Equal(0, registry.Observe("a", 1f).Time);
        Assert.Throws<ArgumentException>(() => registry.Observe(string.Empty, 1f));
    }
}
