// Fits the default anomaly detector on the training split of a labelled series, runs it on the test split and compares
// its alarms with the labels. Usage: dotnet run -c Release --project src/GruAnomaly.Example -- [file.csv]
// The CSV has the layout of the shared labelled datasets: index,<value columns...>,label,split (all value columns are read).
using System.Globalization;
using GruAnomaly.Detection;
using GruAnomaly.Evaluation;
using GruAnomaly.Training;

string path = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "ecg", "chfdb_chf01_275.csv");
if (!File.Exists(path))
{
    Console.Error.WriteLine($"No file at {Path.GetFullPath(path)}; pass a CSV of the form index,<values...>,label,split.");
    return 1;
}

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

TimeSeries training = Split("train"), test = Split("test");
bool[] labels = [.. rows.Where(r => r[^1] == "test").Select(r => r[^2] == "1")];

// Nothing is set: window, model size, epochs and smoothing are chosen from the training series, and fitted.Choices says how.
AnomalyDetector detector = AnomalyDetector.CreateBuilder().Build();
Console.WriteLine($"{Path.GetFileName(path)}: {training.Length} training points, {test.Length} test points, {features} features");
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
