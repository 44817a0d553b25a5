using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Persistence;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Persistence;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Detection;

/// <summary>
/// A forecast detector whose head reads attention pooling (<c>Scorer.Forecast(attention: …)</c>) does everything a forecast
/// detector does: fit, detect, stream (alone and in a batch, exactly as detect), save and load, explain with its weights.
/// </summary>
public sealed class AttentionDetectorTests
{
    private static readonly Lazy<FittedAnomalyDetector> Fitted = new(() => Fit(Scorer.Forecast(attention: 6)));

    internal static FittedAnomalyDetector Fit(IAnomalyScorer scorer, ILoss? loss = null) =>
        AnomalyDetectorTests.QuickBuilder()
            .WithScorer(scorer)
            .WithLoss(loss ?? Loss.Mse)
            // The generalized Pareto tail keeps the automatic threshold at format version 1, so a file's version is its scorer's.
            .WithThreshold(Threshold.Automatic(1e-3, TailModel.GeneralizedPareto))
            .Build()
            .Fit(Synthetic.Normal(800, seed: 10));

    [Fact]
    public void Fit_builds_the_pooling_into_the_network_and_detect_scores_every_point_after_the_window()
    {
        FittedAnomalyDetector fitted = Fitted.Value;
        var scorer = Assert.IsType<FittedForecastScorer>(fitted.Scorer);

        Assert.Equal(6, scorer.Attention);
        Assert.Equal("forecast(attention 6)", scorer.Name);
        Assert.Equal(6, scorer.Network.Pooling!.AttentionSize);
        Assert.Equal(8, scorer.Network.Pooling.InputSize);
        Assert.Equal(fitted.Scorer.Name, fitted.Settings.Scorer.Name);
        DetectionResult result = fitted.Detect(DetectorStreamTests.TestSeries());
        for (int t = fitted.Window; t < result.Length; t++)
        {
            Assert.True(result.IsScored[t]);
            Assert.True(double.IsFinite(result.RawScores[t]));
        }

        // Training moved the attention weights away from their initial values.
        Assert.NotNull(fitted.History);
        Assert.True(fitted.History!.Epochs.Count > 0);
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("nll-horizon-2")]
    [InlineData("fusion")]
    public void A_stream_reports_exactly_what_detect_reports(string name)
    {
        FittedAnomalyDetector fitted = name switch
        {
            "mse" => Fitted.Value,
            "nll-horizon-2" => Fit(Scorer.Forecast(horizon: 2, attention: 4), Loss.GaussianNll),
            _ => Fit(Scorer.Fusion(Scorer.Forecast(attention: 4), Scorer.RollingZScore())),
        };

        DetectorStreamTests.AssertSameAsDetect(fitted, DetectorStreamTests.TestSeries());
    }

    [Fact]
    public void A_batch_of_streams_gives_every_series_what_its_own_stream_gives()
    {
        FittedAnomalyDetector fitted = Fitted.Value;
        const int Count = 3, Length = 500;
        float[][] series = [.. Enumerable.Range(0, Count).Select(i => DetectorStreamTests.TestSeries(Length, seed: 40 + i))];
        DetectorStreamBatch batch = fitted.CreateStreamBatch(Count);
        var values = new float[Count];
        var results = new StreamPoint[Count];
        var together = new StreamPoint[Count, Length];
        for (int t = 0; t < Length; t++)
        {
            for (int i = 0; i < Count; i++)
            {
                values[i] = series[i][t];
            }

            batch.Observe(values, results);
            for (int i = 0; i < Count; i++)
            {
                together[i, t] = results[i];
            }
        }

        for (int i = 0; i < Count; i++)
        {
            (StreamPoint[] alone, _, _) = DetectorStreamTests.StreamAll(fitted, series[i]);
            for (int t = 0; t < Length; t++)
            {
                Assert.Equal(alone[t], together[i, t]);
            }
        }
    }

    [Fact]
    public void Save_and_load_keep_the_pooling_and_detect_the_same_to_the_last_bit_and_a_saved_stream_continues_exactly()
    {
        FittedAnomalyDetector fitted = Fitted.Value;
        byte[] file = Persisted.Bytes(fitted);
        FittedAnomalyDetector loaded = Persisted.RoundTrip(fitted);

        Assert.Equal(2, BitConverter.ToUInt16(file, 4));
        var scorer = Assert.IsType<FittedForecastScorer>(loaded.Scorer);
        Assert.Equal(6, scorer.Attention);
        Assert.Equal(((FittedForecastScorer)fitted.Scorer).Parameters.ToArray(), scorer.Parameters.ToArray());
        Assert.Equal(6, Assert.IsType<ForecastScorer>(loaded.Settings.Scorer).Attention);
        Persisted.AssertSameDetection(fitted, loaded, new TimeSeries(DetectorStreamTests.TestSeries(), 1));

        float[] values = DetectorStreamTests.TestSeries(500);
        DetectorStream original = fitted.CreateStream();
        for (int t = 0; t < 200; t++)
        {
            original.Observe(values[t]);
        }

        DetectorStream restored = loaded.RestoreStream(new MemoryStream(Persisted.Bytes(original)));
        for (int t = 200; t < values.Length; t++)
        {
            Persisted.AssertSame(original.Observe(values[t]), restored.Observe(values[t]));
        }
    }

    [Fact]
    public void A_detector_without_attention_is_still_written_as_format_version_1()
    {
        FittedAnomalyDetector plain = AnomalyDetectorTests.QuickBuilder().Build().Fit(Synthetic.Normal(600, seed: 10));

        Assert.Equal(1, BitConverter.ToUInt16(Persisted.Bytes(plain), 4));
    }

    [Fact]
    public void A_version_1_file_that_claims_an_attention_forecaster_is_refused_as_damaged()
    {
        byte[] file = Persisted.Bytes(Fitted.Value);
        // Stamp the header as version 1 and fix the checksum: the bytes are then a version-1 file holding code 7/8.
        BitConverter.TryWriteBytes(file.AsSpan(4), (ushort)1);
        BitConverter.TryWriteBytes(file.AsSpan(file.Length - 4), Crc32.Compute(file.AsSpan(0, file.Length - 4)));

        var refused = Assert.Throws<InvalidDataException>(() => Persisted.Load(file));

        Assert.Contains("exists from format version 2 on, but the file has version 1", refused.Message);
    }

    [Fact]
    public void Explain_returns_attention_weights_that_sum_to_one_over_the_window_the_model_read()
    {
        FittedAnomalyDetector fitted = Fitted.Value;
        var series = new TimeSeries(DetectorStreamTests.TestSeries(), 1);
        const int Time = 150;

        Explanation explanation = fitted.Explain(series, Time);

        Assert.Equal(fitted.Window, explanation.Attention.Length);
        Assert.Equal(explanation.Window, explanation.Attention.Length);
        Assert.Equal(Time - fitted.Window, explanation.WindowStart);
        Assert.All(explanation.Attention.ToArray(), w => Assert.True(w > 0f));
        Assert.Equal(1.0, explanation.Attention.ToArray().Sum(w => (double)w), 5);

        // They are the weights of the network's own pass over that window.
        var scorer = (FittedForecastScorer)fitted.Scorer;
        float[] scaled = fitted.Scaler.Transform(series.Values.Slice(Time - fitted.Window, fitted.Window));
        var inputs = new float[fitted.Window * 2];
        for (int t = 0; t < fitted.Window; t++)
        {
            inputs[2 * t] = scaled[t];
            inputs[(2 * t) + 1] = scaled[t];
        }

        NetworkWorkspace workspace = scorer.Network.CreateWorkspace();
        scorer.Network.Infer(scorer.Parameters, inputs, fitted.Window, 2, workspace);
        for (int t = 0; t < fitted.Window; t++)
        {
            Assert.Equal(workspace.AttentionWeights[2 * t], explanation.Attention[t], 6);
        }

        Assert.Empty(AnomalyDetectorTests.QuickBuilder().Build().Fit(Synthetic.Normal(600, seed: 10)).Explain(series, Time).Attention.ToArray());
    }

    [Fact]
    public void Explain_places_a_fused_forecasters_weights_on_the_explained_steps_and_averages_horizon_windows()
    {
        FittedAnomalyDetector fitted = Fit(Scorer.Fusion(Scorer.Forecast(horizon: 3, attention: 4), Scorer.RollingZScore(window: 30)));
        var series = new TimeSeries(DetectorStreamTests.TestSeries(), 1);

        Explanation explanation = fitted.Explain(series, 200);

        Assert.Equal(explanation.Window, explanation.Attention.Length);
        Assert.Equal(1.0, explanation.Attention.ToArray().Sum(w => (double)w), 5);
        // The rolling z-score reads 30 steps, the forecaster 16 + 3 − 1 = 18 that end just before the point.
        int forecasterStart = 200 - 16 - 2 - explanation.WindowStart;
        Assert.All(explanation.Attention[..forecasterStart].ToArray(), w => Assert.Equal(0f, w));
        Assert.All(explanation.Attention.Slice(forecasterStart, 18).ToArray(), w => Assert.True(w > 0f));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(ForecastScorer.MaximumAttention + 1)]
    public void An_invalid_attention_size_is_reported_by_build_with_the_expected_range(int attention)
    {
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Forecast(attention: attention));

        var refused = Assert.Throws<ArgumentException>(() => builder.Build());

        Assert.Contains("Scorer.Forecast", refused.Message);
        Assert.Contains("The attention size must be 0 (no attention: the head reads the last step)", refused.Message);
    }

    [Fact]
    public void Export_to_exchange_formats_is_refused_with_the_reason()
    {
        var scorer = (FittedForecastScorer)Fitted.Value.Scorer;

        var refused = Assert.Throws<ArgumentException>(() => GruAnomaly.Interop.PyTorchWeights.ToTensors(scorer.Network, scorer.Parameters));

        Assert.Contains("attention pooling", refused.Message);
    }
}

/// <summary>A streamed point through attention pooling allocates nothing once the stream is warm.</summary>
[Collection(typeof(AllocationMeasurementCollection))]
public sealed class AttentionDetectorAllocationTests
{
    [Fact]
    public void A_point_allocates_nothing_once_the_stream_is_warm()
    {
        FittedAnomalyDetector fitted = AttentionDetectorTests.Fit(Scorer.Forecast(attention: 6));
        float[] values = DetectorStreamTests.TestSeries(800);
        DetectorStream stream = fitted.CreateStream();
        int warm = fitted.Window + 200;
        for (int t = 0; t < warm; t++)
        {
            stream.Observe(values[t]);
        }

        long allocated = Allocations.On(() =>
        {
            for (int t = warm; t < values.Length; t++)
            {
                stream.Observe(values[t]);
            }
        });

        Assert.Equal(0, allocated);
    }
}
