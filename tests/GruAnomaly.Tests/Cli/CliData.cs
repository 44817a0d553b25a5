using System.Globalization;
using System.Text;

namespace GruAnomaly.Tests.Cli;

/// <summary>Small series for the command tests: a daily sine with noise, spikes where asked, as CSV text.</summary>
internal static class CliData
{
    /// <summary>The options of a model that trains in well under a second.</summary>
    public static readonly string[] TinyModel = ["--epochs", "1", "--hidden-size", "4", "--window", "16"];

    public static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Hourly points from <paramref name="first"/> on, with +4 added at the given points.</summary>
    public static string Series(int length, int first = 0, bool timestamps = false, params int[] spikes)
    {
        var random = new Random(first + 1);
        var text = new StringBuilder(timestamps ? "timestamp,value\n" : "value\n");
        for (int i = 0; i < length; i++)
        {
            int t = first + i;
            double value = Math.Sin(2 * Math.PI * t / 24) + (0.1 * ((random.NextDouble() * 2) - 1)) + (spikes.Contains(i) ? 4 : 0);
            if (timestamps)
            {
                text.Append(Start.AddHours(t).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',');
            }

            text.Append(value.ToString("F4", CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Trains the tiny model on 400 points and returns its file.</summary>
    public static string TrainTiny(TempFolder folder, bool timestamps = false, params string[] options)
    {
        string training = folder.Write("train.csv", Series(400, timestamps: timestamps));
        string model = Path.Combine(folder.Path, "model.gad");
        (int exitCode, _, string error) = CliRun.Invoke(["train", "--input", training, "--output", model, .. TinyModel, .. options]);
        Assert.True(exitCode == 0, error);
        return model;
    }

    /// <summary>The data lines of CSV output: without the header and blank lines.</summary>
    public static string[] DataLines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("index", StringComparison.Ordinal) && !l.StartsWith("timestamp", StringComparison.Ordinal))];
}
