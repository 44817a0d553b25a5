using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Detection;

/// <summary>The scorer a user gets without choosing one: the GRU's forecast fused with a rolling z-score.</summary>
public sealed class DefaultScorerTests
{
    private static AnomalyDetectorBuilder QuickDefault() => AnomalyDetector.CreateBuilder()
        .WithWindow(16)
        .WithModel(Models.Gru(hiddenSize: 8))
        .WithTrainer(AnomalyDetectorTests.Quick);

    [Fact]
    public void TheDefaultFusesTheForecastWithARollingZScore()
    {
        var fusion = Assert.IsType<FusionScorer>(AnomalyDetector.CreateBuilder().Build().Settings.Scorer);

        Assert.Equal(FusionMethod.TailProbability, fusion.Method);
        Assert.Collection(fusion.Components, c => Assert.IsType<ForecastScorer>(c), c => Assert.IsType<RollingZScoreScorer>(c));
        Assert.Equal(Scorer.Default().Name, fusion.Name);
        Assert.True(fusion.IsAdaptable);
        Assert.False(Scorer.Fusion(Scorer.Naive(), Scorer.RollingZScore()).IsAdaptable);
    }

    [Fact]
    public void ACombinationThatNeedsResidualsIsRefusedAtBuild()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            AnomalyDetector.CreateBuilder().WithLoss(Loss.Mse).WithErrorCombination(ErrorCombination.Mahalanobis).Build());

        Assert.Contains("WithErrorCombination: mahalanobis needs signed residuals, but the scorer fusion(tail: forecast + rolling-z-score) fuses calibrated surprises",
            exception.Message, StringComparison.Ordinal);
        Assert.NotNull(AnomalyDetector.CreateBuilder().WithScorer(Scorer.Forecast()).WithLoss(Loss.Mse)
            .WithErrorCombination(ErrorCombination.Mahalanobis).Build());
    }

    [Fact]
    public void TheFittedDefaultExposesItsGruForExport()
    {
        FittedAnomalyDetector fitted = QuickDefault().Build().Fit(new TimeSeries(Synthetic.Normal(400, seed: 31)));

        TrainedNetwork network = Assert.IsType<TrainedNetwork>(fitted.Scorer.TrainedNetwork);
        Assert.Single(network.Network.Layers);
        Assert.Null(BuildFusion(Scorer.Naive(), Scorer.RollingZScore()).Scorer.TrainedNetwork);
    }

    [Fact]
    public void OnlineAdaptationFineTunesTheGruAndKeepsTheCalibrations()
    {
        var training = new TimeSeries(Synthetic.Normal(600, seed: 32));
        float[] drifting = Synthetic.Normal(900, seed: 33);
        for (int t = 0; t < drifting.Length; t++)
        {
            drifting[t] += t / 300f;
        }

        var test = new TimeSeries(drifting);
        FittedAnomalyDetector plain = QuickDefault().Build().Fit(training);
        FittedAnomalyDetector adapting = QuickDefault().WithOnlineAdaptation(new OnlineAdaptation { Every = 200, Recent = 400 }).Build().Fit(training);

        DetectionResult adapted = adapting.Detect(test);

        Assert.Equal(adapted.Scores.ToArray(), adapting.Detect(test).Scores.ToArray());
        // Nothing is fine-tuned before the first 200 points are scored; after that the weights move with the drift.
        double[] fixedScores = plain.Detect(test).Scores.ToArray();
        Assert.Equal(fixedScores[..200], adapted.Scores[..200].ToArray(), (a, b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(a)));
        Assert.NotEqual(fixedScores[300..], adapted.Scores[300..].ToArray());
    }

    private static FittedAnomalyDetector BuildFusion(params IAnomalyScorer[] components) =>
        QuickDefault().WithScorer(Scorer.Fusion(components)).Build().Fit(new TimeSeries(Synthetic.Normal(400, seed: 34)));
}
