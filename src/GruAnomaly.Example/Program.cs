// Fits an anomaly detector on the training split of a labelled series, runs it on the test split and compares what it
// flags with the labels. Usage: dotnet run -c Release --project src/GruAnomaly.Example -- [file.csv] [column]
// The CSV has the layout of the shared labelled datasets: index,<value columns...>,label,split.
using System.Globalization;
using GruAnomaly.Detection;
using GruAnomaly.Evaluation;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

string path = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "space_shuttle", "TEK16.csv");
int column = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
if (!File.Exists(path))
{
    Console.Error.WriteLine($"No file at {Path.GetFullPath(path)}; pass a CSV of the form index,<values...>,label,split.");
    return 1;
}

var rows = File.ReadLines(path).Skip(1).Select(line => line.Split(',')).ToArray();
float[] Column(string split) =>
    [.. rows.Where(r => r[^1] == split).Select(r => float.Parse(r[1 + column], CultureInfo.InvariantCulture))];
bool[] labels = [.. rows.Where(r => r[^1] == "test").Select(r => r[^2] == "1")];
float[] training = Column("train"), test = Column("test");

AnomalyDetector detector = AnomalyDetector.CreateBuilder()
    .WithWindow(64)
    .WithModel(Model.Gru(hiddenSize: 32, layers: 2))
    .WithScorer(Scorer.Reconstruction())                                  // GRU encoder-decoder (EncDec-AD)
    .WithTrainer(new TrainerOptions { Epochs = 15, BatchSize = 32, LearningRate = 3e-3f, EarlyStoppingPatience = 4, Seed = 1 })
    .WithSmoothing(30)                                                    // telemanom-style EWMA of the errors
    .WithThreshold(Threshold.PeaksOverThreshold(riskLevel: 1e-2, initialQuantile: 0.95))
    .Build();

var progress = new Progress<TrainingProgress>(p =>
{
    if (p.Batch == p.Batches)
    {
        Console.WriteLine($"epoch {p.Epoch,2}: training reconstruction MSE {p.TrainingLoss:F4}, {p.ExamplesPerSecond:F0} windows/s");
    }
});

Console.WriteLine($"{Path.GetFileName(path)}: {training.Length} training points, {test.Length} test points, window 64");
FittedAnomalyDetector fitted = await detector.FitAsync(training, progress);
TrainingHistory history = fitted.History!;
Console.WriteLine($"stopped: {history.StopReason} after {history.Epochs.Count} epochs (best {history.BestEpoch}), {history.Elapsed.TotalSeconds:F1} s; " +
    $"threshold {fitted.Threshold.Threshold:F3} ({fitted.Threshold.Name}, from {fitted.CalibrationScores} training scores)");

DetectionResult result = fitted.Detect(test);
Console.WriteLine($"{result.FlaggedCount} points flagged in {result.Events.Count} events:");
foreach (AnomalyEvent e in result.Events)
{
    bool labelled = Enumerable.Range(e.Start, e.Length).Any(t => labels[t]);
    Console.WriteLine($"  test steps {e.Start}-{e.End}: peak score {e.PeakScore:F3} at {e.PeakIndex}" +
        $" (expected {result.ExpectedAt(e.PeakIndex)[0]:F3}, observed {test[e.PeakIndex]:F3}){(labelled ? "  [labelled anomaly]" : string.Empty)}");
}

bool[] scored = result.IsScored.ToArray();
bool[] flags = [.. result.Flags.ToArray().Where((_, t) => scored[t])];
bool[] truth = [.. labels.Where((_, t) => scored[t])];
double[] scores = [.. result.Scores.ToArray().Where((_, t) => scored[t])];
DetectionScores points = AnomalyMetrics.PointWise(truth, flags);
RangeDetectionScores ranges = AnomalyMetrics.RangeBased(truth, flags);
Console.WriteLine($"point-wise: precision {points.Precision:F2}, recall {points.Recall:F2}, F1 {points.F1:F2}");
Console.WriteLine($"range-based (Tatbul et al.): precision {ranges.Precision:F2}, recall {ranges.Recall:F2}, F1 {ranges.F1:F2}");
Console.WriteLine($"area under the PA%K F1 curve {AnomalyMetrics.PointAdjustedAtKCurve(truth, flags).Area:F2} " +
    $"(point-adjusted F1 {AnomalyMetrics.PointAdjusted(truth, flags).F1:F2} is optimistic)");
Console.WriteLine($"scores: ROC-AUC {AnomalyMetrics.RocAuc(truth, scores):F3}, average precision {AnomalyMetrics.AveragePrecision(truth, scores):F3}");

if (result.Events.Count > 0)
{
    AnomalyEvent strongest = result.Events.MaxBy(e => e.PeakScore);
    Explanation why = fitted.Explain(test, strongest.PeakIndex);
    int moment = Enumerable.Range(0, why.Window).MaxBy(s => Math.Abs(why.SaliencyAt(s, 0)));
    Console.WriteLine($"strongest alarm at test step {strongest.PeakIndex}: the input most responsible is step {why.WindowStart + moment} " +
        $"({strongest.PeakIndex - why.WindowStart - moment} steps earlier)");
}

return 0;
