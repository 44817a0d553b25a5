using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Detection;

/// <summary>
/// A stream reports for every point what Detect reports for that time step of the whole series, bit for bit: every scorer,
/// threshold, missing-value policy and normalization that can stream is run both ways on the same series.
/// </summary>
public sealed class DetectorStreamTests
{
    /// <summary>A noisy sine with a spike, a level shift and a burst of noise, so that thresholds move and alarms fire.</summary>
    internal static float[] TestSeries(int length = 500, int seed = 21, int features = 1)
    {
        float[] values = Synthetic.Normal(length, seed, features);
        values[220 * features] += 3f;
        for (int t = 300; t < 330; t++)
        {
            values[t * features] += 1.5f;
        }

        var random = new Random(seed);
        for (int t = 400; t < 440; t++)
        {
            values[(t * features) + (features - 1)] += (float)(random.NextDouble() - 0.5);
        }

        return values;
    }

    /// <summary>Every point of <paramref name="values"/> through a new stream; also every point's expected values.</summary>
    internal static (StreamPoint[] Points, float[] Expected, double[] Contributions) StreamAll(FittedAnomalyDetector fitted, float[] values)
    {
        int features = fitted.Features, length = values.Length / features;
        DetectorStream stream = fitted.CreateStream();
        var points = new StreamPoint[length];
        var expected = new float[values.Length];
        var contributions = new double[values.Length];
        for (int t = 0; t < length; t++)
        {
            points[t] = features == 1 ? stream.Observe(values[t]) : stream.Observe(values.AsSpan(t * features, features));
            stream.Expected.CopyTo(expected.AsSpan(t * features));
            stream.Contributions.CopyTo(contributions.AsSpan(t * features));
        }

        return (points, expected, contributions);
    }

    /// <summary>Asserts that the stream gave exactly what Detect gives, at every step.</summary>
    internal static void AssertSameAsDetect(FittedAnomalyDetector fitted, float[] values)
    {
        DetectionResult batch = fitted.Detect(new TimeSeries(values, fitted.Features));
        (StreamPoint[] points, float[] expected, double[] contributions) = StreamAll(fitted, values);

        Assert.Equal(batch.IsScored.ToArray(), points.Select(p => p.IsScored));
        Assert.Equal(batch.RawScores.ToArray(), points.Select(p => p.RawScore));
        Assert.Equal(batch.Scores.ToArray(), points.Select(p => p.Score));
        Assert.Equal(batch.Thresholds.ToArray(), points.Select(p => p.Threshold));
        Assert.Equal(batch.TailProbabilities.ToArray(), points.Select(p => p.TailProbability));
        Assert.Equal(batch.Surprise.ToArray(), points.Select(p => p.Surprise));
        Assert.Equal(Enumerable.Range(0, batch.Length).Select(t => batch.IsScored[t] && batch.Scores[t] > batch.Thresholds[t]), points.Select(p => p.IsFlagged));
        Assert.Equal(batch.Alarms, points.Where(p => p.IsAlarm).Select(p => (int)p.Time));
        Assert.Equal(batch.Expected.ToArray(), expected);
        Assert.Equal(batch.Contributions.ToArray(), contributions);
        Assert.Equal(Enumerable.Range(0, batch.Length).Select(t => (long)t), points.Select(p => p.Time));
        Assert.Equal(batch.Expected.ToArray().Where((_, i) => i % fitted.Features == 0), points.Select(p => p.Expected));
    }

    public static TheoryData<string> Scorers() =>
    [
        "forecast-mse", "forecast-nll", "forecast-horizon-3", "forecast-nll-horizon-2", "naive", "naive-lag-40", "rolling-z-score",
        "windowed-gaussian", "fusion-tail", "fusion-rank", "no-smoothing", "carried-state-mse", "carried-state-nll", "fusion-carried-state",
        "nearest-neighbour", "nearest-neighbour-z", "sliding-nearest-neighbour", "fusion-sliding-nearest-neighbour", "multi-length-nearest-neighbour", "fusion-nearest-neighbours", "fusion-maximum",
        "fusion-long-warm-up", "fusion-per-point", "fusion-maximum-per-point",
    ];

    [Theory]
    [MemberData(nameof(Scorers))]
    public void EveryCausalScorerStreamsWhatDetectReports(string name)
    {
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithThreshold(Threshold.Automatic(1e-3));
        builder = name switch
        {
            "forecast-mse" => builder.WithLoss(Loss.Mse),
            "forecast-nll" => builder.WithLoss(Loss.GaussianNll),
            "forecast-horizon-3" => builder.WithScorer(Scorer.Forecast(horizon: 3)),
            "forecast-nll-horizon-2" => builder.WithScorer(Scorer.Forecast(horizon: 2)).WithLoss(Loss.GaussianNll),
            "naive" => builder.WithScorer(Scorer.Naive()),
            "naive-lag-40" => builder.WithScorer(Scorer.Naive(Synthetic.Period)),
            "rolling-z-score" => builder.WithScorer(Scorer.RollingZScore()),
            "windowed-gaussian" => builder.WithScorer(Scorer.WindowedGaussian(window: 50)),
            "fusion-tail" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.Naive(), Scorer.RollingZScore(window: 30))),
            "fusion-rank" => builder.WithScorer(Scorer.Fusion(FusionMethod.Rank, Scorer.Naive(), Scorer.WindowedGaussian(window: 40))),
            "carried-state-mse" => builder.WithScorer(Scorer.CarriedStateForecast()).WithLoss(Loss.Mse),
            "carried-state-nll" => builder.WithScorer(Scorer.CarriedStateForecast()).WithLoss(Loss.GaussianNll),
            "fusion-carried-state" => builder.WithScorer(Scorer.Fusion(Scorer.CarriedStateForecast(), Scorer.Naive())),
            "nearest-neighbour" => builder.WithScorer(Scorer.NearestNeighbour(length: 25)),
            // A reference of 60 subsequences: the stream's own inputs replace the training tail after 2·25 + 60 − 2 points.
            "sliding-nearest-neighbour" => builder.WithScorer(Scorer.SlidingNearestNeighbour(length: 25, reference: 60)),
            "multi-length-nearest-neighbour" => builder.WithScorer(Scorer.MultiLengthNearestNeighbour(reference: 200)),
            "fusion-sliding-nearest-neighbour" => builder.WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint,
                Scorer.Forecast(), Scorer.SlidingNearestNeighbour(reference: 100))),
            "nearest-neighbour-z" => builder.WithScorer(Scorer.NearestNeighbour(normalize: true)),
            "fusion-nearest-neighbours" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore(),
                Scorer.NearestNeighbour(), Scorer.NearestNeighbour(length: 7, normalize: true))),
            "fusion-long-warm-up" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.WindowedGaussian(window: 200))),
            "fusion-maximum" => builder.WithScorer(Scorer.Fusion(FusionMethod.Maximum, Scorer.Forecast(), Scorer.NearestNeighbour())),
            "fusion-per-point" => builder.WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(),
                Scorer.RollingZScore(), Scorer.WindowedGaussian(window: 50), Scorer.NearestNeighbour())),
            "fusion-maximum-per-point" => builder.WithScorer(Scorer.Fusion(FusionMethod.Maximum, FusionCalibration.PerPoint, Scorer.Forecast(), Scorer.NearestNeighbour())),
            _ => builder.WithSmoothing(1),
        };
        FittedAnomalyDetector fitted = builder.Build().Fit(Synthetic.Normal(800, seed: 10));

        AssertSameAsDetect(fitted, TestSeries());
    }

    public static TheoryData<string> Strategies() =>
    [
        "fixed", "mean+sigma", "quantile", "median+mad", "automatic", "automatic-fallback", "pot", "streaming-pot", "dspot", "budget",
    ];

    [Theory]
    [MemberData(nameof(Strategies))]
    public void EveryCausalThresholdStreamsWhatDetectReports(string name)
    {
        IThresholdStrategy strategy = name switch
        {
            "fixed" => Threshold.Fixed(2.0),
            "mean+sigma" => Threshold.MeanPlusSigma(4),
            "quantile" => Threshold.Quantile(0.99),
            "median+mad" => Threshold.MedianPlusMad(6),
            "automatic" => Threshold.Automatic(),
            "automatic-fallback" => Threshold.Automatic(),
            "pot" => Threshold.PeaksOverThreshold(riskLevel: 1e-3, initialQuantile: 0.95),
            "streaming-pot" => Threshold.StreamingPeaksOverThreshold(riskLevel: 1e-2, initialQuantile: 0.9),
            "dspot" => Threshold.DriftingPeaksOverThreshold(depth: 20, riskLevel: 1e-2, initialQuantile: 0.9),
            _ => Threshold.FalseAlarmBudget(alarms: 1, per: TimeSpan.FromDays(1), samplingInterval: TimeSpan.FromMinutes(5)),
        };
        // The naive scorer trains nothing, so many thresholds cost nothing; 300 training points are too few for a tail.
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive()).WithThreshold(strategy).Build()
            .Fit(Synthetic.Normal(name == "automatic-fallback" ? 300 : 2000, seed: 10));

        float[] values = TestSeries(1500);
        AssertSameAsDetect(fitted, values);
        if (name is "streaming-pot" or "dspot")
        {
            DetectionResult batch = fitted.Detect(values);
            Assert.True(batch.Thresholds.ToArray().Distinct().Count() > 10, $"{name} hardly moved: the test does not exercise its updates");
        }
    }

    public static TheoryData<string> Normalizations() => ["none", "robust-z", "robust-z-short", "robust-z-normal", "ratio-to-median"];

    [Theory]
    [MemberData(nameof(Normalizations))]
    public void EveryNormalizationStreamsWhatDetectReports(string name)
    {
        IScoreNormalization normalization = name switch
        {
            "none" => ScoreNormalization.None,
            "robust-z" => ScoreNormalization.RobustZ(),
            "robust-z-short" => ScoreNormalization.RobustZ(history: 50),
            "robust-z-normal" => ScoreNormalization.RobustZ(history: 50, excludeFlagged: true),
            _ => ScoreNormalization.RatioToMedian(history: 100),
        };
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithScoreNormalization(normalization).Build()
            .Fit(Synthetic.Normal(800, seed: 10));

        AssertSameAsDetect(fitted, TestSeries());
    }

    [Theory]
    [InlineData("static")]
    [InlineData("streaming-pot")]
    [InlineData("dspot")]
    public void AHistoryThatKeepsFlaggedScoresOutStreamsWhatDetectReportsThroughALastingChange(string threshold)
    {
        // The noise quadruples from step 700 on: runs of flags longer than the exclusion limit (25) occur and then enter.
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive())
            .WithScoreNormalization(ScoreNormalization.RobustZ(history: 50, excludeFlagged: true));
        builder = threshold switch
        {
            "static" => builder.WithThreshold(Threshold.Quantile(0.99)),
            "streaming-pot" => builder.WithThreshold(Threshold.StreamingPeaksOverThreshold(riskLevel: 1e-2, initialQuantile: 0.9)),
            _ => builder.WithThreshold(Threshold.DriftingPeaksOverThreshold(depth: 20, riskLevel: 1e-2, initialQuantile: 0.9)),
        };
        FittedAnomalyDetector fitted = builder.Build().Fit(Synthetic.Normal(2000, seed: 10));
        float[] values = TestSeries(1500);
        for (int t = 700; t < values.Length; t++)
        {
            values[t] *= 4;
        }

        AssertSameAsDetect(fitted, values);
        FittedAnomalyDetector ungated = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive())
            .WithScoreNormalization(ScoreNormalization.RobustZ(history: 50)).WithThreshold(fitted.Settings.Threshold).Build()
            .Fit(Synthetic.Normal(2000, seed: 10));
        Assert.NotEqual(ungated.Detect(values).Scores.ToArray(), fitted.Detect(values).Scores.ToArray());
    }

    [Theory]
    [InlineData(MissingValuePolicy.Mask)]
    [InlineData(MissingValuePolicy.ForwardFill)]
    public void MissingValuesStreamAsDetectFillsThem(MissingValuePolicy policy)
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithMissingValues(policy).Build().Fit(Synthetic.Normal(800, seed: 10));
        float[] values = TestSeries();
        // A leading gap that ends within the warm-up, single gaps, a long gap, and a gap over the spike.
        foreach (int t in new[] { 0, 1, 2, 3, 4, 30, 100, 221, 222, 223 }.Concat(Enumerable.Range(150, 25)))
        {
            values[t] = float.NaN;
        }

        AssertSameAsDetect(fitted, values);
        if (policy == MissingValuePolicy.Mask)
        {
            (StreamPoint[] points, _, _) = StreamAll(fitted, values);
            Assert.All(points.Where(p => float.IsNaN(values[p.Time])), p => Assert.False(p.IsScored));
        }
    }

    [Theory]
    [InlineData(MissingValuePolicy.Mask)]
    [InlineData(MissingValuePolicy.ForwardFill)]
    public void ACarriedStateStreamsMissingValuesAsDetectFillsThem(MissingValuePolicy policy)
    {
        // A leading gap that ends within the warm-up rewrites inputs the carried state has read: it is recomputed from them.
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.CarriedStateForecast()).WithMissingValues(policy)
            .Build().Fit(new TimeSeries(Synthetic.Normal(800, seed: 10, features: 2), 2));
        float[] values = TestSeries(features: 2);
        foreach (int t in new[] { 0, 1, 2, 3, 4, 5, 6, 30, 100, 221, 222 }.Concat(Enumerable.Range(150, 25)))
        {
            values[t * 2] = float.NaN;
        }

        values[(7 * 2) + 1] = float.NaN;
        values[(260 * 2) + 1] = float.NaN;

        AssertSameAsDetect(fitted, values);
    }

    [Fact]
    public void ACarriedStateRecomputedAfterALeadingGapPastTheWarmUpReadsTheLastWindow()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.CarriedStateForecast()).WithLoss(Loss.Mse)
            .Build().Fit(Synthetic.Normal(800, seed: 10));
        float[] values = TestSeries();
        values.AsSpan(0, 40).Fill(float.NaN);

        (StreamPoint[] points, float[] expected, _) = StreamAll(fitted, values);

        // At point 40 the first value fills the 16 inputs held; the state restarts from them, as Detect's would from the
        // series that starts at point 24 (where the back-filled gap and the series agree from then on).
        Assert.All(points.Take(40), p => Assert.False(p.IsScored));
        Assert.True(points[40].IsScored);
        Assert.All(expected.Skip(fitted.Window), e => Assert.True(float.IsFinite(e)));
        float[] filled = [.. values];
        filled.AsSpan(0, 40).Fill(values[40]);
        DetectionResult restarted = fitted.Detect(filled[24..]);
        Assert.Equal(restarted.Expected[16..].ToArray(), expected[40..]);
    }

    [Fact]
    public void AMultivariateStreamGivesEveryFeaturesExpectedValueAndShare()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithErrorCombination(ErrorCombination.Mahalanobis).Build()
            .Fit(new TimeSeries(Synthetic.Normal(800, seed: 10, features: 2), 2));
        float[] values = TestSeries(features: 2);
        values[(200 * 2) + 1] = float.NaN;
        values[(260 * 2) + 0] = float.NaN;
        values[(261 * 2) + 0] = float.NaN;
        values[(261 * 2) + 1] = float.NaN;

        AssertSameAsDetect(fitted, values);
    }

    [Fact]
    public void InterpolationStreamsAsAForwardFill()
    {
        // Without training (a naive scorer) the two policies fit the same detector on a complete training series.
        float[] training = Synthetic.Normal(800, seed: 10);
        static AnomalyDetectorBuilder Builder(MissingValuePolicy policy) => AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive()).WithMissingValues(policy);
        FittedAnomalyDetector interpolating = Builder(MissingValuePolicy.Interpolate).Build().Fit(training);
        FittedAnomalyDetector filling = Builder(MissingValuePolicy.ForwardFill).Build().Fit(training);
        float[] values = TestSeries();

        AssertSameAsDetect(interpolating, values);

        values[100] = values[101] = values[250] = float.NaN;
        (StreamPoint[] points, _, _) = StreamAll(interpolating, values);
        DetectionResult interpolated = interpolating.Detect(values);
        DetectionResult filled = filling.Detect(values);
        Assert.Equal(filled.Scores.ToArray(), points.Select(p => p.Score));
        Assert.NotEqual(interpolated.Scores.ToArray(), points.Select(p => p.Score));
    }

    [Fact]
    public void ALeadingGapPastTheWarmUpIsReadAsMissingUntilItsFirstValue()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().Build().Fit(Synthetic.Normal(800, seed: 10));
        float[] values = TestSeries();
        values.AsSpan(0, 40).Fill(float.NaN);

        (StreamPoint[] points, float[] expected, _) = StreamAll(fitted, values);

        Assert.All(points.Take(40), p => Assert.False(p.IsScored));
        Assert.True(points[40].IsScored);
        Assert.All(expected.Skip(fitted.Window), e => Assert.True(float.IsFinite(e)));
    }

    [Fact]
    public void StreamsOnSeveralThreadsShareOneDetector()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithThreshold(Threshold.StreamingPeaksOverThreshold(1e-2, 0.9)).Build()
            .Fit(Synthetic.Normal(800, seed: 10));
        float[][] series = [.. Enumerable.Range(0, 8).Select(i => TestSeries(500, seed: 30 + i))];
        StreamPoint[][] alone = [.. series.Select(values => StreamAll(fitted, values).Points)];

        var together = new StreamPoint[series.Length][];
        DetectorStream[] streams = [.. series.Select(_ => fitted.CreateStream())];
        for (int i = 0; i < series.Length; i++)
        {
            together[i] = new StreamPoint[500];
        }

        // Four threads take turns over the streams point by point, so every stream is fed by several threads.
        for (int t = 0; t < 500; t++)
        {
            Parallel.For(0, series.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => together[i][t] = streams[i].Observe(series[i][t]));
        }

        for (int i = 0; i < series.Length; i++)
        {
            Assert.Equal(alone[i], together[i]);
        }
    }

    public static TheoryData<string> Refused() => ["reconstruction", "fusion-with-reconstruction", "dynamic", "adaptation", "non-maximum-suppression"];

    [Theory]
    [MemberData(nameof(Refused))]
    public void WhatLooksAheadIsRefusedWithTheReason(string name)
    {
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder();
        (builder, string reason) = name switch
        {
            "reconstruction" => (builder.WithScorer(Scorer.Reconstruction()), "reconstructs a series in consecutive windows"),
            "fusion-with-reconstruction" => (builder.WithScorer(Scorer.Fusion(Scorer.Naive(), Scorer.Reconstruction())), "reconstructs a series"),
            "dynamic" => (builder.WithThreshold(Threshold.Dynamic()), "chooses ε from the scores it is applied to"),
            "adaptation" => (builder.WithOnlineAdaptation(new OnlineAdaptation { Every = 200 }), "adapts online"),
            _ => (builder.WithEventRules(new EventRules { NonMaximumSuppressionRadius = 5 }), "looks 5 steps ahead"),
        };
        FittedAnomalyDetector fitted = builder.Build().Fit(Synthetic.Normal(400, seed: 10));

        var exception = Assert.Throws<NotSupportedException>(fitted.CreateStream);
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadPointsAndTimestampsAreRefusedWithoutMovingTheStream()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive()).Build().Fit(Synthetic.Normal(400, seed: 10));
        DetectorStream stream = fitted.CreateStream();
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        StreamPoint first = stream.Observe(0.5f, start);
        Assert.Equal(start, first.Timestamp);
        Assert.False(first.IsScored);
        Assert.True(float.IsNaN(first.Expected));
        Assert.Contains("fitted on 1 feature", Assert.Throws<ArgumentException>(() => stream.Observe([1f, 2f], start.AddMinutes(1))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => stream.Observe(float.PositiveInfinity, start.AddMinutes(1)));
        Assert.Contains("strictly increase", Assert.Throws<ArgumentException>(() => stream.Observe(0.5f, start)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => stream.Observe(0.5f));
        Assert.Equal(1, stream.Count);

        StreamPoint second = stream.Observe(0.6f, start.AddMinutes(1));
        Assert.Equal(1, second.Time);
        Assert.True(second.IsScored);
        Assert.Equal(0.5f, second.Expected, 1e-6f);
        Assert.Equal(AnomalyLikelihood.FromSurprise(second.Surprise), second.Likelihood);

        FittedAnomalyDetector bivariate = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive()).Build()
            .Fit(new TimeSeries(Synthetic.Normal(400, seed: 10, features: 2), 2));
        Assert.Contains("Observe(ReadOnlySpan<float>)", Assert.Throws<ArgumentException>(() => bivariate.CreateStream().Observe(1f)).Message, StringComparison.Ordinal);
        DetectorStream withoutTimestamps = bivariate.CreateStream();
        withoutTimestamps.Observe([1f, 2f]);
        Assert.Throws<InvalidOperationException>(() => withoutTimestamps.Observe([1f, 2f], start));
    }
}
