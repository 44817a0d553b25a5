using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace GruAnomaly.Quality;

/// <summary>Writes the results as Markdown: a summary per protocol, the default against the best baseline, and every series.</summary>
internal static class Report
{
    public static string Markdown(IReadOnlyList<SeriesResult> results, IReadOnlyList<Candidate> candidates, IReadOnlyList<Protocol> protocols,
        TimeSpan elapsed)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Detection quality, {DateTime.UtcNow:yyyy-MM-dd}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{results.Select(r => r.Series).Distinct().Count()} labelled series from `../shared/data`, " +
            $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, " +
            $"{elapsed.TotalMinutes:F1} min in all.");
        md.AppendLine();
        md.AppendLine("Early-alarm score: NAB-style (Lavin and Ahmad 2015) on the labelled windows, from the detector's alarms; 0 = no alarm, " +
            "100 = every window caught at its first point, negative = worse than raising no alarm; mean over the series whose judged " +
            "part holds a window. Event metrics: range-based precision/recall/F1 (Tatbul et al.) of the flags. PR-AUC: average " +
            "precision of the scores the threshold judges. Delay: steps from a window's start to its first alarm, over the caught windows. " +
            "Offline: fit on the train split, detect on the test split. Streaming: fit on the leading fifth (at least 1000 points), " +
            "then run on the rest in time order; alarms depend only on the past (tested), except for the reconstruction scorer, whose " +
            "windows see up to a window ahead.");
        md.AppendLine();
        md.Append(Summary(results, candidates, protocols));
        foreach (Protocol protocol in protocols)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {protocol.Name}: every series (early-alarm score / event F1 / PR-AUC; alarms: caught windows/windows +false alarms)");
            md.AppendLine();
            md.AppendLine("| series | " + string.Join(" | ", candidates.Select(c => c.Name)) + " |");
            md.AppendLine("| --- |" + string.Concat(candidates.Select(_ => " --- |")));
            foreach (IGrouping<string, SeriesResult> series in results.Where(r => r.Protocol == protocol.Name).GroupBy(r => r.Series).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                md.Append(CultureInfo.InvariantCulture, $"| {series.Key} |");
                foreach (Candidate c in candidates)
                {
                    SeriesResult? r = series.FirstOrDefault(x => x.Candidate == c.Name);
                    md.Append(r is null ? " |" : r.IsSkipped ? $" {r.Notes.Replace("|", "/", StringComparison.Ordinal)} |" : string.Create(CultureInfo.InvariantCulture,
                        $" {F(r.EarlyStandard, "F1")} / {F(r.EventF1, "F2")} / {F(r.PrAuc, "F2")} ({r.DetectedWindows:0.#}/{r.Windows} +{r.FalseAlarms:0.#}) |"));
                }

                md.AppendLine();
            }
        }

        return md.ToString();
    }

    public static string Summary(IReadOnlyList<SeriesResult> results, IReadOnlyList<Candidate> candidates, IReadOnlyList<Protocol> protocols)
    {
        var md = new StringBuilder();
        foreach (Protocol protocol in protocols)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {protocol.Name}: means over series");
            md.AppendLine();
            md.AppendLine("| candidate | early (standard) | early (low FP) | early (low FN) | event P | event R | event F1 | point F1 | PR-AUC | delay | caught | false alarms | fit s | score s |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (Candidate c in candidates)
            {
                var rs = results.Where(r => r.Protocol == protocol.Name && r.Candidate == c.Name).ToList();
                var windowed = rs.Where(r => r.Windows > 0).ToList();
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {c.Name}{(c.IsBaseline ? " (baseline)" : string.Empty)} | {F(Mean(windowed, r => r.EarlyStandard), "F1")} | {F(Mean(windowed, r => r.EarlyLowFalsePositives), "F1")} | " +
                    $"{F(Mean(windowed, r => r.EarlyLowFalseNegatives), "F1")} | {F(Mean(rs, r => r.EventPrecision), "F2")} | {F(Mean(rs, r => r.EventRecall), "F2")} | " +
                    $"{F(Mean(rs, r => r.EventF1), "F2")} | {F(Mean(rs, r => r.PointF1), "F2")} | {F(Mean(rs, r => r.PrAuc), "F2")} | {F(Mean(rs, r => r.MeanDelay), "F0")} | " +
                    $"{rs.Sum(r => r.DetectedWindows):0.#}/{rs.Sum(r => r.Windows)} | {rs.Sum(r => r.FalseAlarms):0.#} | {rs.Sum(r => r.FitSeconds):F0} | {rs.Sum(r => r.ScoreSeconds):F1} |");
            }

            md.Append(AgainstBaselines(results.Where(r => r.Protocol == protocol.Name).ToList(), candidates));
        }

        return md.ToString();
    }

    /// <summary>On how many series each non-baseline candidate is worse than the best baseline of that series, and than the baseline with the best mean.</summary>
    private static string AgainstBaselines(List<SeriesResult> results, IReadOnlyList<Candidate> candidates)
    {
        var baselines = candidates.Where(c => c.IsBaseline).Select(c => c.Name).ToHashSet();
        if (baselines.Count == 0)
        {
            return string.Empty;
        }

        var md = new StringBuilder();
        md.AppendLine();
        md.AppendLine("Series on which a candidate is worse than the best baseline of that series (early-alarm score / event F1 / PR-AUC):");
        md.AppendLine();
        foreach (Candidate c in candidates.Where(c => !c.IsBaseline))
        {
            (List<Loss> lost, int[] judged) = LostSeries(results, c.Name, baselines, BestOf);
            md.AppendLine(CultureInfo.InvariantCulture, $"- {c.Name}: {Format(Counted(lost, judged))}");
            // Which series, by how much and to which baseline: where a change to the default has to win.
            foreach ((string metric, _) in Metrics)
            {
                var onMetric = lost.Where(l => l.Metric == metric).ToList();
                if (onMetric.Count > 0)
                {
                    string format = metric == Metrics[0].Name ? "F1" : "F2";
                    string listed = string.Join("; ", onMetric.Select(l => $"{l.Series} {F(l.Own, format)} against {F(l.Reference, format)} ({l.Baseline})"));
                    md.AppendLine(CultureInfo.InvariantCulture, $"  - {metric}: {listed}");
                }
            }
        }

        // The issue's target also reads as "the best baseline" in the singular: the one with the best mean on each metric.
        Dictionary<Func<SeriesResult, double>, string> bestByMean = BestByMean(results, baselines);
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Series on which a candidate is worse than the baseline with the best mean on that metric ({bestByMean[EarlyOf]} / {bestByMean[F1Of]} / {bestByMean[PrAucOf]}):");
        md.AppendLine();
        foreach (Candidate c in candidates.Where(c => !c.IsBaseline))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {c.Name}: {Format(LossesToBestMean(results, c.Name, baselines, bestByMean))}");
        }

        return md.ToString();
    }

    /// <summary>
    /// The summary of every seed on its own (<c>--seeds</c>): each trained candidate's means and series lost against the
    /// baselines in the runs of one seed, so that the spread a seed alone causes can be read beside any difference between candidates.
    /// </summary>
    public static string Seeds(IReadOnlyList<(SeriesResult Run, int? Seed)> runs, IReadOnlyList<Candidate> candidates, IReadOnlyList<Protocol> protocols)
    {
        var baselines = candidates.Where(c => c.IsBaseline).Select(c => c.Name).ToHashSet();
        var md = new StringBuilder();
        foreach (Protocol protocol in protocols)
        {
            var inProtocol = runs.Where(x => x.Run.Protocol == protocol.Name).ToList();
            var baselineRuns = inProtocol.Where(x => baselines.Contains(x.Run.Candidate)).Select(x => x.Run).ToList();
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {protocol.Name}: seed by seed");
            md.AppendLine();
            md.AppendLine("| candidate | seed | early (standard) | event F1 | PR-AUC | caught | false alarms | lost, per-series best baseline (early / F1 / PR-AUC) | lost, best-mean baseline |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
            Dictionary<Func<SeriesResult, double>, string>? bestByMean = baselines.Count == 0 ? null : BestByMean(baselineRuns, baselines);
            foreach (Candidate c in candidates.Where(c => !c.IsBaseline))
            {
                foreach (IGrouping<int?, (SeriesResult Run, int? Seed)> seed in inProtocol.Where(x => x.Run.Candidate == c.Name).GroupBy(x => x.Seed).OrderBy(g => g.Key))
                {
                    var rs = seed.Select(x => x.Run).ToList();
                    List<SeriesResult> judged = [.. rs, .. baselineRuns];
                    string lost = bestByMean is null ? "–" : Format(Losses(judged, c.Name, baselines, BestOf), withTarget: false);
                    string lostToMean = bestByMean is null ? "–" : Format(LossesToBestMean(judged, c.Name, baselines, bestByMean), withTarget: false);
                    md.AppendLine(CultureInfo.InvariantCulture,
                        $"| {c.Name} | {seed.Key} | {F(Mean(rs.Where(r => r.Windows > 0).ToList(), r => r.EarlyStandard), "F1")} | {F(Mean(rs, r => r.EventF1), "F2")} | " +
                        $"{F(Mean(rs, r => r.PrAuc), "F2")} | {rs.Sum(r => r.DetectedWindows):0.#}/{rs.Sum(r => r.Windows)} | {rs.Sum(r => r.FalseAlarms):0.#} | {lost} | {lostToMean} |");
                }
            }
        }

        return md.ToString();
    }

    /// <summary>
    /// "3 / 0 / 5 of 13": the series lost on each metric, of the series judged on it. A series is judged on a metric where
    /// the candidate and a baseline both have a value (a streamed part without a labelled window has none), so that the
    /// issue's target (at most a third of the series) is counted against the series that can be lost.
    /// </summary>
    private static string Format(SeriesLost losses, bool withTarget = true)
    {
        string lost = Counts(losses.Lost) + " of ";
        string judged = Counts(losses.Judged.Distinct().Count() == 1 ? [losses.Judged[0]] : losses.Judged);
        if (!withTarget)
        {
            return lost + judged;
        }

        string[] over = [.. Metrics.Where((_, metric) => 3 * losses.Lost[metric] > losses.Judged[metric]).Select(m => m.Name)];
        return lost + judged + (over.Length == 0 ? " (within a third on every metric)" : $" (more than a third on {string.Join(", ", over)})");

        static string Counts(int[] counts) => string.Join(" / ", counts.Select(n => n.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The baseline with the best mean on each metric.</summary>
    private static Dictionary<Func<SeriesResult, double>, string> BestByMean(List<SeriesResult> results, HashSet<string> baselines) => new()
    {
        [EarlyOf] = BestByMean(results, baselines, EarlyOf),
        [F1Of] = BestByMean(results, baselines, F1Of),
        [PrAucOf] = BestByMean(results, baselines, PrAucOf),
    };

    private static SeriesLost LossesToBestMean(List<SeriesResult> results, string candidate, HashSet<string> baselines,
        Dictionary<Func<SeriesResult, double>, string> bestByMean) =>
        Losses(results, candidate, baselines, (others, metric) => others.Find(r => r.Candidate == bestByMean[metric]));

    // The early-alarm score counts only where the judged part holds a window; NaN elsewhere.
    private static readonly Func<SeriesResult, double> EarlyOf = r => r.Windows > 0 ? r.EarlyStandard : double.NaN;
    private static readonly Func<SeriesResult, double> F1Of = r => r.EventF1;
    private static readonly Func<SeriesResult, double> PrAucOf = r => r.PrAuc;

    /// <summary>The metrics a candidate is judged on against the baselines, in the order the reports give them.</summary>
    private static readonly (string Name, Func<SeriesResult, double> Value)[] Metrics = [("early-alarm", EarlyOf), ("event F1", F1Of), ("PR-AUC", PrAucOf)];

    /// <summary>A series on which a candidate is below the baseline result it is judged against, on one metric.</summary>
    private readonly record struct Loss(string Series, string Metric, double Own, double Reference, string Baseline);

    /// <summary>
    /// On how many series (of those with baselines) the candidate is below the baseline result that
    /// <paramref name="reference"/> picks from the series' baseline results, on each metric.
    /// </summary>
    private static SeriesLost Losses(List<SeriesResult> results, string candidate, HashSet<string> baselines,
        Func<List<SeriesResult>, Func<SeriesResult, double>, SeriesResult?> reference)
    {
        (List<Loss> lost, int[] judged) = LostSeries(results, candidate, baselines, reference);
        return Counted(lost, judged);
    }

    private static SeriesLost Counted(List<Loss> lost, int[] judged) => new([.. Metrics.Select(m => lost.Count(l => l.Metric == m.Name))], judged);

    /// <summary>How many series a candidate loses on each metric, and how many were judged on each (in <see cref="Metrics"/>' order).</summary>
    private readonly record struct SeriesLost(int[] Lost, int[] Judged);

    /// <summary>
    /// The series on which the candidate is below the baseline result that <paramref name="reference"/> picks, and on each
    /// metric how many series were judged: those where the candidate and that baseline result both have a value.
    /// </summary>
    private static (List<Loss> Lost, int[] Judged) LostSeries(List<SeriesResult> results, string candidate, HashSet<string> baselines,
        Func<List<SeriesResult>, Func<SeriesResult, double>, SeriesResult?> reference)
    {
        var lost = new List<Loss>();
        int[] judged = new int[Metrics.Length];
        foreach (IGrouping<string, SeriesResult> g in results.GroupBy(r => r.Series))
        {
            SeriesResult? own = g.FirstOrDefault(r => r.Candidate == candidate);
            var others = g.Where(r => baselines.Contains(r.Candidate)).ToList();
            if (own is null || others.Count == 0)
            {
                continue;
            }

            for (int m = 0; m < Metrics.Length; m++)
            {
                (string metric, Func<SeriesResult, double> value) = Metrics[m];
                if (reference(others, value) is not { } baseline || double.IsNaN(value(own)) || double.IsNaN(value(baseline)))
                {
                    continue;
                }

                judged[m]++;
                if (value(own) < value(baseline))
                {
                    lost.Add(new Loss(g.Key, metric, value(own), value(baseline), baseline.Candidate));
                }
            }
        }

        return (lost, judged);
    }

    /// <summary>The baseline result with the best value of a metric on a series, or null when none has one.</summary>
    private static SeriesResult? BestOf(List<SeriesResult> others, Func<SeriesResult, double> metric) =>
        others.Where(r => !double.IsNaN(metric(r))).MaxBy(metric);

    private static string BestByMean(List<SeriesResult> results, HashSet<string> baselines, Func<SeriesResult, double> value) =>
        baselines.MaxBy(b => Mean(results.Where(r => r.Candidate == b).ToList(), value) is double mean && !double.IsNaN(mean) ? mean : double.MinValue)!;

    private static double Mean(List<SeriesResult> results, Func<SeriesResult, double> value)
    {
        var values = results.Select(value).Where(v => !double.IsNaN(v)).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }

    private static string F(double value, string format) =>
        double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);
}
