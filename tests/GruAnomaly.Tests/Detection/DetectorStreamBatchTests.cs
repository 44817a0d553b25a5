using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Detection;

/// <summary>
/// A batch of streams reports for every series exactly what a stream of its own reports: the batched matrix product of
/// the sliding windows changes the speed, not a bit of any result.
/// </summary>
public sealed class DetectorStreamBatchTests
{
    public static TheoryData<string, int> Configurations() => new()
    {
        { "default", 1 }, { "default", 3 }, { "forecast-only", 130 }, { "horizon-3", 4 }, { "naive", 2 }, { "carried-state", 3 },
        { "two-forecasters", 3 }, { "five-forecasters", 1 }, { "mahalanobis", 3 },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void EverySeriesGetsWhatItsOwnStreamGives(string name, int count)
    {
        FittedAnomalyDetector fitted = Fit(name);
        int features = fitted.Features, length = 500;
        float[][] series = [.. Enumerable.Range(0, count).Select(i => DetectorStreamTests.TestSeries(length, seed: 40 + i, features))];
        DetectorStreamBatch batch = fitted.CreateStreamBatch(count);
        var values = new float[count * features];
        var results = new StreamPoint[count];
        var together = new StreamPoint[count, length];
        var expected = new float[count, length];

        for (int t = 0; t < length; t++)
        {
            for (int i = 0; i < count; i++)
            {
                series[i].AsSpan(t * features, features).CopyTo(values.AsSpan(i * features));
            }

            batch.Observe(values, results);
            for (int i = 0; i < count; i++)
            {
                together[i, t] = results[i];
                expected[i, t] = batch[i].Expected[0];
            }
        }

        for (int i = 0; i < count; i++)
        {
            (StreamPoint[] alone, float[] aloneExpected, _) = DetectorStreamTests.StreamAll(fitted, series[i]);
            for (int t = 0; t < length; t++)
            {
                Assert.Equal(alone[t], together[i, t]);
                Assert.Equal(aloneExpected[t * features], expected[i, t]);
            }
        }
    }

    [Fact]
    public void ARefusedPointMovesNoSeries()
    {
        FittedAnomalyDetector fitted = Fit("default");
        float[] a = DetectorStreamTests.TestSeries(500, seed: 50), b = DetectorStreamTests.TestSeries(500, seed: 51);
        DetectorStreamBatch interrupted = fitted.CreateStreamBatch(2), straight = fitted.CreateStreamBatch(2);
        var results = new StreamPoint[2];
        var reference = new StreamPoint[2];

        for (int t = 0; t < 500; t++)
        {
            if (t == 120)
            {
                // The first series' value is fine, the second's is not: neither may move.
                var refused = Assert.Throws<ArgumentException>(() => interrupted.Observe([a[t], float.PositiveInfinity], results));
                Assert.StartsWith("Series 1 (values 1 to 1), point 120: values contains Infinity", refused.Message, StringComparison.Ordinal);
                Assert.Throws<ArgumentException>(() => interrupted.Observe([a[t]], results));
                Assert.Throws<ArgumentException>(() => interrupted.Observe([a[t], b[t]], new StreamPoint[1]));
            }

            interrupted.Observe([a[t], b[t]], results);
            straight.Observe([a[t], b[t]], reference);
            Assert.Equal(reference, results);
        }

        Assert.Equal(500, interrupted[0].Count);
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        FittedAnomalyDetector fitted = Fit("naive");
        Assert.Throws<ArgumentOutOfRangeException>(() => fitted.CreateStreamBatch(0));
        DetectorStreamBatch batch = fitted.CreateStreamBatch(2);
        Assert.Equal((2, 1), (batch.Count, batch.Features));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch[2]);
        var wrong = Assert.Throws<ArgumentException>(() => batch.Observe(new float[3], new StreamPoint[2]));
        Assert.Contains("expected 2 (2 series × 1 feature, series-major)", wrong.Message, StringComparison.Ordinal);
    }

    internal static FittedAnomalyDetector Fit(string name)
    {
        AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder()
            .WithWindow(16)
            .WithModel(Models.Gru(hiddenSize: 8))
            .WithTrainer(AnomalyDetectorTests.Quick);
        int features = name == "mahalanobis" ? 2 : 1;
        builder = name switch
        {
            "forecast-only" => builder.WithScorer(Scorer.Forecast()),
            "horizon-3" => builder.WithScorer(Scorer.Forecast(horizon: 3)).WithLoss(Loss.Mse),
            "naive" => builder.WithScorer(Scorer.Naive()),
            "carried-state" => builder.WithScorer(Scorer.CarriedStateForecast()),
            "lstm-forecast" => builder.WithScorer(Scorer.Forecast()).WithModel(Models.Lstm(hiddenSize: 6, layers: 2)),
            "lstm-carried-state" => builder.WithScorer(Scorer.CarriedStateForecast()).WithModel(Models.Lstm(hiddenSize: 6, layers: 2)),
            "two-forecasters" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.Forecast(horizon: 2), Scorer.RollingZScore())),
            // More forecasters per series than the batch first sized its product for.
            "five-forecasters" => builder.WithScorer(Scorer.Fusion([.. Enumerable.Range(1, 5).Select(h => Scorer.Forecast(horizon: h))])),
            "mahalanobis" => builder.WithScorer(Scorer.Forecast()).WithLoss(Loss.Mse).WithErrorCombination(ErrorCombination.Mahalanobis),
            _ => builder,
        };
        return builder.Build().Fit(new TimeSeries(Synthetic.Normal(800, seed: 10, features), features));
    }
}
