// Trains a GRU forecaster on the training split of a labelled series and shows where its forecast errors on the
// test split are largest, next to the labels. Usage: dotnet run --project src/GruAnomaly.Example -- [file.csv] [column]
// The CSV has the layout of the shared labelled datasets: index,<value columns...>,label,split.
using System.Globalization;
using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

string path = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "space_shuttle", "TEK16.csv");
int column = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
if (!File.Exists(path))
{
    Console.Error.WriteLine($"No file at {Path.GetFullPath(path)}; pass a CSV of the form index,<values...>,label,split.");
    return 1;
}

var rows = File.ReadLines(path).Skip(1).Select(line => line.Split(',')).ToArray();
float[] values = [.. rows.Select(r => float.Parse(r[1 + column], CultureInfo.InvariantCulture))];
bool[] labels = [.. rows.Select(r => r[^2] == "1")];
int[] train = [.. Enumerable.Range(0, rows.Length).Where(i => rows[i][^1] == "train")];
int[] test = [.. Enumerable.Range(0, rows.Length).Where(i => rows[i][^1] == "test")];

// Standardize with the training split's statistics only.
double mean = train.Average(i => values[i]);
double std = Math.Sqrt(train.Average(i => (values[i] - mean) * (values[i] - mean)));
float[] Scaled(int[] indices) => [.. indices.Select(i => (float)((values[i] - mean) / std))];

const int window = 64;
var trainingData = WindowedSeries.Univariate(Scaled(train), window);
var network = RecurrentNetwork.CreateGru(inputSize: 1, hiddenSize: 32, layers: 2, outputSize: 1);
var trainer = new Trainer(new TrainerOptions { Epochs = 15, BatchSize = 32, LearningRate = 3e-3f, EarlyStoppingPatience = 4, Seed = 1 });
var progress = new Progress<TrainingProgress>(p =>
{
    if (p.Batch == p.Batches)
    {
        Console.WriteLine($"epoch {p.Epoch,2}: training MSE {p.TrainingLoss:F4}, {p.ExamplesPerSecond:F0} windows/s");
    }
});

Console.WriteLine($"{Path.GetFileName(path)}: {train.Length} training points, {test.Length} test points, window {window}");
TrainingResult result = trainer.Fit(network, network.CreateParameters(seed: 1), trainingData, progress);
Console.WriteLine($"stopped: {result.History.StopReason}, best epoch {result.History.BestEpoch}, " +
    $"validation MSE {result.History.Epochs[result.History.BestEpoch - 1].ValidationLoss:F4}, {result.History.Elapsed.TotalSeconds:F1} s");

// Forecast every test point from the window before it; the squared error is a first anomaly score.
var testData = WindowedSeries.Univariate(Scaled(test), window);
var workspace = network.CreateWorkspace();
var inputs = new float[window * testData.Count];
var targets = new float[testData.Count];
for (int i = 0; i < testData.Count; i++)
{
    testData.WriteInputs(i, inputs, testData.Count, i);
    testData.WriteTargets(i, targets, testData.Count, i);
}

network.Infer(result.Parameters.Span, inputs, window, testData.Count, workspace);
double[] errors = [.. Enumerable.Range(0, testData.Count).Select(i => Math.Pow(workspace.Outputs[i] - targets[i], 2))];
double naive = Enumerable.Range(0, testData.Count).Average(i => Math.Pow(inputs[((window - 1) * testData.Count) + i] - targets[i], 2));
Console.WriteLine($"test forecast MSE {errors.Average():F4} (repeat-last-value {naive:F4})");

int top = Math.Max(1, errors.Length / 100);
int[] worst = [.. Enumerable.Range(0, errors.Length).OrderByDescending(i => errors[i]).Take(top)];
int labelled = worst.Count(i => labels[test[i + window]]);
double baseRate = Enumerable.Range(window, test.Length - window).Average(i => labels[test[i]] ? 1.0 : 0.0);
Console.WriteLine($"largest 1% of errors ({top} points): {labelled} inside labelled anomalies (base rate {baseRate:P1})");
foreach (int i in worst.Take(5))
{
    Console.WriteLine($"  index {rows[test[i + window]][0],6}: squared error {errors[i]:F3}{(labels[test[i + window]] ? "  [labelled anomaly]" : string.Empty)}");
}

return 0;
