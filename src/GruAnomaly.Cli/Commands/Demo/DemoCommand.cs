using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GruAnomaly.Cli.Plotting;
using GruAnomaly.Cli.Progress;
using GruAnomaly.Detection;
using GruAnomaly.Evaluation;

namespace GruAnomaly.Cli.Commands.Demo;

/// <summary>
/// <c>gru-anomaly demo</c>: generates a labelled series (<see cref="DemoSeries"/>), fits the library's default detector
/// on its normal part, detects on the rest, compares what it found with the labels and plots it.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The default seed.</summary>
    public const int DefaultSeed = 7;

    /// <summary>Creates the command.</summary>
    /// <param name="terminal">Where it writes.</param>
    /// <returns>The command, ready to add to the root.</returns>
    public static Command Create(Terminal terminal)
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "The PNG plot to write.",
            DefaultValueFactory = _ => "demo.png",
        };
        var seed = new Option<int>("--seed")
        {
            Description = "The seed of the generated series; the same seed and length give the same series.",
            DefaultValueFactory = _ => DefaultSeed,
        };
        var length = new Option<int>("--length")
        {
            Description = $"Half-hourly points to generate; the first half trains (at least {DemoSeries.MinimumLength}, four weeks).",
            DefaultValueFactory = _ => DemoSeries.DefaultLength,
        };
        length.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (value < DemoSeries.MinimumLength)
            {
                result.AddError($"--length must be at least {DemoSeries.MinimumLength} (four weeks of half-hourly points); got {value}.");
            }
        });

        var command = new Command("demo",
            "Generate a labelled series (daily and weekly cycles, drift, noise, seven kinds of anomaly), fit the default detector, and report and plot what it finds.")
        {
            output,
            seed,
            length,
        };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(terminal, parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(length), cancellationToken));
        return command;
    }

    /// <summary>Runs the demo.</summary>
    /// <param name="terminal">Where it writes.</param>
    /// <param name="output">The PNG plot to write.</param>
    /// <param name="seed">The seed of the series.</param>
    /// <param name="length">The length of the series.</param>
    /// <param name="cancellationToken">Cancels fitting.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(Terminal terminal, string output, int seed, int length, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        DemoSeries generated = DemoSeries.Create(length, seed);
        TimeSeries training = generated.Training, test = generated.Test;
        terminal.Line(Invariant($"Generated {length} half-hourly points ({length / (double)DemoSeries.StepsPerDay:F0} days from {DemoSeries.Start:yyyy-MM-dd}, seed {seed}): a daily load profile, quieter weekends, slow growth, noise; {generated.Anomalies.Count} anomalies injected into the test part."));
        terminal.Line(Invariant($"Fitting the default detector (nothing configured) on the first {training.Length} points ({Day(training.Timestamps![0])} to {Day(training.Timestamps[^1])}), which hold no anomaly."));

        AnomalyDetector detector = AnomalyDetector.CreateBuilder().Build();
        var display = new TrainingProgressDisplay(terminal);
        FittedAnomalyDetector fitted = await display.RunAsync(
            progress => detector.FitAsync(training, progress, cancellationToken), f => f.History).ConfigureAwait(false);
        foreach (string choice in fitted.Choices.Automatic)
        {
            terminal.Line($"  chosen: {choice}");
        }

        terminal.Line($"  threshold: {fitted.Threshold.Name}");
        DetectionResult result = fitted.Detect(test);
        terminal.Line(Invariant($"Detected on the last {test.Length} points ({Day(test.Timestamps![0])} to {Day(test.Timestamps[^1])}): {result.Alarms.Count} alarms, {result.Events.Count} events, {result.FlaggedCount} flagged points."));

        WriteComparison(terminal, generated, result);
        WriteMetrics(terminal, generated.Labels, result);

        string title = Invariant($"gru-anomaly demo (seed {seed}): {generated.Anomalies.Count} labelled anomalies (shaded red), {result.Events.Count} detected events (shaded yellow below)");
        DetectionPlot.Save(output, title, test, result, [.. generated.Anomalies.Select(a => (a.Start, a.End))]);
        terminal.Line();
        terminal.Line(Invariant($"Plot written to {Path.GetFullPath(output)} ({clock.Elapsed.TotalSeconds:F1} s in all)."));
        return ExitCodes.Success;
    }

    private static void WriteComparison(Terminal terminal, DemoSeries generated, DetectionResult result)
    {
        IReadOnlyList<DateTimeOffset> time = result.Timestamps!;
        var matched = new bool[result.Events.Count];
        var rows = new List<IReadOnlyList<string>>();
        foreach (InjectedAnomaly anomaly in generated.Anomalies)
        {
            int[] hits = [.. Enumerable.Range(0, result.Events.Count)
                .Where(e => result.Events[e].Start <= anomaly.End && result.Events[e].End >= anomaly.Start)];
            foreach (int e in hits)
            {
                matched[e] = true;
            }

            string labelled = $"{Stamp(time[anomaly.Start])} – {Later(time[anomaly.Start], time[anomaly.End])}";
            int alarm = result.Alarms.FirstOrDefault(t => t >= anomaly.Start && t <= anomaly.End, -1);
            string firstAlarm = alarm < 0 ? string.Empty : Invariant($"{Later(time[anomaly.Start], time[alarm])} ({Hours(alarm - anomaly.Start)})");
            if (hits.Length == 0)
            {
                rows.Add([anomaly.Kind, labelled, "missed", firstAlarm, "", "", ""]);
                continue;
            }

            // Found: an alarm inside the window. An event can overlap the window without one (its alarm came before it
            // or was suppressed by an earlier one); the early-alarm score does not count such a window as caught.
            AnomalyEvent first = result.Events[hits[0]];
            string found = alarm >= 0 ? "found" : "flagged, no alarm";
            rows.Add([
                anomaly.Kind,
                labelled,
                hits.Length == 1 ? found : Invariant($"{found} ({hits.Length} events)"),
                firstAlarm,
                Stamp(time[first.Start]),
                Invariant($"{Later(time[first.Start], time[first.PeakIndex])} ({Surprise(result, first.PeakIndex)})"),
                Later(time[first.Start], time[first.End]),
            ]);
        }

        terminal.Heading("Labelled anomalies and the events found");
        terminal.Table(["anomaly", "labelled window (UTC)", "result", "first alarm (delay)", "event onset", "peak (surprise)", "event end"], rows);
        foreach (InjectedAnomaly anomaly in generated.Anomalies)
        {
            terminal.Line($"  {anomaly.Kind}: {anomaly.Description}");
        }

        var falseEvents = new List<IReadOnlyList<string>>();
        for (int e = 0; e < result.Events.Count; e++)
        {
            if (!matched[e])
            {
                AnomalyEvent ev = result.Events[e];
                falseEvents.Add([
                    Stamp(time[ev.Start]),
                    Invariant($"{Later(time[ev.Start], time[ev.PeakIndex])} ({Surprise(result, ev.PeakIndex)})"),
                    Later(time[ev.Start], time[ev.End]),
                    Invariant($"{ev.Length}"),
                ]);
            }
        }

        terminal.Heading(falseEvents.Count == 0 ? "No event outside the labelled windows" : Invariant($"{falseEvents.Count} events outside every labelled window (false alarms)"));
        if (falseEvents.Count > 0)
        {
            terminal.Table(["onset", "peak (surprise)", "end", "steps"], falseEvents, 3);
        }
    }

    private static void WriteMetrics(Terminal terminal, bool[] labels, DetectionResult result)
    {
        EarlyAlarmScore early = AnomalyMetrics.EarlyAlarm(labels, result.Alarms);
        RangeDetectionScores ranges = AnomalyMetrics.RangeBased(labels, result.Flags);
        DetectionScores points = AnomalyMetrics.PointWise(labels, result.Flags);
        bool[] scored = result.IsScored.ToArray();
        double[] scores = [.. result.Scores.ToArray().Where((_, t) => scored[t])];
        bool[] truth = [.. labels.Where((_, t) => scored[t])];
        int eventsHit = result.Events.Count(e => labels.AsSpan(e.Start, e.Length).Contains(true));

        terminal.Heading("Scores against the labels (GruAnomaly.Evaluation.AnomalyMetrics)");
        terminal.Table(["metric", "value", "what it counts"],
        [
            ["labelled windows caught", Invariant($"{early.DetectedWindows}/{early.Windows}"), "windows with at least one alarm inside (event-wise recall by existence)"],
            ["events inside a window", Invariant($"{eventsHit}/{result.Events.Count}"), "detected events that overlap a labelled window (event-wise precision by existence)"],
            ["event-wise precision", F2(ranges.Precision), "range-based (Tatbul et al. 2018): how much of each detected event is labelled"],
            ["event-wise recall", F2(ranges.Recall), "range-based: how much of each labelled window is flagged"],
            ["event-wise F1", F2(ranges.F1), "range-based"],
            ["point-wise F1", F2(points.F1), Invariant($"every point counts: precision {points.Precision:F2}, recall {points.Recall:F2}")],
            ["early-alarm score", Invariant($"{early.NormalizedScore:F1}"), Invariant($"NAB-style, 0 = no alarm, 100 = every window at its first step; {early.FalseAlarms} false alarms, mean delay {(double.IsNaN(early.MeanDelay) ? "–" : Hours((int)Math.Round(early.MeanDelay)))}")],
            ["PR-AUC", Invariant($"{AnomalyMetrics.AveragePrecision(truth, scores):F3}"), "average precision of the scores, before any threshold"],
            ["ROC-AUC", Invariant($"{AnomalyMetrics.RocAuc(truth, scores):F3}"), "the scores ranking anomalous points above normal ones"],
        ], 1);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Surprise(DetectionResult result, int time) =>
        result.Surprise[time].ToString(result.Surprise[time] < 100 ? "F1" : "F0", CultureInfo.InvariantCulture);

    private static string F2(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset time) => time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Stamp(DateTimeOffset time) => time.ToString("ddd yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The time of day when <paramref name="time"/> is on the day of <paramref name="since"/>, else day and time.</summary>
    private static string Later(DateTimeOffset since, DateTimeOffset time) =>
        time.ToString(time.Date == since.Date ? "HH:mm" : "ddd MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Hours(int steps) => steps == 0 ? "0" : Invariant($"{steps * 0.5:0.#} h");
}
