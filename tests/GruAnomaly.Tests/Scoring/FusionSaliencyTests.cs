using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Scoring.Baselines;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace GruAnomaly.Tests.Scoring;

public sealed class FusionSaliencyTests
{
    private const int Features = 2;

    [Fact]
    public void TailFusionSaliencyMatchesFiniteDifferencesBeyondTheCalibration()
    {
        // Beyond its largest calibration error every component's surprise is linear in the error, so the fused error is
        // smooth there and central differences read its exact slope.
        IFittedScorer fusion = Fit(FusionMethod.TailProbability);
        float[] series = Spiked(seed: 21);

        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(fusion, series, time: 30, seed: 5);
    }

    [Fact]
    public void MaximumFusionSaliencyFollowsTheDecidingComponent()
    {
        // At the spike each component's surprise is linear in its error, and one of them is the larger by far; the fused
        // error moves with that one alone.
        IFittedScorer fusion = Fit(FusionMethod.Maximum);
        float[] series = Spiked(seed: 21);

        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(fusion, series, time: 30, seed: 5);
    }

    [Fact]
    public void MaximumFusionScoresTheLargestCalibratedSurprise()
    {
        var fusion = (FittedFusionScorer)Fit(FusionMethod.Maximum);
        float[] series = Spiked(seed: 25);
        (_, float[] fused) = BaselineScoring.Score(fusion, series);
        float[][] parts = [.. Enumerable.Range(0, fusion.Components.Length).Select(c => BaselineScoring.Score(fusion.Components[c], series).Errors)];

        Assert.Equal("fusion(maximum: naive(lag=1) + rolling-z-score(window=5))", fusion.Name);
        Assert.Equal(1, fusion.WarmUp);
        for (int i = fusion.WarmUp * Features; i < series.Length; i++)
        {
            // From the naive forecast's warm-up of 1 on; the z-score stands in with its median calibration error until its 5
            // steps are there.
            double largest = 0;
            for (int c = 0; c < parts.Length; c++)
            {
                EmpiricalDistribution calibration = fusion.Calibrations[(c * Features) + (i % Features)]!;
                Assert.Equal(i < 5 * Features && c == 1, float.IsNaN(parts[c][i]));
                float error = float.IsNaN(parts[c][i]) ? (float)calibration.Quantile(0.5) : Math.Abs(parts[c][i]);
                largest = Math.Max(largest, CalibratedTail.Surprise(calibration, null, error));
            }

            Assert.Equal((float)largest, fused[i]);
        }
    }

    [Theory]
    [InlineData(FusionMethod.TailProbability)]
    [InlineData(FusionMethod.Maximum)]
    public void PointFusionSaliencyMatchesFiniteDifferences(FusionMethod method)
    {
        IFittedScorer fusion = Fit(method, FusionCalibration.PerPoint);
        float[] series = Spiked(seed: 21);

        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(fusion, series, time: 30, seed: 5);
    }

    [Fact]
    public void PointFusionCalibratesEachComponentsMeanErrorOverAPointsFeatures()
    {
        var fusion = (FittedFusionScorer)Fit(FusionMethod.TailProbability, FusionCalibration.PerPoint);
        float[] training = Noise(seed: 20, length: 400);
        float[] series = Spiked(seed: 25);
        float[] observed = [.. series];
        observed[(40 * Features) + 1] = float.NaN;
        (_, float[] fused) = BaselineScoring.Score(fusion, series, observed);

        Assert.Equal("fusion(tail per point: naive(lag=1) + rolling-z-score(window=5))", fusion.Name);
        Assert.Equal(fusion.Components.Length, fusion.Calibrations.Length);
        for (int c = 0; c < fusion.Components.Length; c++)
        {
            // The calibration holds every training point's mean absolute error over its features, from the component's warm-up on.
            float[] errors = BaselineScoring.Score(fusion.Components[c], training).Errors;
            double[] points = [.. Enumerable.Range(fusion.Components[c].WarmUp, 400 - fusion.Components[c].WarmUp)
                .Select(t => (double)(float)(((double)Math.Abs(errors[t * Features]) + Math.Abs(errors[(t * Features) + 1])) / 2)).Order()];
            Assert.Equal(points, fusion.Calibrations[c]!.SortedValues.ToArray());
        }

        float[][] parts = [.. Enumerable.Range(0, fusion.Components.Length).Select(c => BaselineScoring.Score(fusion.Components[c], series, observed).Errors)];
        for (int t = 5; t < series.Length / Features; t++)
        {
            double expected = 0;
            for (int c = 0; c < parts.Length; c++)
            {
                float[] row = [.. parts[c].AsSpan(t * Features, Features).ToArray().Where(e => !float.IsNaN(e)).Select(Math.Abs)];
                expected += CalibratedTail.Surprise(fusion.Calibrations[c]!, null, row.Average());
            }

            // Every observed feature carries the point's fused error; an unobserved one has none.
            Assert.Equal((float)expected, fused[t * Features], 4);
            Assert.Equal(t == 40 ? float.NaN : fused[t * Features], fused[(t * Features) + 1]);
        }
    }

    [Fact]
    public void AComponentStillWarmingUpAddsNothingUntilItHasAnError()
    {
        // At step 3 the first difference (warm-up 1) has an error and the 5-step z-score not yet: the fusion scores the
        // step, and its saliency is the first difference's alone, over steps 2 and 3. The jump at step 3 puts its error
        // beyond the calibration, where the surprise is linear and central differences read its slope.
        IFittedScorer fusion = Fit(FusionMethod.TailProbability);
        float[] series = Noise(seed: 26, length: 20);
        series[3 * Features] += 8;
        series[(3 * Features) + 1] -= 8;
        var gradient = new float[fusion.MaximumSaliencySteps * Features];

        int first = fusion.Saliency(series, series, 3, [1f, 1f], gradient, out int steps);
        (_, float[] errors) = BaselineScoring.Score(fusion, series);

        Assert.Equal((1, 2, 3), (fusion.WarmUp, first, steps + first - 1));
        Assert.All(errors[(1 * Features)..], e => Assert.False(float.IsNaN(e)));
        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(fusion, series, time: 3, seed: 7);
    }

    [Fact]
    public void SaliencyCoversTheUnionOfTheComponentsWindowsFeatureByFeature()
    {
        // The rolling z-score reads the 5 steps before 40 and 40 itself; the first difference reads 39 and 40.
        IFittedScorer fusion = Fit(FusionMethod.TailProbability);
        float[] series = Noise(seed: 22, length: 60);
        var gradient = new float[fusion.MaximumSaliencySteps * Features];

        int first = fusion.Saliency(series, series, 40, [1f, 0f], gradient, out int steps);

        Assert.Equal((35, 6), (first, steps));
        Assert.All(gradient[(steps * Features)..], g => Assert.Equal(0f, g));
        Assert.Contains(gradient, g => g != 0f);
        Assert.All(gradient, g => Assert.True(float.IsFinite(g)));
        // Feature 1 has no weight in the score, so no input of feature 1 moves it (the components are per feature).
        for (int row = 0; row < steps; row++)
        {
            Assert.Equal(0f, gradient[(row * Features) + 1]);
        }
    }

    [Fact]
    public void RankFusionSaliencyFollowsTheInterpolatedRank()
    {
        IFittedScorer fusion = Fit(FusionMethod.Rank);
        float[] series = Noise(seed: 23, length: 60);
        var gradient = new float[fusion.MaximumSaliencySteps * Features];

        fusion.Saliency(series, series, 40, [1f, 1f], gradient, out int steps);

        Assert.Contains(gradient[..(steps * Features)], g => g != 0f);
        // Beyond every calibration error the rank is 1 and flat: no input moves it.
        float[] spiked = Spiked(seed: 21);
        fusion.Saliency(spiked, spiked, 30, [1f, 1f], gradient, out _);
        Assert.All(gradient, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void ADetectorWithFusionExplainsASpikeByItsOwnStep()
    {
        var values = new float[600];
        var random = new Random(24);
        for (int t = 0; t < values.Length; t++)
        {
            values[t] = (float)(Math.Sin(t * 2 * Math.PI / 25) + (0.05 * random.NextDouble()));
        }

        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder()
            .WithWindow(25)
            .WithModel(Models.Gru(hiddenSize: 8))
            .WithTrainer(new TrainerOptions { Epochs = 2, Seed = 3 })
            .WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.Naive(), Scorer.RollingZScore()))
            .Build()
            .Fit(new TimeSeries(values[..400]));
        float[] test = values[400..];
        test[100] += 4;

        Explanation explanation = fitted.Explain(new TimeSeries(test), 100);

        int strongest = 0;
        for (int step = 1; step < explanation.Window; step++)
        {
            strongest = Math.Abs(explanation.SaliencyAt(step, 0)) > Math.Abs(explanation.SaliencyAt(strongest, 0)) ? step : strongest;
        }

        Assert.Equal(100, explanation.WindowStart + strongest);
    }

    private static IFittedScorer Fit(FusionMethod method, FusionCalibration calibration = FusionCalibration.PerFeature)
    {
        float[] training = Noise(seed: 20, length: 400);
        return Scorer.Fusion(method, calibration, Scorer.Naive(), Scorer.RollingZScore(5)).Fit(new ScorerFitContext
        {
            Inputs = training,
            Observed = training,
            Features = Features,
            Window = 4,
            Stride = 1,
            Model = Models.Gru(hiddenSize: 4),
            Trainer = new TrainerOptions(),
            Logger = NullLogger.Instance,
        }, progress: null, CancellationToken.None);
    }

    private static float[] Noise(int seed, int length)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length * Features).Select(_ => (float)random.NextDouble())];
    }

    /// <summary>Noise with a rise of 8 in feature 0 and a drop of 8 in feature 1 at step 30: far beyond any training error.</summary>
    private static float[] Spiked(int seed)
    {
        float[] series = Noise(seed, length: 50);
        series[30 * Features] += 8;
        series[(30 * Features) + 1] -= 8;
        return series;
    }
}
