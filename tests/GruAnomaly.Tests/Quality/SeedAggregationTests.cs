using GruAnomaly.Quality;

namespace GruAnomaly.Tests.Quality;

/// <summary>The quality benchmark's <c>--seeds</c>: one series' runs with several seeds become their mean, and each seed's summary stays readable.</summary>
public sealed class SeedAggregationTests
{
    [Fact]
    public void TheMeanOfSeveralSeedsAveragesEveryFigureThatARunHas()
    {
        SeriesResult caught = Run("default", early: 90, detected: 1, falseAlarms: 2, prAuc: 0.6, delay: 10);
        SeriesResult missed = Run("default", early: -10, detected: 0, falseAlarms: 1, prAuc: 0.2, delay: double.NaN);

        SeriesResult mean = SeriesResult.Average([caught, missed]);

        Assert.Equal(40, mean.EarlyStandard, 9);
        Assert.Equal(0.5, mean.DetectedWindows, 9);
        Assert.Equal(1.5, mean.FalseAlarms, 9);
        Assert.Equal(0.4, mean.PrAuc, 9);
        // A delay exists only where a window was caught: the mean is over those runs.
        Assert.Equal(10, mean.MeanDelay);
        Assert.Equal(2.0, mean.FitSeconds);
        Assert.Same(caught, SeriesResult.Average([caught]));
        // A series too short for a candidate is too short whatever the seed: the skip stands for every run.
        SeriesResult skipped = caught with { Notes = "skipped: the series is too short" };
        Assert.Same(skipped, SeriesResult.Average([caught, skipped]));
    }

    [Fact]
    public void EachSeedIsJudgedAgainstTheSameBaselines()
    {
        Candidate[] candidates = [new("default", false, b => b), new("naive", true, b => b)];
        (SeriesResult, int?)[] runs =
        [
            (Run("default", early: 80, detected: 1, falseAlarms: 0, prAuc: 0.9, delay: 5), 0),
            (Run("default", early: 20, detected: 1, falseAlarms: 3, prAuc: 0.1, delay: 40), 1),
            (Run("naive", early: 50, detected: 1, falseAlarms: 1, prAuc: 0.5, delay: 20), null),
        ];

        string report = Report.Seeds(runs, candidates, [Protocol.Offline]);

        Assert.Contains("| default | 0 | 80.0 | 0.50 | 0.90 | 1/1 | 0 | 0 / 0 / 0 of 1 | 0 / 0 / 0 of 1 |", report, StringComparison.Ordinal);
        Assert.Contains("| default | 1 | 20.0 | 0.50 | 0.10 | 1/1 | 3 | 1 / 0 / 1 of 1 | 1 / 0 / 1 of 1 |", report, StringComparison.Ordinal);
        Assert.DoesNotContain("| naive |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSummaryNamesTheSeriesLostToTheirBestBaselineAndByHowMuch()
    {
        Candidate[] candidates = [new("default", false, b => b), new("naive", true, b => b), new("z", true, b => b)];
        SeriesResult[] results =
        [
            Run("default", early: 80, detected: 1, falseAlarms: 0, prAuc: 0.3, delay: 5),
            Run("naive", early: 90, detected: 1, falseAlarms: 0, prAuc: 0.2, delay: 1),
            Run("z", early: 50, detected: 1, falseAlarms: 0, prAuc: 0.45, delay: 9),
            Run("default", early: 70, detected: 1, falseAlarms: 0, prAuc: 0.9, delay: 5) with { Series = "ecg/y" },
            Run("naive", early: 60, detected: 1, falseAlarms: 0, prAuc: 0.5, delay: 1) with { Series = "ecg/y" },
            // A judged part without a labelled window has no early-alarm score, event F1 or PR-AUC: it cannot be lost, so it
            // is not among the series the losses are counted of.
            Unlabelled("default"),
            Unlabelled("naive"),
            Unlabelled("z"),
        ];

        string summary = Report.Summary(results, candidates, [Protocol.Offline]);

        // 1 of 2 is more than a third; the best-mean baseline on PR-AUC (z) has a value on one series only.
        Assert.Contains("- default: 1 / 0 / 1 of 2 (more than a third on early-alarm, PR-AUC)", summary, StringComparison.Ordinal);
        Assert.Contains("(naive / naive / z):", summary, StringComparison.Ordinal);
        Assert.Contains("- default: 1 / 0 / 1 of 2 / 2 / 1 (more than a third on early-alarm, PR-AUC)", summary, StringComparison.Ordinal);
        Assert.Contains("  - early-alarm: ecg/x 80.0 against 90.0 (naive)", summary, StringComparison.Ordinal);
        Assert.Contains("  - PR-AUC: ecg/x 0.30 against 0.45 (z)", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("  - event F1:", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("ecg/y 70.0", summary, StringComparison.Ordinal);
    }

    private static SeriesResult Unlabelled(string candidate) =>
        Run(candidate, early: 0, detected: 0, falseAlarms: 1, prAuc: double.NaN, delay: double.NaN) with
        {
            Series = "ecg/none", Windows = 0, EventPrecision = double.NaN, EventRecall = double.NaN, EventF1 = double.NaN,
        };

    private static SeriesResult Run(string candidate, double early, int detected, int falseAlarms, double prAuc, double delay) =>
        new("ecg/x", Protocol.Offline.Name, candidate, 1, detected, falseAlarms, early, early, early, 0.5, 0.5, 0.5, 0.5, prAuc, delay, 1, 0.5, "Automatic");
}
