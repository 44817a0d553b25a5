using System.Text.Json.Serialization;
using GruAnomaly.Evaluation;

namespace GruAnomaly.Cli.Commands.Evaluate;

/// <summary>The scores of a detector's output against labels, as <c>evaluate --json</c> prints them.</summary>
/// <param name="Points">Rows evaluated.</param>
/// <param name="Unscored">Rows without a score (left out of PR-AUC and ROC-AUC).</param>
/// <param name="LabelledPoints">Rows labelled anomalous.</param>
/// <param name="LabelledWindows">Runs of rows labelled anomalous.</param>
/// <param name="FlaggedPoints">Rows flagged.</param>
/// <param name="Flags">Where the flags came from.</param>
/// <param name="Alarms">Where the alarms came from.</param>
/// <param name="PointWise">Point-wise precision, recall and F1.</param>
/// <param name="RangeBased">Event-wise (range-based, Tatbul et al.) precision, recall and F1.</param>
/// <param name="PrAuc">Average precision of the scores; null when the labels hold one class only.</param>
/// <param name="RocAuc">Area under the ROC curve of the scores; null when the labels hold one class only.</param>
/// <param name="EarlyAlarm">The NAB-style early-alarm score.</param>
internal sealed record EvaluationReport(
    int Points, int Unscored, int LabelledPoints, int LabelledWindows, int FlaggedPoints, string Flags, string Alarms,
    PointWiseReport PointWise, RangeBasedReport RangeBased, double? PrAuc, double? RocAuc, EarlyAlarmReport EarlyAlarm)
{
    /// <summary>Computes every score with <see cref="AnomalyMetrics"/>.</summary>
    /// <param name="input">The aligned scores, flags, alarms and labels.</param>
    /// <returns>The report.</returns>
    public static EvaluationReport Compute(EvaluationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool[] labels = input.Labels;
        DetectionScores points = AnomalyMetrics.PointWise(labels, input.Flags);
        RangeDetectionScores ranges = AnomalyMetrics.RangeBased(labels, input.Flags);
        EarlyAlarmScore early = AnomalyMetrics.EarlyAlarm(labels, input.Alarms);
        int[] scored = [.. Enumerable.Range(0, labels.Length).Where(t => !double.IsNaN(input.Scores[t]))];
        double[] scores = [.. scored.Select(t => input.Scores[t])];
        bool[] truth = [.. scored.Select(t => labels[t])];
        bool twoClasses = truth.Contains(true) && truth.Contains(false);
        return new EvaluationReport(
            labels.Length,
            labels.Length - scored.Length,
            labels.Count(l => l),
            early.Windows,
            input.Flags.Count(f => f),
            input.FlagSource,
            input.AlarmSource,
            new PointWiseReport(points.Precision, points.Recall, points.F1, points.TruePositives, points.FalsePositives, points.FalseNegatives, points.TrueNegatives),
            new RangeBasedReport(ranges.Precision, ranges.Recall, ranges.F1, ranges.LabelledRangeCount, ranges.PredictedRangeCount),
            twoClasses ? AnomalyMetrics.AveragePrecision(truth, scores) : null,
            twoClasses ? AnomalyMetrics.RocAuc(truth, scores) : null,
            new EarlyAlarmReport(early.NormalizedScore, early.Windows, early.DetectedWindows, early.FalseAlarms, input.Alarms.Count,
                double.IsNaN(early.MeanDelay) ? null : early.MeanDelay));
    }
}

/// <summary>Point-wise scores: every row counts once.</summary>
/// <param name="Precision">TP / (TP + FP).</param>
/// <param name="Recall">TP / (TP + FN).</param>
/// <param name="F1">2·TP / (2·TP + FP + FN).</param>
/// <param name="TruePositives">Labelled rows flagged.</param>
/// <param name="FalsePositives">Normal rows flagged.</param>
/// <param name="FalseNegatives">Labelled rows not flagged.</param>
/// <param name="TrueNegatives">Normal rows not flagged.</param>
internal sealed record PointWiseReport(double Precision, double Recall, double F1, int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives);

/// <summary>Event-wise scores: each run of labelled rows and each run of flagged rows is one range (Tatbul et al., 2018).</summary>
/// <param name="Precision">The mean over flagged ranges of how much of each is labelled.</param>
/// <param name="Recall">The mean over labelled ranges of how much of each is flagged.</param>
/// <param name="F1">The harmonic mean.</param>
/// <param name="LabelledRanges">Runs of labelled rows.</param>
/// <param name="FlaggedRanges">Runs of flagged rows.</param>
internal sealed record RangeBasedReport(double Precision, double Recall, double F1, int LabelledRanges, int FlaggedRanges);

/// <summary>The NAB-style early-alarm score.</summary>
/// <param name="Score">0 for no alarm, 100 for an alarm at the first row of every labelled window and no other.</param>
/// <param name="Windows">Labelled windows.</param>
/// <param name="DetectedWindows">Windows with an alarm inside.</param>
/// <param name="FalseAlarms">Alarms outside every window.</param>
/// <param name="AlarmCount">Alarms in all.</param>
/// <param name="MeanDelay">Mean rows from a detected window's start to its first alarm; null when none was detected.</param>
internal sealed record EarlyAlarmReport(double Score, int Windows, int DetectedWindows, int FalseAlarms, int AlarmCount, double? MeanDelay);

/// <summary>The System.Text.Json metadata of the report, generated at build time (no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EvaluationReport))]
internal sealed partial class EvaluationJsonContext : JsonSerializerContext;
