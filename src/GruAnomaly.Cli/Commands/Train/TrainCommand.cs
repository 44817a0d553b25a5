using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GruAnomaly.Cli.Commands.Shared;
using GruAnomaly.Cli.Csv;
using GruAnomaly.Cli.Progress;
using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Cli.Commands.Train;

/// <summary>
/// <c>gru-anomaly train</c>: fits a detector on a CSV of (mostly normal) points with a live progress display, prints
/// what it chose and saves it (<see cref="FittedAnomalyDetector.Save(string)"/>) for <c>detect</c> and <c>stream</c>.
/// Every option left out keeps the library's automatic choice.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="terminal">Where it writes.</param>
    /// <returns>The command, ready to add to the root.</returns>
    public static Command Create(Terminal terminal)
    {
        var input = new Option<string>("--input", "-i") { Description = "CSV of training points, mostly normal.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The model file to write (for example model.gad).", Required = true };
        var series = new SeriesOptions();
        var window = Positive(new Option<int?>("--window") { Description = "Points of context the model reads; by default from the series' dominant period." });
        var hidden = Positive(new Option<int?>("--hidden-size") { Description = "Units per GRU layer; by default 16, 32 or 64 by the series' length." });
        var layers = Positive(new Option<int?>("--layers") { Description = "Stacked GRU layers; by default 1." });
        var epochs = Positive(new Option<int?>("--epochs") { Description = "Most training epochs (early stopping may end sooner); by default 10 to 50 by the number of windows." });
        var scorer = new Option<string>("--scorer")
        {
            Description = "How points are scored: " + string.Join("; ", DetectorSpecs.Scorers.Select(s => $"{s.Name} = {s.Meaning}")) + ".",
            DefaultValueFactory = _ => "default",
        };
        var threshold = new Option<string>("--threshold")
        {
            Description = "The threshold strategy: " + DetectorSpecs.ThresholdForms + ".",
            DefaultValueFactory = _ => "automatic",
        };
        var seed = new Option<int?>("--seed") { Description = "Seed of the weights' initialization and the shuffling; by default 0." };
        var command = new Command("train", "Fit a detector on a CSV of mostly normal points and save it for detect and stream.")
        {
            input,
            output,
            window,
            hidden,
            layers,
            epochs,
            scorer,
            threshold,
            seed,
        };
        series.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(terminal, new TrainArguments(
            parse.GetValue(input)!,
            parse.GetValue(output)!,
            series.Read(parse),
            parse.GetValue(window),
            parse.GetValue(hidden),
            parse.GetValue(layers),
            parse.GetValue(epochs),
            parse.GetValue(scorer)!,
            parse.GetValue(threshold)!,
            parse.GetValue(seed)), cancellationToken));
        return command;
    }

    /// <summary>Fits and saves.</summary>
    /// <param name="terminal">Where it writes.</param>
    /// <param name="arguments">What the command line asked.</param>
    /// <param name="cancellationToken">Cancels fitting; nothing is written then.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(Terminal terminal, TrainArguments arguments, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        IAnomalyScorer scorer = DetectorSpecs.Scorer(arguments.Scorer);
        IThresholdStrategy threshold = DetectorSpecs.Threshold(arguments.Threshold);
        CsvTable table = CsvSeriesReader.Read(arguments.Input, arguments.Columns);
        TimeSeries training = table.ToTimeSeries();
        terminal.Line(Invariant($"Read {training.Length} points of {Describe(table)} from {arguments.Input}."));

        AnomalyDetector detector = Configure(arguments, training, scorer, threshold);
        var display = new TrainingProgressDisplay(terminal);
        FittedAnomalyDetector fitted;
        try
        {
            fitted = await display.RunAsync(progress => detector.FitAsync(training, progress, cancellationToken), f => f.History).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            // The series does not fit the detector (too short for the window, a column never observed): the input's fault.
            throw new CliException($"{arguments.Input}: {e.Message}", e);
        }

        // Cancelled after the last epoch: still nothing is written, as the user asked.
        cancellationToken.ThrowIfCancellationRequested();
        FitChoices choices = fitted.Choices;
        terminal.Heading("What the detector uses");
        foreach (string choice in choices.Automatic)
        {
            terminal.Line($"  chosen: {choice}");
        }

        terminal.Line(Invariant($"  scorer {fitted.Scorer.Name}, window {choices.Window}, stride {choices.Stride}, model {choices.Model.Name}, smoothing span {choices.SmoothingSpan}"));
        terminal.Line(Invariant($"  threshold {fitted.Threshold.Name} on {fitted.CalibrationScores} calibration scores"));
        if (!CanStream(fitted, out string? why))
        {
            terminal.Line($"  note: this detector cannot stream ({why})");
        }

        string full = Path.GetFullPath(arguments.Output);
        string? directory = Path.GetDirectoryName(full);
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        fitted.Save(full);
        terminal.Line();
        terminal.Line(Invariant($"Saved the detector to {full} ({new FileInfo(full).Length / 1024.0:F1} KiB, {clock.Elapsed.TotalSeconds:F1} s in all)."));
        return ExitCodes.Success;
    }

    /// <summary>The detector the options describe, with the library's automatic choice for every option left out.</summary>
    internal static AnomalyDetector Configure(TrainArguments arguments, TimeSeries training, IAnomalyScorer scorer, IThresholdStrategy threshold)
    {
        AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder().WithScorer(scorer).WithThreshold(threshold);
        if (scorer is ReconstructionScorer)
        {
            // The default loss forecasts a mean and a variance, which a reconstruction cannot use; the tool has no --loss,
            // so the scorer that needs a point loss gets the library's plain one.
            builder.WithLoss(Losses.Loss.Mse);
        }

        if (arguments.Window is int window)
        {
            builder.WithWindow(window);
        }

        if (arguments.Seed is int seed)
        {
            builder.WithSeed(seed);
        }

        // The builder takes the model and the trainer options whole, so one given option (the epochs, say) would drop the
        // automatic choice of the others. A plan resolves the automatic choices first; the given options then replace
        // only their part of them.
        bool partialModel = (arguments.HiddenSize is null) != (arguments.Layers is null);
        bool trainer = arguments.Epochs is not null;
        FitChoices? plan = partialModel || trainer ? Plan(training, arguments.Window) : null;
        if (arguments.HiddenSize is not null || arguments.Layers is not null)
        {
            int hiddenSize = arguments.HiddenSize ?? (plan!.Model as GruModelFactory)?.HiddenSize ?? 32;
            int layers = arguments.Layers ?? 1;
            builder.WithModel(Models.Gru(hiddenSize, layers));
        }

        if (trainer)
        {
            TrainerOptions automatic = plan!.Trainer;
            builder.WithTrainer(automatic with { Epochs = arguments.Epochs!.Value });
        }

        try
        {
            return builder.Build();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message, e);
        }
    }

    /// <summary>
    /// The automatic choices (window, model, trainer options) for this series, from a fit of a baseline that trains
    /// nothing: the library chooses them from the series before the scorer is trained, so they are the ones the real fit
    /// would make, at the cost of one pass of the baseline.
    /// </summary>
    private static FitChoices Plan(TimeSeries training, int? window)
    {
        AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder()
            .WithScorer(Scoring.Scorer.Naive())
            .WithThreshold(Thresholds.Threshold.Quantile(0.99));
        if (window is int w)
        {
            builder.WithWindow(w);
        }

        try
        {
            return builder.Build().Fit(training).Choices;
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message, e);
        }
    }

    /// <summary>Whether the detector can stream, and if not why: <c>stream</c> would refuse it.</summary>
    internal static bool CanStream(FittedAnomalyDetector fitted, out string? why)
    {
        try
        {
            _ = fitted.CreateStream();
            why = null;
            return true;
        }
        catch (NotSupportedException e)
        {
            why = e.Message;
            return false;
        }
    }

    private static Option<int?> Positive(Option<int?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is int value && value < 1)
            {
                result.AddError(Invariant($"{option.Name} must be at least 1; got {value}."));
            }
        });
        return option;
    }

    private static string Describe(CsvTable table)
    {
        string columns = table.ColumnNames.Count == 1
            ? $"column '{table.ColumnNames[0]}'"
            : $"{table.ColumnNames.Count} columns ({string.Join(", ", table.ColumnNames.Select(n => $"'{n}'"))})";
        return table.TimeColumn is null ? columns + ", without timestamps" : $"{columns}, timestamps in '{table.TimeColumn}'";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What <c>train</c> was asked; null where the library chooses.</summary>
/// <param name="Input">The training CSV.</param>
/// <param name="Output">The model file to write.</param>
/// <param name="Columns">What to read from the CSV.</param>
/// <param name="Window">The window, or null.</param>
/// <param name="HiddenSize">Units per layer, or null.</param>
/// <param name="Layers">Layers, or null.</param>
/// <param name="Epochs">Most epochs, or null.</param>
/// <param name="Scorer">The scorer's name.</param>
/// <param name="Threshold">The threshold's form.</param>
/// <param name="Seed">The trainer's seed, or null.</param>
internal sealed record TrainArguments(string Input, string Output, CsvReadOptions Columns, int? Window, int? HiddenSize, int? Layers,
    int? Epochs, string Scorer, string Threshold, int? Seed);
