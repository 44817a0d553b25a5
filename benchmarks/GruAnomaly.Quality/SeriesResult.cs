using System.Diagnostics;
using GruAnomaly.Detection;
using GruAnomaly.Evaluation;

namespace GruAnomaly.Quality;

/// <summary>How one candidate did on one series under one protocol (once, or as the mean of its runs with several seeds).</summary>
internal sealed record SeriesResult(
    string Series,
    string Protocol,
    string Candidate,
    int Windows,
    double DetectedWindows,
    double FalseAlarms,
    double EarlyStandard,
    double EarlyLowFalsePositives,
    double EarlyLowFalseNegatives,
    double EventPrecision,
    double EventRecall,
    double EventF1,
    double PointF1,
    double PrAuc,
    double MeanDelay,
    double FitSeconds,
    double ScoreSeconds,
    string Notes)
{
    /// <summary>Fits <paramref name="candidate"/> under <paramref name="protocol"/> and judges its alarms and scores (and writes them to <paramref name="dump"/>, when given).</summary>
    public static SeriesResult Measure(LabelledSeries series, Protocol protocol, Candidate candidate, ScoreDump? dump = null)
    {
        TimeSeries training = protocol.FitPart(series);
        // Creating a candidate can take time of its own (model selection fits models): it counts as fitting.
        var clock = Stopwatch.StartNew();
        FittedAnomalyDetector fitted;
        JudgedRun run;
        DetectionResult result;
        double fitSeconds;
        try
        {
            AnomalyDetector detector = candidate.Create(training);
            fitted = detector.Fit(training);
            fitSeconds = clock.Elapsed.TotalSeconds;
            // Context for every part of the scorer: a fusion scores from its first component's warm-up on, but a longer
            // component (a windowed Gaussian over 500 points) reads its whole window, which a live stream would have seen.
            run = protocol.RunPart(series, Math.Max(fitted.Scorer.WarmUp, fitted.Scorer.Window));
            clock.Restart();
            result = fitted.Detect(run.Series);
        }
        catch (ArgumentException e)
        {
            // A candidate the series cannot serve (too short for its window, for example) is reported, not scored as silent.
            return Skipped(series, protocol, candidate, e.Message);
        }

        double scoreSeconds = clock.Elapsed.TotalSeconds;
        dump?.Write(series, protocol, candidate, fitted, training, run, result);

        int from = run.JudgedFrom, length = run.Labels.Length;
        bool[] labels = run.Labels;
        bool[] flags = result.Flags.Slice(from, length).ToArray();
        List<int> alarms = [.. result.Alarms.Where(t => t >= from).Select(t => t - from)];

        EarlyAlarmScore standard = AnomalyMetrics.EarlyAlarm(labels, alarms, EarlyAlarmProfile.Standard);
        EarlyAlarmScore lowFp = AnomalyMetrics.EarlyAlarm(labels, alarms, EarlyAlarmProfile.LowFalsePositives);
        EarlyAlarmScore lowFn = AnomalyMetrics.EarlyAlarm(labels, alarms, EarlyAlarmProfile.LowFalseNegatives);
        bool anyLabel = labels.Contains(true);
        RangeDetectionScores events = AnomalyMetrics.RangeBased(labels, flags);
        DetectionScores points = AnomalyMetrics.PointWise(labels, flags);

        // Ranking needs both classes among the scored steps.
        bool[] scored = result.IsScored.Slice(from, length).ToArray();
        bool[] rankedLabels = [.. labels.Where((_, t) => scored[t])];
        double[] rankedScores = [.. result.Scores.Slice(from, length).ToArray().Where((_, t) => scored[t])];
        double prAuc = rankedLabels.Contains(true) && rankedLabels.Contains(false)
            ? AnomalyMetrics.AveragePrecision(rankedLabels, rankedScores) : double.NaN;

        return new SeriesResult(series.Name, protocol.Name, candidate.Name, standard.Windows, standard.DetectedWindows, standard.FalseAlarms,
            standard.NormalizedScore, lowFp.NormalizedScore, lowFn.NormalizedScore,
            anyLabel ? events.Precision : double.NaN, anyLabel ? events.Recall : double.NaN, anyLabel ? events.F1 : double.NaN,
            anyLabel ? points.F1 : double.NaN, prAuc, standard.MeanDelay, fitSeconds, scoreSeconds, fitted.Threshold.Name);
    }

    /// <summary>
    /// The mean of one candidate's runs on one series and protocol with different seeds: every figure is averaged over
    /// the runs that have it (a mean delay over the runs that caught a window). A candidate the series cannot serve is
    /// skipped whatever the seed, so a skipped run stands for all of them.
    /// </summary>
    public static SeriesResult Average(IReadOnlyList<SeriesResult> runs)
    {
        SeriesResult first = runs[0];
        if (runs.Count == 1)
        {
            return first;
        }

        if (runs.FirstOrDefault(r => r.IsSkipped) is { } skipped)
        {
            return skipped;
        }

        double Mean(Func<SeriesResult, double> value) =>
            runs.Select(value).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
        return new SeriesResult(first.Series, first.Protocol, first.Candidate, first.Windows, Mean(r => r.DetectedWindows), Mean(r => r.FalseAlarms),
            Mean(r => r.EarlyStandard), Mean(r => r.EarlyLowFalsePositives), Mean(r => r.EarlyLowFalseNegatives), Mean(r => r.EventPrecision),
            Mean(r => r.EventRecall), Mean(r => r.EventF1), Mean(r => r.PointF1), Mean(r => r.PrAuc), Mean(r => r.MeanDelay),
            runs.Sum(r => r.FitSeconds), runs.Sum(r => r.ScoreSeconds), first.Notes);
    }

    /// <summary>Gets whether the candidate could not be run on the series (see <see cref="Notes"/>).</summary>
    public bool IsSkipped => Notes.StartsWith(SkippedPrefix, StringComparison.Ordinal);

    private const string SkippedPrefix = "skipped: ";

    /// <summary>A result without figures: every mean and every count of series worse than a baseline leaves it out.</summary>
    private static SeriesResult Skipped(LabelledSeries series, Protocol protocol, Candidate candidate, string why) =>
        new(series.Name, protocol.Name, candidate.Name, 0, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
            double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, SkippedPrefix + why);
}
