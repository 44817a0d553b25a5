using GruAnomaly.Cli;
using GruAnomaly.Cli.Commands.Train;
using GruAnomaly.Cli.Csv;
using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Cli;

public sealed class TrainCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Train_reports_progress_and_choices_and_saves_a_loadable_model()
    {
        string training = _folder.Write("train.csv", CliData.Series(400));
        string model = Path.Combine(_folder.Path, "models", "model.gad");

        (int exitCode, string output, string error) = CliRun.Invoke(["train", "-i", training, "-o", model, .. CliData.TinyModel, "--scorer", "forecast", "--threshold", "quantile:0.99"]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("Read 400 points of column 'value', without timestamps", output, StringComparison.Ordinal);
        Assert.Contains("epoch 1/1: loss ", output, StringComparison.Ordinal);
        Assert.Contains("chosen: smoothing: EWMA span 8", output, StringComparison.Ordinal);
        Assert.Contains("scorer forecast", output, StringComparison.Ordinal);
        Assert.Contains("window 16", output, StringComparison.Ordinal);
        Assert.Contains($"Saved the detector to {model}", output, StringComparison.Ordinal);
        FittedAnomalyDetector fitted = FittedAnomalyDetector.Load(model);
        Assert.Equal((16, "GRU(4)×1", 1), (fitted.Window, fitted.Choices.Model.Name, fitted.Choices.Trainer.Epochs));
        Assert.StartsWith("Quantile", fitted.Threshold.Name, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_seed_alone_keeps_the_automatic_trainer_and_model()
    {
        TimeSeries series = CsvSeriesReader.ReadText(CliData.Series(400), "train.csv").ToTimeSeries();
        // A baseline trains nothing, and the automatic trainer options do not depend on the scorer.
        FitChoices expected = AnomalyDetector.CreateBuilder().WithWindow(16).WithScorer(Scorer.RollingZScore()).Build().Fit(series).Choices;

        AnomalyDetector seeded = TrainCommand.Configure(Arguments(window: 16, seed: 5, layers: 2), series, Scorer.RollingZScore(), Threshold.Automatic());

        Assert.Null(seeded.Settings.Trainer);
        Assert.Equal(5, seeded.Settings.Seed);
        // Optimizers compare by reference, so the options are compared as written out.
        Assert.Equal((expected.Trainer with { Seed = 5 }).ToString(), seeded.Fit(series).Choices.Trainer.ToString());
        Assert.Same(Loss.GaussianNll, seeded.Settings.Loss);
        // --layers alone keeps the automatic width (16 units below 2000 points).
        Assert.Equal("GRU(16)×2", seeded.Settings.Model!.Name);
    }

    [Fact]
    public void Epochs_keep_the_rest_of_the_automatic_trainer()
    {
        TimeSeries series = CsvSeriesReader.ReadText(CliData.Series(400), "train.csv").ToTimeSeries();
        FitChoices expected = AnomalyDetector.CreateBuilder().WithWindow(16).WithScorer(Scorer.RollingZScore()).Build().Fit(series).Choices;

        AnomalyDetector configured = TrainCommand.Configure(Arguments(window: 16, epochs: 3, seed: 2), series, Scorer.RollingZScore(), Threshold.Automatic());

        Assert.Equal((expected.Trainer with { Epochs = 3, Seed = 2 }).ToString(), configured.Settings.Trainer!.ToString());
    }

    [Fact]
    public void Options_left_out_stay_automatic()
    {
        TimeSeries series = CsvSeriesReader.ReadText(CliData.Series(400), "train.csv").ToTimeSeries();

        AnomalyDetector detector = TrainCommand.Configure(Arguments(), series, Scorer.Default(), Threshold.Automatic());

        Assert.Null(detector.Settings.Window);
        Assert.Null(detector.Settings.Model);
        Assert.Null(detector.Settings.Trainer);
    }

    [Theory]
    [InlineData("automatic", "Automatic")]
    [InlineData("automatic:0.001", "Automatic")]
    [InlineData("pot:1e-3", "PeaksOverThreshold")]
    [InlineData("spot:0.001", "PeaksOverThreshold")]
    [InlineData("quantile:0.99", "Quantile")]
    [InlineData("mean-sigma:4", "MeanPlusSigma")]
    [InlineData("median-mad", "MedianPlusMad")]
    [InlineData("budget:0.001", "FalseAlarmBudget")]
    [InlineData("fixed:3", "Fixed")]
    public void Threshold_forms_name_the_library_strategies(string form, string type) =>
        Assert.StartsWith(type, DetectorSpecs.Threshold(form).GetType().Name, StringComparison.Ordinal);

    [Theory]
    [InlineData("default")]
    [InlineData("forecast")]
    [InlineData("reconstruction")]
    [InlineData("carried-state")]
    [InlineData("naive")]
    [InlineData("rolling-z")]
    [InlineData("windowed-gaussian")]
    [InlineData("sliding-neighbour")]
    public void Every_scorer_name_is_known(string name) => Assert.NotNull(DetectorSpecs.Scorer(name));

    [Theory]
    [InlineData("--scorer", "lstm", "--scorer 'lstm' is unknown; use one of default, forecast,")]
    [InlineData("--threshold", "quantile", "--threshold 'quantile' needs a number after a colon")]
    [InlineData("--threshold", "quantile:2", "--threshold 'quantile:2': ")]
    [InlineData("--threshold", "pot:x", "'x' is not a number")]
    [InlineData("--threshold", "magic", "--threshold 'magic' is unknown")]
    [InlineData("--window", "0", "--window must be at least 1; got 0.")]
    public void Bad_options_are_usage_errors(string option, string value, string message)
    {
        string training = _folder.Write("train.csv", CliData.Series(100));

        (int exitCode, _, string error) = CliRun.Invoke("train", "-i", training, "-o", Path.Combine(_folder.Path, "m.gad"), option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "m.gad")));
    }

    [Fact]
    public void A_bad_cell_or_a_short_series_names_the_file()
    {
        string bad = _folder.Write("bad.csv", "value\n1\n2\nx\n");
        string shortSeries = _folder.Write("short.csv", CliData.Series(20));
        string model = Path.Combine(_folder.Path, "m.gad");

        (int badCode, _, string badError) = CliRun.Invoke("train", "-i", bad, "-o", model);
        (int shortCode, _, string shortError) = CliRun.Invoke(["train", "-i", shortSeries, "-o", model, .. CliData.TinyModel]);

        Assert.Equal((2, 2), (badCode, shortCode));
        Assert.Contains("bad.csv: line 4, column 'value': 'x' is not a number.", badError, StringComparison.Ordinal);
        Assert.Contains("short.csv: The training series has 20 time steps", shortError, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public async Task Cancelling_during_training_exits_with_130_and_writes_no_model()
    {
        string training = _folder.Write("train.csv", CliData.Series(400));
        string model = Path.Combine(_folder.Path, "m.gad");
        using var cancellation = new CancellationTokenSource();
        // Ctrl+C as the first epoch's line appears: deterministic, unlike a timer.
        using var output = new CancellingWriter("epoch 1/", cancellation);
        using var error = new StringWriter();

        int exitCode = await CliApp.RunAsync(["train", "-i", training, "-o", model, "--epochs", "50", "--hidden-size", "4", "--window", "16"],
            output, error, rich: false, cancellationToken: cancellation.Token);

        Assert.Equal(130, exitCode);
        Assert.Contains("cancelled", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 3/", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder.Path, "m.gad*"));
    }

    private static TrainArguments Arguments(int? window = null, int? seed = null, int? layers = null, int? epochs = null) =>
        new("train.csv", "m.gad", new CsvReadOptions(), window, null, layers, epochs, "default", "automatic", seed);

    /// <summary>A captured output that cancels a token when a text is written, as a user pressing Ctrl+C on seeing it.</summary>
    private sealed class CancellingWriter(string trigger, CancellationTokenSource cancellation) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.Contains(trigger, StringComparison.Ordinal))
            {
                cancellation.Cancel();
            }
        }
    }
}
