using System.Globalization;
using System.Text;
using GruAnomaly.Detection;
using GruAnomaly.Quality;

namespace GruAnomaly.Tests.Quality;

/// <summary>The quality benchmark's labels only score: nothing a detector is fitted on or run on depends on them.</summary>
public sealed class NoPeekingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gruanomaly-quality-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void FlippingEveryLabelChangesNothingBeforeScoring()
    {
        LabelledSeries plain = Write("plain", flip: false);
        LabelledSeries flipped = Write("flipped", flip: true);
        Assert.NotEqual(plain.Labels, flipped.Labels);
        foreach (Protocol protocol in new[] { Protocol.Offline, Protocol.Streaming })
        {
            TimeSeries fitA = protocol.FitPart(plain), fitB = protocol.FitPart(flipped);
            Assert.Equal(fitA.Values.ToArray(), fitB.Values.ToArray());

            // Whatever a candidate builds, it sees the training values only, so the fitted detectors score alike.
            Candidate candidate = Candidates.Baselines[1];
            FittedAnomalyDetector a = candidate.Create(fitA).Fit(fitA), b = candidate.Create(fitB).Fit(fitB);
            JudgedRun runA = protocol.RunPart(plain, a.Scorer.WarmUp), runB = protocol.RunPart(flipped, b.Scorer.WarmUp);
            Assert.Equal(runA.Series.Values.ToArray(), runB.Series.Values.ToArray());
            Assert.Equal(runA.JudgedFrom, runB.JudgedFrom);
            Assert.Equal(a.Detect(runA.Series).Scores.ToArray(), b.Detect(runB.Series).Scores.ToArray());
            Assert.NotEqual(runA.Labels, runB.Labels);
        }
    }

    [Fact]
    public void ProtocolsSplitWhereTheyShould()
    {
        LabelledSeries series = Write("plain", flip: false);

        // Offline: the train rows (2000–3999) and the test rows (0–1999), as the split column says.
        Assert.Equal(2000, Protocol.Offline.FitPart(series).Length);
        Assert.Equal(series.Values[2000], Protocol.Offline.FitPart(series).Values[0]);
        JudgedRun offline = Protocol.Offline.RunPart(series, context: 10);
        Assert.Equal((2000, 0), (offline.Series.Length, offline.JudgedFrom));

        // Streaming: the leading 1000 rows (at least 1000, else a fifth), then the rest with the warm-up as context.
        Assert.Equal(1000, Protocol.Streaming.FitPart(series).Length);
        JudgedRun streaming = Protocol.Streaming.RunPart(series, context: 10);
        Assert.Equal((3010, 10, 3000), (streaming.Series.Length, streaming.JudgedFrom, streaming.Labels.Length));
        Assert.Equal(series.Values[990], streaming.Series.Values[0]);
    }

    [Fact]
    public void ACandidateTheSeriesCannotServeIsReportedAsSkippedAndLeftOutOfTheMeans()
    {
        LabelledSeries series = Write("plain", flip: false);
        // A windowed Gaussian over 3000 points cannot score a 2000-point test split.
        var tooLong = new Candidate("too long", false, b => b.WithScorer(GruAnomaly.Scoring.Scorer.WindowedGaussian(window: 3000)));

        SeriesResult skipped = SeriesResult.Measure(series, Protocol.Offline, tooLong);
        SeriesResult measured = SeriesResult.Measure(series, Protocol.Offline, Candidates.Baselines[1]);

        Assert.True(skipped.IsSkipped);
        Assert.Contains("skipped: ", skipped.Notes, StringComparison.Ordinal);
        Assert.True(double.IsNaN(skipped.EarlyStandard) && double.IsNaN(skipped.PrAuc));
        Assert.False(measured.IsSkipped);
        string report = Report.Markdown([skipped, measured], [tooLong, Candidates.Baselines[1]], [Protocol.Offline], TimeSpan.FromSeconds(1));
        Assert.Contains("| plain | skipped: ", report, StringComparison.Ordinal);
    }

    [Fact]
    public void TheScoreDumpHoldsTheJudgedRunStepByStepAndTheOverriddenSpan()
    {
        LabelledSeries series = Write("plain", flip: false);
        string dumpFolder = Path.Combine(_folder, "scores");
        Candidate unsmoothed = Candidates.Baselines[0].WithSmoothing(1);

        SeriesResult measured = SeriesResult.Measure(series, Protocol.Streaming, unsmoothed, new ScoreDump(dumpFolder));

        string stem = Path.Combine(dumpFolder, "plain__streaming__rolling_z-score");
        string[] run = File.ReadAllLines(stem + ".run.csv"), training = File.ReadAllLines(stem + ".train.csv");
        string[] meta = File.ReadAllLines(stem + ".meta.csv")[1].Split(',');
        Assert.Equal("1", meta[0]);
        int warmUp = int.Parse(meta[1], CultureInfo.InvariantCulture);
        // One row per step after the header: the 1000 fitted points, then the 3000 streamed ones after the warm-up's context.
        Assert.Equal(1 + 1000, training.Length);
        Assert.Equal(1 + 3000 + warmUp, run.Length);
        int[] judged = [.. run.Skip(1).Select(r => int.Parse(r.Split(',')[6], CultureInfo.InvariantCulture))];
        int[] labels = [.. run.Skip(1).Select(r => int.Parse(r.Split(',')[5], CultureInfo.InvariantCulture))];
        Assert.Equal(warmUp, judged.Count(j => j == 0));
        Assert.Equal(series.Labels.Skip(1000).Select(l => l ? 1 : 0), labels.Skip(warmUp));
        Assert.False(measured.IsSkipped);

        // The scores and alarms written are the detector's, to the last bit: the same candidate fitted again gives them.
        // Offline, the labelled spike at step 550 lies in the judged test rows (streaming fits on it).
        SeriesResult.Measure(series, Protocol.Offline, unsmoothed, new ScoreDump(dumpFolder));
        TimeSeries fit = Protocol.Offline.FitPart(series);
        FittedAnomalyDetector fitted = unsmoothed.Create(fit).Fit(fit);
        DetectionResult result = fitted.Detect(Protocol.Offline.RunPart(series, fitted.Scorer.WarmUp).Series);
        string[][] rows = [.. File.ReadAllLines(Path.Combine(dumpFolder, "plain__offline__rolling_z-score.run.csv")).Skip(1).Select(r => r.Split(','))];
        Assert.Equal(result.Scores.ToArray(), rows.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)));
        Assert.Equal(result.Thresholds.ToArray(), rows.Select(r => double.Parse(r[3], CultureInfo.InvariantCulture)));
        Assert.Equal(result.Flags.ToArray(), rows.Select(r => r[4] == "1"));
        Assert.Equal(result.IsAlarm.ToArray(), rows.Select(r => r[7] == "1"));
        Assert.Contains(true, result.IsAlarm.ToArray());
    }

    /// <summary>A 4000-row series in the shared datasets' layout: test rows first, then train rows, labels at 500–599.</summary>
    private LabelledSeries Write(string name, bool flip)
    {
        var csv = new StringBuilder("index,value,label,split\n");
        for (int t = 0; t < 4000; t++)
        {
            bool label = (t is >= 500 and < 600) != flip;
            float value = (float)Math.Sin(t * 0.3) + (t == 550 ? 3 : 0);
            csv.Append(CultureInfo.InvariantCulture, $"{t},{value},{(label ? 1 : 0)},{(t < 2000 ? "test" : "train")}\n");
        }

        string path = Path.Combine(_folder, name + ".csv");
        File.WriteAllText(path, csv.ToString());
        return LabelledSeries.Load(path, name);
    }
}
