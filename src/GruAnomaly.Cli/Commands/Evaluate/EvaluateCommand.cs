using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace GruAnomaly.Cli.Commands.Evaluate;

/// <summary>
/// <c>gru-anomaly evaluate</c>: scores a detector's output (a scores CSV) against labels (a labels CSV) with the
/// library's metrics: point-wise and event-wise (range-based) precision, recall and F1, PR-AUC, ROC-AUC and the
/// early-alarm score; as a table, or as JSON with <c>--json</c>.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>The report's JSON metadata, with quotes and non-ASCII text written as they are (the output is not HTML).</summary>
    private static readonly EvaluationJsonContext Json = new(new JsonSerializerOptions(EvaluationJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Creates the command.</summary>
    /// <param name="terminal">Where it writes.</param>
    /// <returns>The command, ready to add to the root.</returns>
    public static Command Create(Terminal terminal)
    {
        var scores = new Option<string>("--scores")
        {
            Description = "CSV of the detector's output: an index or timestamp column, a 'score' column and optionally 'flag' and 'alarm' (0/1) columns.",
            Required = true,
        };
        var labels = new Option<string>("--labels")
        {
            Description = "CSV of the labels: a 0/1 'label' column with one row per score row, or labelled windows as 'start,end' rows (indexes or ISO 8601 timestamps, inclusive).",
            Required = true,
        };
        var threshold = new Option<double?>("--threshold")
        {
            Description = "Flag rows whose score is above this value instead of reading the flag column (alarms are then the first row of each flagged run).",
        };
        var scoreColumn = new Option<string?>("--score-column") { Description = "The score column, when it is not named 'score'." };
        var labelColumn = new Option<string?>("--label-column") { Description = "The label column, when it is not named 'label'." };
        var json = new Option<bool>("--json") { Description = "Print the scores as JSON." };
        var command = new Command("evaluate",
            "Score a detector's output against labels: point-wise F1, event-wise (range-based) precision/recall/F1, PR-AUC, ROC-AUC and the early-alarm score.")
        {
            scores,
            labels,
            threshold,
            scoreColumn,
            labelColumn,
            json,
        };
        command.SetAction(parse => Run(terminal, parse.GetValue(scores)!, parse.GetValue(labels)!, parse.GetValue(threshold),
            parse.GetValue(scoreColumn), parse.GetValue(labelColumn), parse.GetValue(json)));
        return command;
    }

    /// <summary>Runs the evaluation.</summary>
    /// <param name="terminal">Where it writes.</param>
    /// <param name="scoresPath">The scores CSV.</param>
    /// <param name="labelsPath">The labels CSV.</param>
    /// <param name="threshold">Flags scores above it instead of the flag column; null for the file's flags.</param>
    /// <param name="scoreColumn">The score column, or null to find it by name.</param>
    /// <param name="labelColumn">The label column, or null to find it by name.</param>
    /// <param name="json">True to print JSON.</param>
    /// <returns>The exit code.</returns>
    public static int Run(Terminal terminal, string scoresPath, string labelsPath, double? threshold, string? scoreColumn, string? labelColumn, bool json)
    {
        if (threshold is double t && !double.IsFinite(t))
        {
            throw new CliException($"--threshold must be a finite number; got {t}.");
        }

        EvaluationInput input = EvaluationInput.Read(scoresPath, labelsPath, threshold, scoreColumn, labelColumn);
        EvaluationReport report = EvaluationReport.Compute(input);
        if (json)
        {
            terminal.Output.WriteLine(JsonSerializer.Serialize(report, Json.EvaluationReport));
            return ExitCodes.Success;
        }

        terminal.Line(Invariant($"{report.Points} rows, {report.LabelledPoints} labelled anomalous in {Count(report.LabelledWindows, "window")}; {report.FlaggedPoints} flagged ({report.Flags}); {Count(report.EarlyAlarm.AlarmCount, "alarm")} ({report.Alarms})."));
        if (report.Unscored > 0)
        {
            terminal.Line(Invariant($"{report.Unscored} rows without a score are left out of PR-AUC and ROC-AUC."));
        }

        PointWiseReport p = report.PointWise;
        RangeBasedReport r = report.RangeBased;
        EarlyAlarmReport e = report.EarlyAlarm;
        string oneClass = "– (the labels hold one class only)";
        terminal.Table(["metric", "precision", "recall", "F1", "counts"],
        [
            ["point-wise", F(p.Precision), F(p.Recall), F(p.F1), Invariant($"TP {p.TruePositives}, FP {p.FalsePositives}, FN {p.FalseNegatives}, TN {p.TrueNegatives}")],
            ["event-wise (range-based)", F(r.Precision), F(r.Recall), F(r.F1), Invariant($"{r.LabelledRanges} labelled, {r.FlaggedRanges} flagged ranges")],
        ], 1, 2, 3);
        terminal.Table(["score", "value"],
        [
            ["PR-AUC (average precision)", report.PrAuc is double pr ? F(pr) : oneClass],
            ["ROC-AUC", report.RocAuc is double roc ? F(roc) : oneClass],
            ["early-alarm score (0–100)", Invariant($"{e.Score:F1}: {e.DetectedWindows}/{e.Windows} windows caught, {e.FalseAlarms} false alarms{(e.MeanDelay is double d ? Invariant($", mean delay {d:F1} rows") : string.Empty)}")],
        ]);
        return ExitCodes.Success;
    }

    private static string Count(int count, string noun) => Invariant($"{count} {noun}{(count == 1 ? string.Empty : "s")}");

    private static string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
