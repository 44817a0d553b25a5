// Fits the default anomaly detector on a training series, runs it on a test series and compares its alarms with the
// labels. With no argument it generates a labelled series itself (needs nothing outside the repository); with a CSV of the
// form index,<value columns...>,label,split (all value columns are read) it uses that file's train and test splits.
// Usage: dotnet run -c Release --project src/GruAnomaly.Example -- [file.csv]
using System.Globalization;
using GruAnomaly.Detection;
using GruAnomaly.Evaluation;
using GruAnomaly.Training;

TimeSeries training, test;
bool[] labels;
string name;
if (args.Length > 0)
{
    if (!File.Exists(args[0]))
    {
        Console.Error.WriteLine($"No file at {Path.GetFullPath(args[0])}; pass a CSV of the form index,<values...>,label,split.");
        return 1;
    }

    (training, test, labels) = LabelledCsv.Read(args[0]);
    name = Path.GetFileName(args[0]);
}
else
{
    (training, test, labels) = GeneratedSeries.Create(seed: 7);
    name = "a generated series (daily and weekly cycles, drift, noise; a spike, a level shift and a stopped cycle in the test part)";
}

int features = training.Features;
// Nothing is set: window, model size, epochs and smoothing are chosen from the training series, and fitted.Choices says how.
AnomalyDetector detector = AnomalyDetector.CreateBuilder().Build();
Console.WriteLine($"{name}: {training.Length} training points, {test.Length} test points, {features} features");
FittedAnomalyDetector fitted = await detector.FitAsync(training);
foreach (string choice in fitted.Choices.Automatic)
{
    Console.WriteLine($"  chosen: {choice}");
}

TrainingHistory history = fitted.History!;
Console.WriteLine($"trained {history.Epochs.Count} epochs ({history.StopReason}), {history.Elapsed.TotalSeconds:F1} s; threshold {fitted.Threshold.Name}");

DetectionResult result = fitted.Detect(test);
Console.WriteLine($"{result.Alarms.Count} alarms, {result.Events.Count} events, {result.FlaggedCount} flagged points:");
foreach (int t in result.Alarms)
{
    Console.WriteLine($"  alarm at test step {t}: surprise {result.Surprise[t]:F1} (likelihood {result.LikelihoodAt(t):F2})" +
        $"{(labels[t] ? "  [inside the labelled anomaly]" : string.Empty)}");
}

EarlyAlarmScore early = AnomalyMetrics.EarlyAlarm(labels, result.Alarms);
RangeDetectionScores ranges = AnomalyMetrics.RangeBased(labels, result.Flags);
bool[] scored = result.IsScored.ToArray();
double[] scores = [.. result.Scores.ToArray().Where((_, t) => scored[t])];
bool[] truth = [.. labels.Where((_, t) => scored[t])];
Console.WriteLine($"early-alarm score {early.NormalizedScore:F1} (0 = no alarm, 100 = perfect): {early.DetectedWindows}/{early.Windows} " +
    $"labelled windows caught, {early.FalseAlarms} false alarms, delay {early.MeanDelay:F0} steps");
Console.WriteLine($"range-based (Tatbul et al.): precision {ranges.Precision:F2}, recall {ranges.Recall:F2}, F1 {ranges.F1:F2}");
Console.WriteLine($"scores: ROC-AUC {AnomalyMetrics.RocAuc(truth, scores):F3}, average precision {AnomalyMetrics.AveragePrecision(truth, scores):F3}");
return 0;

/// <summary>Reads a labelled CSV of the shared datasets' layout into its train and test splits.</summary>
internal static class LabelledCsv
{
    public static (TimeSeries Training, TimeSeries Test, bool[] Labels) Read(string path)
    {
        string[][] rows = [.. File.ReadLines(path).Skip(1).Select(line => line.Split(','))];
        int features = rows[0].Length - 3;
        TimeSeries Split(string split)
        {
            string[][] part = [.. rows.Where(r => r[^1] == split)];
            var values = new float[part.Length, features];
            for (int t = 0; t < part.Length; t++)
            {
                for (int f = 0; f < features; f++)
                {
                    values[t, f] = float.Parse(part[t][1 + f], CultureInfo.InvariantCulture);
                }
            }

            return values;
        }

        return (Split("train"), Split("test"), [.. rows.Where(r => r[^1] == "test").Select(r => r[^2] == "1")]);
    }
}

/// <summary>A seeded series with a daily (48-step) and a weekly cycle, slow drift and noise; three labelled anomalies in its test part.</summary>
internal static class GeneratedSeries
{
    private const int TrainingLength = 4000;
    private const int TestLength = 2000;

    public static (TimeSeries Training, TimeSeries Test, bool[] Labels) Create(int seed)
    {
        var random = new Random(seed);
        var values = new float[TrainingLength + TestLength];
        for (int t = 0; t < values.Length; t++)
        {
            double noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[t] = (float)(Math.Sin(2 * Math.PI * t / 48) + (0.4 * Math.Sin(2 * Math.PI * t / 336)) + (t * 5e-5) + (0.1 * noise));
        }

        var labels = new bool[TestLength];
        void Inject(int start, int length, Func<int, float, float> change)
        {
            for (int t = start; t < start + length; t++)
            {
                values[TrainingLength + t] = change(t, values[TrainingLength + t]);
                labels[t] = true;
            }
        }

        Inject(400, 3, (_, v) => v + 2.5f);                                  // a spike
        Inject(900, 96, (_, v) => v + 1.2f);                                 // two days at a higher level
        float frozen = values[TrainingLength + 1500];
        Inject(1500, 96, (_, _) => frozen + (float)(0.1 * random.NextDouble()));   // the cycle stops for two days
        return (values[..TrainingLength], values[TrainingLength..], labels);
    }
}
