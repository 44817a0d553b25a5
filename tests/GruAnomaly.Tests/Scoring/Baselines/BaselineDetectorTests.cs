using GruAnomaly.Detection;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Scoring.Baselines;

/// <summary>
/// Each baseline through the whole detector (scaling, combination, peaks-over-threshold, events) on the synthetic sine
/// with one spike: they train nothing, so every scored training step calibrates the threshold.
/// </summary>
public sealed class BaselineDetectorTests(ITestOutputHelper output)
{
    private const int TrainingLength = 2000;
    private const int TestLength = 800;
    private const int SpikeAt = 420;
    private const int Window = 16;

    [Theory]
    [InlineData("naive")]
    [InlineData("seasonal naive")]
    [InlineData("rolling z-score")]
    [InlineData("windowed gaussian")]
    public void EachBaselineFlagsAnInjectedSpike(string name)
    {
        IAnomalyScorer scorer = Create(name);
        var training = new TimeSeries(Synthetic.Normal(TrainingLength, seed: 1));
        (float[] values, bool[] labels, _) = Synthetic.WithAnomaly(Synthetic.Kind.Spike, TestLength, SpikeAt, seed: 2);

        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder()
            .WithScorer(scorer)
            .WithWindow(Window)
            .WithSmoothing(1)
            .WithScoreNormalization(ScoreNormalization.None)
            .WithLoss(GruAnomaly.Losses.Loss.Mse) // baselines ignore the loss; a point loss lets the event rules prune
            .WithEventRules(new EventRules { MinimumPercentDecrease = 0.13 })
            .WithThreshold(Threshold.PeaksOverThreshold(riskLevel: 1e-3))
            .Build()
            .Fit(training);
        DetectionResult result = fitted.Detect(new TimeSeries(values));

        (double recall, double precision) = SyntheticAnomalyTests.EventScores(result.Events, labels, fitted.Scorer.WarmUp);
        output.WriteLine($"{fitted.Scorer.Name}: threshold {fitted.Threshold.Value:F4}, spike score {result.Scores[SpikeAt]:F4}, " +
            $"{result.Events.Count} events [{string.Join(", ", result.Events.Select(e => $"{e.Start}-{e.End}"))}]");
        Assert.True(result.Flags[SpikeAt], $"{fitted.Scorer.Name} did not flag the spike");
        Assert.Equal(1.0, recall);
        Assert.True(precision >= 0.5, $"event precision {precision:F2} < 0.5");
        Assert.Null(fitted.History);
        Assert.Equal(TrainingLength - fitted.Scorer.WarmUp, fitted.CalibrationScores);
        Assert.All(Enumerable.Range(0, fitted.Scorer.WarmUp), t => Assert.False(result.IsScored[t]));
    }

    [Fact]
    public void ExplainPointsAtTheSpikeAndTheInputItIsComparedWith()
    {
        // Naive lag 1: the score at the spike is |x(t) − x(t − 1)|, so the saliency is ±1/scale on those two steps only.
        var training = new TimeSeries(Synthetic.Normal(TrainingLength, seed: 1));
        (float[] values, _, _) = Synthetic.WithAnomaly(Synthetic.Kind.Spike, TestLength, SpikeAt, seed: 2);
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder().WithScorer(Scorer.Naive()).WithWindow(Window).Build().Fit(training);

        Explanation why = fitted.Explain(new TimeSeries(values), SpikeAt);

        float scale = fitted.Scaler.Scales[0];
        Assert.Equal((SpikeAt - 1, 2), (why.WindowStart, why.Window));
        Assert.Equal(-1 / scale, why.SaliencyAt(0, 0), 1e-6f);
        Assert.Equal(1 / scale, why.SaliencyAt(1, 0), 1e-6f);
    }

    private static IAnomalyScorer Create(string name) => name switch
    {
        "naive" => Scorer.Naive(),
        "seasonal naive" => Scorer.Naive(lag: Synthetic.Period),
        "rolling z-score" => Scorer.RollingZScore(),
        _ => Scorer.WindowedGaussian(),
    };

    [Fact]
    public void ABaselineFitsWithTheMahalanobisCombination()
    {
        // Nothing was trained, so every scored step is held out; the combination then learns from all of them.
        (float[] values, bool[] labels, int features) = Synthetic.WithAnomaly(Synthetic.Kind.CorrelationBreak, 2400, 2000, seed: 4);
        var training = new TimeSeries(values.AsSpan(0, 1600 * features), features);
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder()
            .WithScorer(Scorer.Naive())
            .WithWindow(Window)
            .WithLoss(GruAnomaly.Losses.Loss.Mse)
            .WithErrorCombination(ErrorCombination.Mahalanobis)
            .Build()
            .Fit(training);
        DetectionResult result = fitted.Detect(new TimeSeries(values, features));
        Assert.Equal(labels.Length, result.Length);
        Assert.All(result.Scores.ToArray(), s => Assert.True(double.IsFinite(s)));
    }
}
