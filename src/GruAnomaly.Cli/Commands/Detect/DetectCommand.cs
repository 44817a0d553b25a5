using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GruAnomaly.Cli.Commands.Shared;
using GruAnomaly.Cli.Csv;
using GruAnomaly.Cli.Plotting;
using GruAnomaly.Detection;

namespace GruAnomaly.Cli.Commands.Detect;

/// <summary>
/// <c>gru-anomaly detect</c>: loads a saved detector, detects on a CSV in one batch, writes the per-row scores as a CSV
/// that <c>evaluate</c> reads, optionally a plot, and prints the alarms and events (or JSON with <c>--json</c>).
/// </summary>
internal static class DetectCommand
{
    /// <summary>The summary's JSON metadata, with quotes and non-ASCII text written as they are (the output is not HTML).</summary>
    private static readonly DetectionJsonContext Json = new(new JsonSerializerOptions(DetectionJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Creates the command.</summary>
    /// <param name="terminal">Where it writes.</param>
    /// <returns>The command, ready to add to the root.</returns>
    public static Command Create(Terminal terminal)
    {
        var model = new Option<string>("--model", "-m") { Description = "The model file that train wrote.", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "CSV of the points to detect on, with the columns the model was trained on.", Required = true };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The scores CSV to write: index or timestamp, values, expected, raw_score, score, threshold, surprise, likelihood, flag, alarm.",
            Required = true,
        };
        var plot = new Option<string?>("--plot") { Description = "Also write a PNG plot of the series, expected values, score, threshold, events and alarms." };
        var json = new Option<bool>("--json") { Description = "Print the summary (alarms, events) as JSON." };
        var series = new SeriesOptions();
        var command = new Command("detect", "Detect anomalies in a CSV with a saved model; write per-row scores and print the alarms and events.")
        {
            model,
            input,
            output,
            plot,
            json,
        };
        series.AddTo(command);
        command.SetAction(parse => Run(terminal, parse.GetValue(model)!, parse.GetValue(input)!, series.Read(parse), parse.GetValue(output)!,
            parse.GetValue(plot), parse.GetValue(json)));
        return command;
    }

    /// <summary>Runs the detection.</summary>
    /// <param name="terminal">Where it writes.</param>
    /// <param name="modelPath">The model file.</param>
    /// <param name="inputPath">The CSV to detect on.</param>
    /// <param name="columns">What to read from it.</param>
    /// <param name="outputPath">The scores CSV to write.</param>
    /// <param name="plotPath">The PNG to write, or null.</param>
    /// <param name="json">True to print JSON.</param>
    /// <returns>The exit code.</returns>
    public static int Run(Terminal terminal, string modelPath, string inputPath, CsvReadOptions columns, string outputPath, string? plotPath, bool json)
    {
        var clock = Stopwatch.StartNew();
        FittedAnomalyDetector fitted = DetectorFiles.Load(modelPath);
        CsvTable table = CsvSeriesReader.Read(inputPath, columns);
        CheckColumns(table, fitted.Features);
        TimeSeries series = table.ToTimeSeries();
        DetectionResult result;
        try
        {
            result = fitted.Detect(series);
        }
        catch (ArgumentException e)
        {
            // The series does not fit the model (too short for its window): the input's fault.
            throw new CliException($"{inputPath}: {e.Message.Split(" (Parameter", 2)[0]}", e);
        }

        WriteScores(outputPath, table, result);
        if (plotPath is not null)
        {
            string title = string.Create(CultureInfo.InvariantCulture,
                $"gru-anomaly detect: {Path.GetFileName(inputPath)} with {Path.GetFileName(modelPath)}: {result.Alarms.Count} alarms, {result.Events.Count} events");
            DetectionPlot.Save(plotPath, title, series, result, labelled: null);
        }

        DetectionSummary summary = Summarize(modelPath, inputPath, outputPath, table, fitted, result);
        if (json)
        {
            terminal.Output.WriteLine(JsonSerializer.Serialize(summary, Json.DetectionSummary));
            return ExitCodes.Success;
        }

        terminal.Line(Invariant($"Detected on {summary.Points} points of {inputPath} with {modelPath} ({summary.Scorer}, window {summary.Window}, threshold {summary.Threshold}): {summary.Scored} scored, {summary.Flagged} flagged, {Count(summary.Alarms.Count, "alarm")}, {Count(summary.Events.Count, "event")}."));
        WriteTables(terminal, summary);
        terminal.Line();
        terminal.Line(Invariant($"Scores written to {Path.GetFullPath(outputPath)}{(plotPath is null ? string.Empty : $", plot to {Path.GetFullPath(plotPath)}")} ({clock.Elapsed.TotalSeconds:F1} s in all)."));
        return ExitCodes.Success;
    }

    /// <summary>Refuses a file whose value columns are not one per feature of the model, before any work.</summary>
    internal static void CheckColumns(CsvTable table, int features)
    {
        if (table.ColumnNames.Count != features)
        {
            string found = table.ColumnNames.Count == 0 ? "no value column" : Invariant($"{Count(table.ColumnNames.Count, "value column")} ({string.Join(", ", table.ColumnNames.Select(n => $"'{n}'"))})");
            throw new CliException(Invariant($"{table.Source} has {found}, but the model was trained on {Count(features, "feature")}; choose the columns, in training order, with --columns."));
        }
    }

    private static void WriteScores(string path, CsvTable table, DetectionResult result)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        int features = result.Features;
        using var writer = new StreamWriter(full, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        var csv = new ScoresCsv(writer, table.ColumnNames, table.Timestamps is not null);
        csv.WriteHeader();
        var values = new double[features];
        for (int t = 0; t < result.Length; t++)
        {
            for (int f = 0; f < features; f++)
            {
                values[f] = table.Column(f)[t];
            }

            csv.Write(t, result.TimestampAt(t), values, result.ExpectedAt(t), new ScoredPoint(
                result.IsScored[t], result.RawScores[t], result.Scores[t], result.Thresholds[t], result.Surprise[t], result.LikelihoodAt(t),
                result.Flags[t], result.IsAlarm[t]));
        }
    }

    private static DetectionSummary Summarize(string model, string input, string output, CsvTable table, FittedAnomalyDetector fitted, DetectionResult result)
    {
        string? Stamp(int t) => result.TimestampAt(t) is DateTimeOffset time ? ScoresCsv.Timestamp(time) : null;
        static double? Value(double v) => double.IsNaN(v) ? null : v;

        // A float widened as it is prints its binary tail (-0.42970943450927734); its shortest decimal reads as the CSV does.
        static double? Expected(float v) => float.IsNaN(v) ? null : double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var alarms = result.Alarms.Select(t => new AlarmSummary(
            t,
            Stamp(t),
            [.. Enumerable.Range(0, result.Features).Select(f => Value(table.Column(f)[t]))],
            [.. Enumerable.Range(0, result.Features).Select(f => Expected(result.ExpectedAt(t)[f]))],
            result.Scores[t],
            result.Thresholds[t],
            result.Surprise[t],
            result.LikelihoodAt(t))).ToList();
        var events = result.Events.Select(e => new EventSummary(
            e.Start, e.PeakIndex, e.End, e.Length, Stamp(e.Start), Stamp(e.PeakIndex), Stamp(e.End), result.Surprise[e.PeakIndex])).ToList();
        int scored = 0;
        foreach (bool s in result.IsScored)
        {
            scored += s ? 1 : 0;
        }

        return new DetectionSummary(model, input, output, result.Length, scored, result.FlaggedCount, table.ColumnNames, fitted.Settings.Scorer.Name,
            fitted.Window, fitted.Threshold.Name, alarms, events);
    }

    private static void WriteTables(Terminal terminal, DetectionSummary summary)
    {
        static string Where(int index, string? time) => time ?? index.ToString(CultureInfo.InvariantCulture);
        string at = summary.Alarms.FirstOrDefault()?.Timestamp is null ? "row" : "time";
        if (summary.Alarms.Count > 0)
        {
            terminal.Heading("Alarms");
            terminal.Table([at, "value", "expected", "surprise", "likelihood"],
            [
                .. summary.Alarms.Select(a => (IReadOnlyList<string>)
                [
                    Where(a.Index, a.Timestamp),
                    string.Join(" ", a.Values.Select(Number)),
                    string.Join(" ", a.Expected.Select(Number)),
                    Invariant($"{a.Surprise:F1}"),
                    Invariant($"{a.Likelihood:F3}"),
                ]),
            ], 1, 2, 3, 4);
        }
        else
        {
            terminal.Heading("No alarm");
        }

        if (summary.Events.Count > 0)
        {
            terminal.Heading("Events");
            terminal.Table(["start", "peak", "end", "rows", "peak surprise"],
            [
                .. summary.Events.Select(e => (IReadOnlyList<string>)
                [
                    Where(e.Start, e.StartTime),
                    Where(e.Peak, e.PeakTime),
                    Where(e.End, e.EndTime),
                    Invariant($"{e.Length}"),
                    Invariant($"{e.PeakSurprise:F1}"),
                ]),
            ], 3, 4);
        }
    }

    private static string Number(double? value) => value is double v ? v.ToString("G6", CultureInfo.InvariantCulture) : "–";

    private static string Count(int count, string noun) => Invariant($"{count} {noun}{(count == 1 ? string.Empty : "s")}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
