using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Tests.Persistence;
using GruAnomaly.Tests.Scoring.Baselines;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Tests.Scoring;

/// <summary>
/// A fusion asks only for the series length its first component needs: a component that needs more (a windowed
/// Gaussian over 500 points beside a GRU with a window of 16) stands in with its median calibration error on a shorter
/// series, and one that cannot score the training series is left uncalibrated.
/// </summary>
public sealed class FusionShortSeriesTests
{
    [Fact]
    public void AFusionNeedsOnlyTheLengthItsFirstComponentNeeds()
    {
        Assert.Equal(2, Scorer.Fusion(Scorer.Naive(), Scorer.RollingZScore(50)).MinimumLength(4));
        Assert.Equal(51, Scorer.Fusion(Scorer.RollingZScore(50), Scorer.Naive()).MinimumLength(4));
    }

    [Fact]
    public void AComponentThatNeedsALongerSeriesStandsInWithItsMedianOnAShorterOne()
    {
        var fusion = (FittedFusionScorer)Fit(Noise(seed: 40, length: 400), new ListLogger());
        Assert.Equal("fusion(tail: naive(lag=1) + rolling-z-score(window=50))", fusion.Name);
        float[] longer = Noise(seed: 41, length: 80);
        float[] shorter = longer[..30];

        (_, float[] fused) = BaselineScoring.Score(fusion, shorter);
        (_, float[] naive) = BaselineScoring.Score(fusion.Components[0], shorter);
        (_, float[] fusedLonger) = BaselineScoring.Score(fusion, longer);
        (_, float[] naiveLonger) = BaselineScoring.Score(fusion.Components[0], longer);
        (_, float[] zLonger) = BaselineScoring.Score(fusion.Components[1], longer);

        Assert.Equal(float.NaN, fused[0]);
        double standIn = CalibratedTail.Surprise(fusion.Calibrations[1]!, null, (float)fusion.Calibrations[1]!.Quantile(0.5));
        Assert.InRange(standIn, 0.2, 0.4);
        for (int t = 1; t < shorter.Length; t++)
        {
            Assert.Equal((float)(CalibratedTail.Surprise(fusion.Calibrations[0]!, null, Math.Abs(naive[t])) + standIn), fused[t]);
        }

        // On the longer series the z-score joins at its warm-up of 50, and every step before that scores as on the shorter one.
        Assert.Equal(fused, fusedLonger[..30]);
        for (int t = 50; t < longer.Length; t++)
        {
            double both = CalibratedTail.Surprise(fusion.Calibrations[0]!, null, Math.Abs(naiveLonger[t]))
                + CalibratedTail.Surprise(fusion.Calibrations[1]!, null, Math.Abs(zLonger[t]));
            Assert.Equal((float)both, fusedLonger[t]);
        }

        // The short series is explained by the component that scored it.
        var spiked = (float[])shorter.Clone();
        spiked[20] += 5;
        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(fusion, spiked, time: 20, seed: 3);
    }

    [Fact]
    public void AComponentThatCannotScoreTheTrainingSeriesIsLeftUncalibratedAndSaysSo()
    {
        var logger = new ListLogger();
        var fusion = (FittedFusionScorer)Fit(Noise(seed: 42, length: 30), logger);
        float[] series = Noise(seed: 43, length: 80);

        (_, float[] fused) = BaselineScoring.Score(fusion, series);
        (_, float[] naive) = BaselineScoring.Score(fusion.Components[0], series);

        Assert.NotNull(fusion.Calibrations[0]);
        Assert.Null(fusion.Calibrations[1]);
        Assert.Equal("fusion(tail: naive(lag=1) + rolling-z-score(window=50); adding nothing, the training series too short for them: rolling-z-score(window=50))",
            fusion.Name);
        (LogLevel level, _, string message) = Assert.Single(logger.Events, e => e.EventId == 41);
        Assert.Equal(LogLevel.Information, level);
        Assert.Equal(
            "Fusion component rolling-z-score(window=50) adds nothing to this detector: the training series has 30 time steps and it scores only series of at least 51, so it has no calibration",
            message);
        // Even where the z-score has errors, the fused error is the first difference's alone.
        for (int t = 1; t < series.Length; t++)
        {
            Assert.Equal((float)CalibratedTail.Surprise(fusion.Calibrations[0]!, null, Math.Abs(naive[t])), fused[t]);
        }
    }

    [Fact]
    public void ADetectorFusingAWindowedGaussianFitsAndDetectsSeriesShorterThanItsWindow()
    {
        var logger = new ListLogger();
        AnomalyDetector detector = AnomalyDetector.CreateBuilder()
            .WithWindow(16)
            .WithModel(Models.Gru(hiddenSize: 8))
            .WithTrainer(AnomalyDetectorTests.Quick)
            .WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(), Scorer.WindowedGaussian(window: 500)))
            .WithLogger(logger)
            .Build();
        float[] values = Synthetic.Normal(300, seed: 44);
        values[200] += 6;

        FittedAnomalyDetector shortFit = detector.Fit(new TimeSeries(Synthetic.Normal(400, seed: 45)));
        FittedAnomalyDetector longFit = detector.Fit(new TimeSeries(Synthetic.Normal(900, seed: 45)));

        Assert.Equal(17, shortFit.MinimumLength);
        Assert.Contains(logger.Events, e => e.EventId == 41 && e.Message.Contains("has 400 time steps", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Events, e => e.EventId == 41 && e.Message.Contains("has 900 time steps", StringComparison.Ordinal));
        foreach (FittedAnomalyDetector fitted in new[] { shortFit, longFit })
        {
            DetectionResult result = fitted.Detect(new TimeSeries(values));
            Assert.True(result.IsScored[16]);
            Assert.Contains(200, result.Alarms);
            Explanation explanation = fitted.Explain(new TimeSeries(values), 200);
            // The forecast's window before the point: the windowed Gaussian, which scores nothing here, explains nothing either.
            Assert.Equal((184, 16), (explanation.WindowStart, explanation.Window));
            Assert.Contains(explanation.Saliency.ToArray(), s => s != 0f);
            DetectorStreamTests.AssertSameAsDetect(fitted, values);
            DetectorStreamTests.AssertSameAsDetect(Persisted.RoundTrip(fitted), values);
        }

        // A longer series scores its first 500 steps as the short one does: the windowed Gaussian joins after them, in a
        // stream at the same step as in Detect.
        float[] longer = [.. values, .. Synthetic.Normal(400, seed: 46)];
        Assert.Equal(longFit.Detect(new TimeSeries(values)).Scores.ToArray(), longFit.Detect(new TimeSeries(longer)).Scores[..300].ToArray());
        DetectorStreamTests.AssertSameAsDetect(longFit, longer);
    }

    private static IFittedScorer Fit(float[] training, ILogger logger) =>
        Scorer.Fusion(Scorer.Naive(), Scorer.RollingZScore(50)).Fit(new ScorerFitContext
        {
            Inputs = training,
            Observed = training,
            Features = 1,
            Window = 4,
            Stride = 1,
            Model = Models.Gru(hiddenSize: 4),
            Trainer = new TrainerOptions(),
            Logger = logger,
        }, progress: null, CancellationToken.None);

    private static float[] Noise(int seed, int length)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble())];
    }
}
