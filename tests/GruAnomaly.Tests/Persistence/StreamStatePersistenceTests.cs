using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Preprocessing;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Persistence;

/// <summary>
/// A stream's state saved at any point and restored continues bit for bit as the uninterrupted stream does, through a
/// saved and loaded detector too; a state is refused by another detector with a message naming both.
/// </summary>
public sealed class StreamStatePersistenceTests
{
    public static TheoryData<string> Streams() =>
    [
        "forecast-nll", "forecast-mse-horizon-3", "naive-lag-40", "rolling-z-score", "windowed-gaussian", "fusion", "streaming-pot", "dspot",
        "robust-z-short", "robust-z-normal", "ratio-to-median", "no-normalization", "forward-fill", "mahalanobis", "carried-state", "carried-state-fusion",
        "lstm-carried-state", "lstm-forecast", "nearest-neighbour", "nearest-neighbour-fusion", "sliding-nearest-neighbour", "multi-length-nearest-neighbour",
    ];

    [Theory]
    [MemberData(nameof(Streams))]
    public void ARestoredStreamContinuesBitForBit(string name)
    {
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithThreshold(Threshold.Automatic(1e-3));
        bool baseline = name is "naive-lag-40" or "rolling-z-score" or "windowed-gaussian" or "streaming-pot" or "dspot" or "nearest-neighbour" or "sliding-nearest-neighbour" or "multi-length-nearest-neighbour";
        int features = name == "mahalanobis" ? 2 : 1;
        builder = name switch
        {
            "forecast-nll" => builder.WithLoss(Loss.GaussianNll),
            "forecast-mse-horizon-3" => builder.WithScorer(Scorer.Forecast(horizon: 3)).WithLoss(Loss.Mse),
            "naive-lag-40" => builder.WithScorer(Scorer.Naive(Synthetic.Period)),
            "rolling-z-score" => builder.WithScorer(Scorer.RollingZScore(window: 20)),
            "windowed-gaussian" => builder.WithScorer(Scorer.WindowedGaussian(window: 50)),
            "nearest-neighbour" => builder.WithScorer(Scorer.NearestNeighbour(length: 30, normalize: true)),
            // Restored before and after the point where the stream's inputs replace the training tail (2·20 + 150 − 2 = 188).
            "sliding-nearest-neighbour" => builder.WithScorer(Scorer.SlidingNearestNeighbour(length: 20, reference: 150)),
            "multi-length-nearest-neighbour" => builder.WithScorer(Scorer.MultiLengthNearestNeighbour(reference: 150)),
            "nearest-neighbour-fusion" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.NearestNeighbour())),
            "fusion" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(horizon: 2), Scorer.Naive(), Scorer.RollingZScore(window: 30))),
            "carried-state" => builder.WithScorer(Scorer.CarriedStateForecast()),
            "carried-state-fusion" => builder.WithScorer(Scorer.Fusion(Scorer.CarriedStateForecast(), Scorer.RollingZScore(window: 30))),
            "lstm-carried-state" => builder.WithScorer(Scorer.CarriedStateForecast()).WithModel(global::GruAnomaly.Recurrent.Models.Lstm(hiddenSize: 6, layers: 2)),
            "lstm-forecast" => builder.WithModel(global::GruAnomaly.Recurrent.Models.Lstm(hiddenSize: 6)),
            "streaming-pot" => builder.WithScorer(Scorer.Naive()).WithThreshold(Threshold.StreamingPeaksOverThreshold(1e-2, 0.9)),
            "dspot" => builder.WithScorer(Scorer.Naive()).WithThreshold(Threshold.DriftingPeaksOverThreshold(20, 1e-2, 0.9)),
            "robust-z-short" => builder.WithScoreNormalization(ScoreNormalization.RobustZ(history: 50)),
            "robust-z-normal" => builder.WithScoreNormalization(ScoreNormalization.RobustZ(history: 50, excludeFlagged: true)),
            "ratio-to-median" => builder.WithScoreNormalization(ScoreNormalization.RatioToMedian(history: 100)),
            "no-normalization" => builder.WithScoreNormalization(ScoreNormalization.None),
            "forward-fill" => builder.WithMissingValues(MissingValuePolicy.ForwardFill),
            _ => builder.WithErrorCombination(ErrorCombination.Mahalanobis).WithLoss(Loss.Mse),
        };
        FittedAnomalyDetector fitted = builder.Build().Fit(new TimeSeries(Synthetic.Normal(baseline ? 2000 : 800, seed: 10, features), features));
        float[] values = DetectorStreamTests.TestSeries(features: features);
        foreach (int t in new[] { 2, 3, 60, 61, 222, 350 })
        {
            values[t * features] = float.NaN;
        }

        DetectorStream uninterrupted = fitted.CreateStream();
        StreamPoint[] expected = [.. Enumerable.Range(0, values.Length / features).Select(t => Observe(uninterrupted, values, t, features))];
        FittedAnomalyDetector loaded = Persisted.RoundTrip(fitted);

        // At the start, inside the warm-up, right after it, around an alarm and late: each restored stream runs to the end.
        foreach (int at in new[] { 0, 5, 17, 18, 221, 223, 420 })
        {
            DetectorStream first = fitted.CreateStream();
            for (int t = 0; t < at; t++)
            {
                Observe(first, values, t, features);
            }

            byte[] state = Persisted.Bytes(first);
            DetectorStream restored = (at % 2 == 0 ? fitted : loaded).RestoreStream(new MemoryStream(state));
            Assert.Equal(at, restored.Count);
            Assert.Equal(state, Persisted.Bytes(restored));
            for (int t = at; t < expected.Length; t++)
            {
                Persisted.AssertSame(expected[t], Observe(restored, values, t, features));
            }
        }
    }

    [Fact]
    public void TimestampsAndExpectedValuesAreRestored()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive()).Build().Fit(Synthetic.Normal(600, seed: 10));
        float[] values = DetectorStreamTests.TestSeries();
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        DetectorStream first = fitted.CreateStream();
        for (int t = 0; t < 100; t++)
        {
            first.Observe(values[t], start.AddMinutes(t));
        }

        DetectorStream restored = fitted.RestoreStream(new MemoryStream(Persisted.Bytes(first)));
        Assert.Equal(first.Expected.ToArray(), restored.Expected.ToArray());
        Assert.Equal(first.Contributions.ToArray(), restored.Contributions.ToArray());
        Assert.Throws<ArgumentException>(() => restored.Observe(values[100], start.AddMinutes(99)));
        Assert.Throws<InvalidOperationException>(() => restored.Observe(values[100]));
        Persisted.AssertSame(first.Observe(values[100], start.AddMinutes(100)), restored.Observe(values[100], start.AddMinutes(100)));
    }

    [Fact]
    public void AStateFromAnotherDetectorIsRefusedNamingBoth()
    {
        AnomalyDetector detector = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive()).Build();
        FittedAnomalyDetector one = detector.Fit(Synthetic.Normal(600, seed: 10));
        FittedAnomalyDetector other = detector.Fit(Synthetic.Normal(600, seed: 11));
        DetectorStream stream = one.CreateStream();
        stream.Observe(1f);
        byte[] state = Persisted.Bytes(stream);

        var exception = Assert.Throws<InvalidDataException>(() => other.RestoreStream(new MemoryStream(state)));
        Assert.Contains("different detector", exception.Message, StringComparison.Ordinal);
        Assert.Contains("fingerprint", exception.Message, StringComparison.Ordinal);
        Assert.Contains("naive(lag=1)", exception.Message, StringComparison.Ordinal);

        // Nor is a detector file a stream state, or the reverse.
        Assert.Contains("not a detector stream's state", Assert.Throws<InvalidDataException>(
            () => one.RestoreStream(new MemoryStream(Persisted.Bytes(one)))).Message, StringComparison.Ordinal);
        Assert.Contains("not a fitted detector", Assert.Throws<InvalidDataException>(
            () => Persisted.Load(state)).Message, StringComparison.Ordinal);
    }

    private static StreamPoint Observe(DetectorStream stream, float[] values, int t, int features) =>
        features == 1 ? stream.Observe(values[t]) : stream.Observe(values.AsSpan(t * features, features));
}
