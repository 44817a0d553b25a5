using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Persistence;

namespace GruAnomaly.Tests.Detection;

/// <summary>
/// The scorer a user gets without choosing one: the GRU's forecast fused point by point with a rolling z-score, a
/// windowed Gaussian and two nearest-neighbour distances.
/// </summary>
public sealed class DefaultScorerTests
{
    private static AnomalyDetectorBuilder QuickDefault() => AnomalyDetector.CreateBuilder()
        .WithWindow(16)
        .WithModel(Models.Gru(hiddenSize: 8))
        .WithTrainer(AnomalyDetectorTests.Quick);

    [Fact]
    public void TheDefaultFusesTheForecastWithFourScorersThatTrainNothing()
    {
        var fusion = Assert.IsType<FusionScorer>(AnomalyDetector.CreateBuilder().Build().Settings.Scorer);

        Assert.Equal((FusionMethod.TailProbability, FusionCalibration.PerPoint), (fusion.Method, fusion.Calibration));
        Assert.Collection(fusion.Components,
            c => Assert.Equal(1, Assert.IsType<ForecastScorer>(c).Horizon),
            c => Assert.Null(Assert.IsType<RollingZScoreScorer>(c).Window),
            c => Assert.Equal(500, Assert.IsType<WindowedGaussianScorer>(c).Window),
            c => Assert.Equal(2000, Assert.IsType<MultiLengthNearestNeighbourScorer>(c).Reference),
            c => Assert.Equal((null, true, 2000), NearestNeighbour(c)));
        Assert.Equal(Scorer.Default().Name, fusion.Name);
        // It needs the series the forecast needs: the windowed Gaussian joins once it has its 500 points.
        Assert.Equal(17, fusion.MinimumLength(16));
        Assert.True(fusion.IsAdaptable);
        Assert.False(Scorer.Fusion(Scorer.Naive(), Scorer.RollingZScore()).IsAdaptable);
    }

    [Fact]
    public void ACombinationThatNeedsResidualsIsRefusedAtBuild()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            AnomalyDetector.CreateBuilder().WithLoss(Loss.Mse).WithErrorCombination(ErrorCombination.Mahalanobis).Build());

        Assert.Contains($"WithErrorCombination: mahalanobis needs signed residuals, but the scorer {Scorer.Default().Name} fuses calibrated surprises",
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

    [Fact]
    public void AWindowLongerThanTheDistancesReferenceIsRefusedAtBuild()
    {
        var exception = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithWindow(2001).Build());

        Assert.Contains($"WithWindow: window 2001 is longer than the 2000 steps the scorer {Scorer.Default().Name} can take", exception.Message,
            StringComparison.Ordinal);
        Assert.Equal(2000, Scorer.Default().MaximumWindow);
        Assert.NotNull(AnomalyDetector.CreateBuilder().WithWindow(2000).Build());
        Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithWindow(11).WithScorer(Scorer.NearestNeighbour(reference: 10)).Build());
        // With a length of its own the distance takes any window; a scorer of your own takes any unless it says otherwise.
        Assert.Equal(int.MaxValue, Scorer.NearestNeighbour(length: 5, reference: 10).MaximumWindow);
        Assert.Equal(int.MaxValue, Scorer.Forecast().MaximumWindow);
    }

    [Fact]
    public void AnAutomaticWindowIsNoLongerThanTheDistancesReference()
    {
        // A 48-step period would give window 48; a reference of 20 steps takes at most 20.
        float[] values = [.. Enumerable.Range(0, 2000).Select(t => (float)Math.Sin(2 * Math.PI * t / 48))];
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder().WithModel(Models.Gru(hiddenSize: 4)).WithTrainer(AnomalyDetectorTests.Quick)
            .WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.NearestNeighbour(reference: 20))).Build().Fit(values);

        Assert.Equal(20, fitted.Window);
        Assert.Contains("bounded to [8, 20]", fitted.Choices.Automatic[0], StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultFitsASeriesShorterThanItsWindowedGaussianAndAConstantOneRaisesNothing()
    {
        var logger = new ListLogger();
        var training = new TimeSeries(Synthetic.Normal(300, seed: 35));
        FittedAnomalyDetector fitted = QuickDefault().WithLogger(logger).Build().Fit(training);

        Assert.Contains(logger.Events, e => e.EventId == 41 && e.Message.StartsWith("Fusion component windowed-gaussian(window=500) adds nothing", StringComparison.Ordinal));
        Assert.EndsWith("; adding nothing, the training series too short for them: windowed-gaussian(window=500))", fitted.Scorer.Name, StringComparison.Ordinal);
        Assert.Equal(fitted.Scorer.Name, Persisted.RoundTrip(fitted).Scorer.Name);
        Assert.Equal(300, fitted.Detect(training).Scores.Length);

        // The windowed Gaussian stands in with its typical surprise until it has 500 points, so its joining moves nothing.
        var constant = new TimeSeries(Enumerable.Repeat(3f, 1200).ToArray());
        DetectionResult result = QuickDefault().Build().Fit(constant).Detect(constant);
        Assert.Single(result.RawScores[16..].ToArray().Distinct());
        Assert.Empty(result.Alarms);
    }

    private static (int? Length, bool Normalize, int Reference) NearestNeighbour(IAnomalyScorer scorer)
    {
        var neighbour = Assert.IsType<NearestNeighbourScorer>(scorer);
        return (neighbour.Length, neighbour.Normalize, neighbour.Reference);
    }

    private static FittedAnomalyDetector BuildFusion(params IAnomalyScorer[] components) =>
        QuickDefault().WithScorer(Scorer.Fusion(components)).Build().Fit(new TimeSeries(Synthetic.Normal(400, seed: 34)));
}
