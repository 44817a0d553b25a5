using GruAnomaly.Cli.Commands.Demo;

namespace GruAnomaly.Tests.Cli;

public sealed class DemoCommandTests
{
    [Fact]
    public void The_generated_series_is_seeded_and_its_anomalies_lie_apart_in_the_test_part()
    {
        DemoSeries a = DemoSeries.Create(DemoSeries.MinimumLength, seed: 3);
        DemoSeries b = DemoSeries.Create(DemoSeries.MinimumLength, seed: 3);
        DemoSeries other = DemoSeries.Create(DemoSeries.MinimumLength, seed: 4);

        Assert.Equal(a.Values, b.Values);
        Assert.NotEqual(a.Values, other.Values);
        Assert.Equal(7, a.Anomalies.Select(x => x.Kind).Distinct().Count());
        for (int i = 0; i < a.Anomalies.Count; i++)
        {
            InjectedAnomaly anomaly = a.Anomalies[i];
            Assert.InRange(anomaly.Start, 1, anomaly.End);
            Assert.InRange(anomaly.End, anomaly.Start, a.Test.Length - 1);
            Assert.True(i == 0 || anomaly.Start > a.Anomalies[i - 1].End + 1, $"{anomaly.Kind} touches the anomaly before it");
            Assert.False(string.IsNullOrEmpty(anomaly.Description));
        }

        Assert.Equal(a.Anomalies.Sum(x => x.Length), a.Labels.Count(l => l));
        Assert.Equal(a.Training.Length + a.Test.Length, a.Values.Length);
        Assert.Equal(DayOfWeek.Monday, a.Timestamps[0].DayOfWeek);
    }

    [Fact]
    public void Demo_fits_detects_reports_and_plots()
    {
        using var folder = new TempFolder();
        string png = Path.Combine(folder.Path, "plots", "demo.png");

        (int exitCode, string output, string error) = CliRun.Invoke("demo", "--length", DemoSeries.MinimumLength.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "3", "--output", png);

        Assert.True(exitCode == 0, error);
        Assert.Contains("epoch 1/", output, StringComparison.Ordinal);
        Assert.Contains("chosen: window", output, StringComparison.Ordinal);
        Assert.Contains("Labelled anomalies and the events found", output, StringComparison.Ordinal);
        foreach (string kind in new[] { "spike", "level shift", "stuck sensor", "variance burst", "missing evening peak", "outage", "slow ramp" })
        {
            Assert.Contains(kind, output, StringComparison.Ordinal);
        }

        Assert.Contains("labelled windows caught", output, StringComparison.Ordinal);
        Assert.Contains("event-wise precision", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal);
        byte[] image = File.ReadAllBytes(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image[..4]);
        Assert.True(image.Length > 20_000, $"the plot has only {image.Length} bytes");
    }

    [Fact]
    public void A_length_below_four_weeks_is_a_usage_error()
    {
        (int exitCode, _, string error) = CliRun.Invoke("demo", "--length", "100");

        Assert.Equal(2, exitCode);
        Assert.Contains("--length must be at least 1344", error, StringComparison.Ordinal);
    }
}
