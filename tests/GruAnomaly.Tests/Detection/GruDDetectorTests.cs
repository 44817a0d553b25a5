using GruAnomaly.Data;
using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Persistence;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Detection;

/// <summary>
/// A GRU-D detector end to end: the builder's refusals, Fit/Detect on a series with gaps (with and without irregular
/// timestamps), a stream equal to Detect to the last bit, save/load of the detector and of a stream in the middle of a
/// gap, and no allocation per streamed point, per pass and per training step.
/// </summary>
[Collection(typeof(AllocationMeasurementCollection))]
public sealed class GruDDetectorTests(ITestOutputHelper output)
{
    private const int Features = 2;

    internal static AnomalyDetectorBuilder Builder(IAnomalyScorer? scorer = null) => AnomalyDetector.CreateBuilder()
        .WithScorer(scorer ?? Scorer.Forecast())
        .WithWindow(16)
        .WithModel(Models.GruD(hiddenSize: 8))
        .WithTrainer(AnomalyDetectorTests.Quick)
        .WithThreshold(Threshold.MeanPlusSigma(4));

    /// <summary>
    /// Two sine-like features with about 20 % of the values missing at random and a 25-step gap in feature 1; both are
    /// observed at the first step (so a stream and Detect start alike: see DetectorStream's remarks on leading gaps).
    /// </summary>
    internal static float[] SeriesWithGaps(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length * Features];
        for (int t = 0; t < length; t++)
        {
            values[t * Features] = MathF.Sin(0.2f * t) + (0.1f * (float)random.NextDouble());
            values[(t * Features) + 1] = MathF.Cos(0.07f * t) + (0.1f * (float)random.NextDouble());
            for (int f = 0; f < Features; f++)
            {
                if (t > 0 && random.NextDouble() < 0.2)
                {
                    values[(t * Features) + f] = float.NaN;
                }
            }
        }

        for (int t = length / 3; t < (length / 3) + 25; t++)
        {
            values[(t * Features) + 1] = float.NaN;
        }

        return values;
    }

    /// <summary>Irregular timestamps: mostly a minute apart, every seventh step three minutes.</summary>
    internal static DateTimeOffset[] IrregularTimestamps(int length)
    {
        var start = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        var stamps = new DateTimeOffset[length];
        for (int t = 1; t < length; t++)
        {
            stamps[t] = stamps[t - 1] == default ? start.AddMinutes(1) : stamps[t - 1].AddMinutes(t % 7 == 0 ? 3 : 1);
        }

        stamps[0] = start;
        return stamps;
    }

    private static TimeSeries Series(int length, int seed, bool timestamps) =>
        new(SeriesWithGaps(length, seed), Features, timestamps ? IrregularTimestamps(length) : null);

    [Fact]
    public void Build_refuses_gru_d_with_a_filling_policy_another_scorer_or_online_adaptation()
    {
        var policy = Assert.Throws<ArgumentException>(() => Builder().WithMissingValues(MissingValuePolicy.Interpolate).Build());
        var scorer = Assert.Throws<ArgumentException>(() => Builder(Scorer.Reconstruction()).Build());
        var adaptation = Assert.Throws<ArgumentException>(() => Builder().WithOnlineAdaptation(new OnlineAdaptation()).Build());

        Assert.Contains("needs WithMissingValues(MissingValuePolicy.Mask); Interpolate fills the gaps", policy.Message, StringComparison.Ordinal);
        Assert.Contains("builds its input rows only in the forecast scorer", scorer.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be fine-tuned online", adaptation.Message, StringComparison.Ordinal);
        Builder(Scorer.Default()).Build(); // the default fusion of a forecast and a baseline is served
        Builder(Scorer.Fusion(Scorer.Forecast(), Scorer.SlidingNearestNeighbour())).Build(); // so is one with a sliding distance, which trains nothing
    }

    private static IAnomalyScorer? ScorerNamed(string scorer) => scorer == "fusion" ? Scorer.Default() : null;

    /// <summary>The GRU-D forecaster of a fitted detector: its scorer, or the forecast component of its fusion.</summary>
    private static FittedForecastScorer ForecasterOf(FittedAnomalyDetector fitted) => fitted.Scorer switch
    {
        FittedFusionScorer fusion => Assert.Single(fusion.Components.ToArray().OfType<FittedForecastScorer>()),
        var single => Assert.IsType<FittedForecastScorer>(single),
    };

    [Theory]
    [InlineData("forecast", false)]
    [InlineData("forecast", true)]
    [InlineData("fusion", false)]
    [InlineData("fusion", true)]
    public void Fit_and_detect_a_series_with_gaps(string scorer, bool timestamps)
    {
        TimeSeries training = Series(600, seed: 1, timestamps);
        FittedAnomalyDetector fitted = Builder(ScorerNamed(scorer)).Build().Fit(training);
        DetectionResult result = fitted.Detect(Series(400, seed: 2, timestamps));

        FittedForecastScorer forecast = ForecasterOf(fitted);
        GruDCell cell = Assert.IsType<GruDCell>(forecast.Network.Layers[0]);
        Assert.Equal(4 * Features, forecast.Network.InputSize);
        Assert.Equal(timestamps ? TimeSpan.FromMinutes(1) : null, cell.TimeUnit);
        var scaled = new float[training.Values.Length];
        fitted.Scaler.Transform(training.Values, scaled);
        Assert.Equal(GapEncoding.Means(scaled, Features), cell.Means.ToArray());
        int scored = 0;
        for (int t = 0; t < result.Length; t++)
        {
            if (result.IsScored[t])
            {
                scored++;
                Assert.True(double.IsFinite(result.Scores[t]));
            }
        }

        output.WriteLine($"{scored} of {result.Length} steps scored");
        Assert.True(scored > 300, $"only {scored} steps scored");
    }

    [Theory]
    [InlineData("forecast")]
    [InlineData("fusion")]
    public void Timestamps_change_what_gru_d_reads(string scorer)
    {
        // Trained with a unit, the same values read with other spacings give other δ, hence other forecasts and scores.
        FittedAnomalyDetector fitted = Builder(ScorerNamed(scorer)).Build().Fit(Series(600, seed: 1, timestamps: true));
        float[] values = SeriesWithGaps(300, seed: 3);
        DetectionResult irregular = fitted.Detect(new TimeSeries(values, Features, IrregularTimestamps(300)));
        DetectionResult steps = fitted.Detect(new TimeSeries(values, Features));

        Assert.NotEqual(irregular.Expected.ToArray(), steps.Expected.ToArray());
        Assert.NotEqual(irregular.RawScores.ToArray(), steps.RawScores.ToArray());
    }

    [Fact]
    public void A_fusion_hands_the_timestamps_to_its_gru_d_forecaster_when_scoring_and_explaining()
    {
        FittedAnomalyDetector fitted = Builder(Scorer.Default()).Build().Fit(Series(600, seed: 1, timestamps: true));
        var fusion = Assert.IsType<FittedFusionScorer>(fitted.Scorer);
        FittedForecastScorer forecast = ForecasterOf(fitted);
        TimeSeries series = Series(300, seed: 3, timestamps: true);
        SeriesPreparation.Prepare(series, fitted.Scaler, MissingValuePolicy.Mask, out float[] inputs, out float[] observed);
        (float[] Expected, float[] Errors) Scored(ITimedScorer scorer, IReadOnlyList<DateTimeOffset>? timestamps)
        {
            var expected = new float[inputs.Length];
            var errors = new float[inputs.Length];
            scorer.Score(inputs, observed, timestamps, expected, errors);
            return (expected, errors);
        }

        // The fusion's expected values are its forecaster's: read with the timestamps, not with δ counted in steps.
        (float[] fused, float[] fusedErrors) = Scored(fusion, series.Timestamps);
        int scoredFrom = fusion.WarmUp * Features;
        Assert.Equal(Scored(forecast, series.Timestamps).Expected[scoredFrom..], fused[scoredFrom..]);
        Assert.NotEqual(Scored(forecast, null).Expected[scoredFrom..], fused[scoredFrom..]);

        // Explain scores and differentiates the same timed errors.
        int time = 200;
        Explanation timed = fitted.Explain(series, time);
        Explanation counted = fitted.Explain(new TimeSeries(series.Values.ToArray(), Features), time);
        Assert.Equal(fitted.Combination.Combine(fusedErrors.AsSpan(time * Features, Features), new double[Features]), timed.Score);
        Assert.NotEqual(counted.Score, timed.Score);
        Assert.NotEqual(counted.Saliency.ToArray(), timed.Saliency.ToArray());
    }

    [Fact]
    public void A_gru_d_forecaster_with_attention_explains_which_steps_it_read()
    {
        TimeSeries training = Series(600, seed: 1, timestamps: true);
        FittedAnomalyDetector fitted = Builder(Scorer.Forecast(attention: 8)).Build().Fit(training);
        Explanation explanation = fitted.Explain(Series(300, seed: 3, timestamps: true), time: 200);

        Assert.Equal(explanation.Window, explanation.Attention.Length);
        Assert.All(explanation.Attention.ToArray(), weight => Assert.True(weight >= 0f));
        Assert.Equal(1.0, explanation.Attention.ToArray().Sum(w => (double)w), 5);
    }

    public static TheoryData<string, bool> StreamCases() => new()
    {
        { "forecast", false },
        { "forecast", true },
        { "fusion", false },
        { "fusion", true },
    };

    [Theory]
    [MemberData(nameof(StreamCases))]
    public void A_stream_reports_what_detect_reports_to_the_last_bit(string scorer, bool timestamps)
    {
        FittedAnomalyDetector fitted = Builder(ScorerNamed(scorer)).Build().Fit(Series(600, seed: 1, timestamps));
        TimeSeries series = Series(420, seed: 4, timestamps);
        DetectionResult batch = fitted.Detect(series);
        DetectorStream stream = fitted.CreateStream();

        for (int t = 0; t < series.Length; t++)
        {
            StreamPoint point = timestamps ? stream.Observe(series.At(t), series.Timestamps![t]) : stream.Observe(series.At(t));
            Assert.Equal(batch.IsScored[t], point.IsScored);
            Assert.Equal(BitConverter.DoubleToInt64Bits(batch.RawScores[t]), BitConverter.DoubleToInt64Bits(point.RawScore));
            Assert.Equal(BitConverter.DoubleToInt64Bits(batch.Scores[t]), BitConverter.DoubleToInt64Bits(point.Score));
            Assert.Equal(batch.ExpectedAt(t).ToArray(), stream.Expected.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(StreamCases))]
    public void A_batch_of_streams_reports_what_single_streams_report(string scorer, bool timestamps)
    {
        FittedAnomalyDetector fitted = Builder(ScorerNamed(scorer)).Build().Fit(Series(600, seed: 1, timestamps));
        DateTimeOffset[] stamps = IrregularTimestamps(300);
        float[][] series = [SeriesWithGaps(300, seed: 5), SeriesWithGaps(300, seed: 6), SeriesWithGaps(300, seed: 7)];
        DetectorStream[] singles = [.. series.Select(_ => fitted.CreateStream())];
        DetectorStreamBatch batch = fitted.CreateStreamBatch(series.Length);
        var values = new float[series.Length * Features];
        var results = new StreamPoint[series.Length];
        for (int t = 0; t < 300; t++)
        {
            for (int s = 0; s < series.Length; s++)
            {
                series[s].AsSpan(t * Features, Features).CopyTo(values.AsSpan(s * Features));
            }

            if (timestamps)
            {
                batch.Observe(values, stamps[t], results);
            }
            else
            {
                batch.Observe(values, results);
            }

            for (int s = 0; s < series.Length; s++)
            {
                ReadOnlySpan<float> point = series[s].AsSpan(t * Features, Features);
                Persisted.AssertSame(timestamps ? singles[s].Observe(point, stamps[t]) : singles[s].Observe(point), results[s]);
            }
        }
    }

    [Fact]
    public void A_gru_d_detector_is_written_as_format_version_2_and_a_version_1_file_claiming_one_is_refused_as_damaged()
    {
        FittedAnomalyDetector fitted = Builder().Build().Fit(Series(600, seed: 1, timestamps: false));
        byte[] file = Persisted.Bytes(fitted);
        Assert.Equal(2, BitConverter.ToUInt16(file, 4));

        // Stamp the header as version 1 and fix the checksum: the bytes are then a version-1 file holding the GRU-D codes.
        BitConverter.TryWriteBytes(file.AsSpan(4), (ushort)1);
        BitConverter.TryWriteBytes(file.AsSpan(file.Length - 4), GruAnomaly.Persistence.Crc32.Compute(file.AsSpan(0, file.Length - 4)));
        var refused = Assert.Throws<InvalidDataException>(() => Persisted.Load(file));

        Assert.Contains("a GRU-D", refused.Message, StringComparison.Ordinal);
        Assert.Contains("exists from format version 2 on, but the file has version 1", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forecast")]
    [InlineData("fusion")]
    public void A_saved_detector_and_a_stream_saved_inside_a_gap_carry_on_exactly(string scorer)
    {
        TimeSeries training = Series(600, seed: 1, timestamps: true);
        FittedAnomalyDetector fitted = Builder(ScorerNamed(scorer)).Build().Fit(training);
        FittedAnomalyDetector loaded = Persisted.RoundTrip(fitted);
        TimeSeries series = Series(300, seed: 8, timestamps: true);
        Persisted.AssertSameDetection(fitted, loaded, series);
        GruDCell cell = Assert.IsType<GruDCell>(ForecasterOf(loaded).Network.Layers[0]);
        Assert.Equal(TimeSpan.FromMinutes(1), cell.TimeUnit);
        Assert.IsType<GruDModelFactory>(loaded.Choices.Model);

        // Save the stream in the middle of feature 1's long gap (steps 100 to 124), so δ and x_last must come back.
        DetectorStream first = fitted.CreateStream();
        for (int t = 0; t < 110; t++)
        {
            first.Observe(series.At(t), series.Timestamps![t]);
        }

        DetectorStream restored = loaded.RestoreStream(new MemoryStream(Persisted.Bytes(first)));
        for (int t = 110; t < series.Length; t++)
        {
            Persisted.AssertSame(first.Observe(series.At(t), series.Timestamps![t]), restored.Observe(series.At(t), series.Timestamps![t]));
        }
    }

    [Fact]
    public void A_streamed_point_allocates_nothing_once_warm()
    {
        FittedAnomalyDetector fitted = Builder().Build().Fit(Series(600, seed: 1, timestamps: true));
        TimeSeries series = Series(500, seed: 9, timestamps: true);
        DetectorStream stream = fitted.CreateStream();
        int warm = fitted.Window + 100;
        for (int t = 0; t < warm; t++)
        {
            stream.Observe(series.At(t), series.Timestamps![t]);
        }

        long allocated = Allocations.On(() =>
        {
            for (int t = warm; t < series.Length; t++)
            {
                stream.Observe(series.At(t), series.Timestamps![t]);
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Forward_backward_and_a_streamer_step_allocate_nothing_once_warm()
    {
        const int steps = 20, batch = 8;
        var network = new RecurrentNetwork(new GruDModelFactory(16, 2).CreateLayers(Features), new DenseHead(16, Features));
        float[] parameters = network.CreateParameters(1);
        float[] inputs = new GapEncoding(Features, null).Encode(
            MissingValues.Fill(SeriesWithGaps(steps * batch, seed: 2), Features, MissingValuePolicy.ForwardFill), SeriesWithGaps(steps * batch, seed: 2), null);
        var outputGradients = new float[batch * Features];
        Array.Fill(outputGradients, 0.1f);
        var gradients = new float[network.ParameterCount];
        var inputGradients = new float[inputs.Length];
        NetworkWorkspace workspace = network.CreateWorkspace();
        void Pass()
        {
            Array.Clear(gradients);
            network.Forward(parameters, inputs, steps, batch, workspace);
            network.Backward(parameters, workspace, outputGradients, gradients, inputGradients: inputGradients);
            network.Infer(parameters, inputs, steps, batch, workspace);
        }

        Pass();
        Assert.Equal(0, Allocations.On(Pass));

        NetworkStreamer streamer = network.CreateStreamer(parameters);
        StreamState state = streamer.CreateState();
        var point = new float[streamer.OutputSize];
        streamer.Step(state, inputs.AsSpan(0, 4 * Features), point);
        Assert.Equal(0, Allocations.On(() =>
        {
            for (int i = 1; i < steps * batch; i++)
            {
                streamer.Step(state, inputs.AsSpan(i * 4 * Features, 4 * Features), point);
            }
        }));
    }

    [Fact]
    public void Trainer_mini_batch_steps_after_the_first_allocate_nothing()
    {
        float[] raw = SeriesWithGaps(400, seed: 3);
        float[] filled = MissingValues.Fill(raw, Features, MissingValuePolicy.ForwardFill);
        var encoding = new GapEncoding(Features, null);
        var data = WindowedSeries.Encoded(encoding.Encode(filled, raw, null), encoding.Width, raw, Features, window: 20, horizon: 1, stride: 1);
        var network = new RecurrentNetwork(new GruDModelFactory(16, 1).CreateLayers(Features, GapEncoding.Means(raw, Features), null),
            new DenseHead(16, Features));
        var trainer = new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 16, ValidationFraction = 0.2, GradientClipNorm = 1f, Seed = 3, Loss = Loss.Mse });
        Allocations.AssertTrainerStepsAllocateNothing(trainer, network, network.CreateParameters(1), data);
    }
}
