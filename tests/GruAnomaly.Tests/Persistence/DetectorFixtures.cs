using System.Globalization;
using GruAnomaly.Detection;

namespace GruAnomaly.Tests.Persistence;

/// <summary>
/// The committed detector fixtures of <c>Fixtures/</c>: a detector file, a stream state saved after
/// <see cref="StreamSavedAt"/> points, and a CSV of what <c>Detect</c> reported on a series, one row per step.
/// </summary>
internal static class DetectorFixtures
{
    /// <summary>The points every committed stream state had observed.</summary>
    public const int StreamSavedAt = 200;

    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static Row[] ReadExpected(string name) =>
    [
        .. File.ReadAllLines(Path(name)).Skip(1).Select(line =>
        {
            string[] f = line.Split(',');
            return new Row(
                float.Parse(f[1], CultureInfo.InvariantCulture), f[2] == "1", double.Parse(f[3], CultureInfo.InvariantCulture),
                double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture),
                double.Parse(f[6], CultureInfo.InvariantCulture), float.Parse(f[7], CultureInfo.InvariantCulture), f[8] == "1");
        }),
    ];

    /// <summary>
    /// Writes a fixture set into the source tree: the detector, its stream state after <see cref="StreamSavedAt"/> points
    /// of <paramref name="series"/>, and what <c>Detect</c> reports on the whole series. A set whose detector file is
    /// committed already is left as it is (the test is skipped): fixtures record what an older library wrote.
    /// </summary>
    public static void Write(FittedAnomalyDetector detector, float[] series, string detectorFile, string streamFile, string expectedFile)
    {
        string folder = System.IO.Path.Combine(RepositoryRoot(), "tests", "GruAnomaly.Tests", "Fixtures");
        if (File.Exists(System.IO.Path.Combine(folder, detectorFile)))
        {
            Assert.Skip($"{detectorFile} exists; a fixture is written only where it is missing.");
        }

        DetectionResult result = detector.Detect(series);
        detector.Save(System.IO.Path.Combine(folder, detectorFile));

        DetectorStream stream = detector.CreateStream();
        for (int t = 0; t < StreamSavedAt; t++)
        {
            stream.Observe(series[t]);
        }

        using (FileStream state = File.Create(System.IO.Path.Combine(folder, streamFile)))
        {
            stream.Save(state);
        }

        var lines = new List<string> { "time,value,is_scored,raw_score,score,threshold,surprise,expected,is_alarm" };
        for (int t = 0; t < series.Length; t++)
        {
            lines.Add(string.Join(',',
                t.ToString(CultureInfo.InvariantCulture), series[t].ToString("R", CultureInfo.InvariantCulture), result.IsScored[t] ? "1" : "0",
                R(result.RawScores[t]), R(result.Scores[t]), R(result.Thresholds[t]), R(result.Surprise[t]),
                result.Expected[t].ToString("R", CultureInfo.InvariantCulture), result.IsAlarm[t] ? "1" : "0"));
        }

        File.WriteAllLines(System.IO.Path.Combine(folder, expectedFile), lines);

        static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string RepositoryRoot()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = System.IO.Path.GetDirectoryName(directory))
        {
            if (File.Exists(System.IO.Path.Combine(directory, "GruAnomaly.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException("The repository root (the folder of GruAnomaly.sln) is not above the test binaries.");
    }

    public readonly record struct Row(float Value, bool IsScored, double RawScore, double Score, double Threshold, double Surprise, float Expected, bool IsAlarm);
}
