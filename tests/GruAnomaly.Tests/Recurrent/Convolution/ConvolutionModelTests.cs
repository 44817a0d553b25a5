using GruAnomaly.Detection;
using GruAnomaly.Persistence;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Tests.Persistence;

namespace GruAnomaly.Tests.Recurrent.Convolution;

/// <summary>
/// <see cref="Models.WithConvolution"/>: its name, its layers, its validation, and a detector built on it that fits,
/// detects, streams exactly what it detects, and saves and loads to the same bytes and the same detections.
/// </summary>
public class ConvolutionModelTests
{
    [Fact]
    public void The_factory_names_itself_and_puts_the_convolution_below_the_inner_layers()
    {
        IModelFactory factory = Models.WithConvolution(Models.Gru(64), 16, 3, 2);

        Assert.Equal("conv(16, k3, d2) → GRU(64)×1", factory.Name);
        Assert.Equal("conv(8, k5, d1) → LSTM(4)×2", Models.WithConvolution(Models.Lstm(4, 2), 8, 5).Name);
        IReadOnlyList<IRecurrentCell> layers = factory.CreateLayers(3);
        Assert.Equal(2, layers.Count);
        var convolution = Assert.IsType<CausalConvolutionCell>(layers[0]);
        Assert.Equal((3, 16, 3, 2), (convolution.InputSize, convolution.Channels, convolution.KernelSize, convolution.Dilation));
        Assert.IsType<GruCell>(layers[1]);
        Assert.Equal(16, layers[1].InputSize);
    }

    [Fact]
    public void Invalid_arguments_and_an_invalid_inner_model_are_recorded_for_Build_and_refused_when_used()
    {
        IModelFactory factory = Models.WithConvolution(Models.Gru(8), channels: 0, kernelSize: 3);
        var problems = new List<string>();
        factory.Validate(problems);
        Assert.Single(problems);
        Assert.Contains("channels", problems[0], StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => factory.CreateLayers(1));

        var inner = new List<string>();
        Models.WithConvolution(Models.Gru(hiddenSize: -1), 4, 3).Validate(inner);
        Assert.Single(inner);
        Assert.Contains("hiddenSize", inner[0], StringComparison.Ordinal);

        var exception = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithModel(Models.WithConvolution(Models.Gru(8), 4, 3, dilation: 0)).Build());
        Assert.Contains("dilation", exception.Message, StringComparison.Ordinal);

        var grud = new List<string>();
        Models.WithConvolution(Models.GruD(8), 4, 3).Validate(grud);
        Assert.Contains("GRU-D", Assert.Single(grud), StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new ConvolutionModelFactory(null!, 4, 3));
    }

    [Fact]
    public void At_most_four_convolutions_nest()
    {
        IModelFactory model = Models.Gru(4);
        for (int i = 0; i < ConvolutionModelFactory.MaxNesting; i++)
        {
            model = new ConvolutionModelFactory(model, 4, 2);
        }

        Assert.Equal(ConvolutionModelFactory.MaxNesting + 1, model.CreateLayers(1).Count);
        Assert.Throws<ArgumentException>(() => new ConvolutionModelFactory(model, 4, 2));
        var problems = new List<string>();
        Models.WithConvolution(model, 4, 2).Validate(problems);
        Assert.Contains("at most 4 nested convolutions", Assert.Single(problems), StringComparison.Ordinal);
    }

    public static TheoryData<string> Scorers() => ["forecast", "carried-state"];

    [Theory]
    [MemberData(nameof(Scorers))]
    public void A_detector_with_a_convolution_fits_detects_streams_exactly_what_it_detects_and_saves_bit_identically(string scorer)
    {
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithModel(Models.WithConvolution(Models.Gru(8), 4, 3, 2));
        if (scorer == "carried-state")
        {
            builder = builder.WithScorer(Scorer.CarriedStateForecast());
        }

        FittedAnomalyDetector fitted = builder.Build().Fit(Synthetic.Normal(800, seed: 10));
        float[] series = DetectorStreamTests.TestSeries();

        DetectionResult result = fitted.Detect(series);

        Assert.Equal("conv(4, k3, d2) → GRU(8)×1", fitted.Choices.Model.Name);
        Assert.Contains(result.RawScores.ToArray(), double.IsFinite);
        Assert.All(result.RawScores.ToArray().Where(double.IsFinite), s => Assert.True(s >= 0));
        DetectorStreamTests.AssertSameAsDetect(fitted, series);

        byte[] file = Persisted.Bytes(fitted);
        Assert.Equal(2, BitConverter.ToUInt16(file, 4));
        FittedAnomalyDetector loaded = Persisted.RoundTrip(fitted);
        Assert.Equal(fitted.Choices.Model.Name, loaded.Choices.Model.Name);
        Persisted.AssertSameDetection(fitted, loaded, new TimeSeries(series, 1));
        DetectorStreamTests.AssertSameAsDetect(loaded, series);
    }

    [Fact]
    public void A_carried_state_stream_saved_midway_restores_the_carried_inputs_and_continues_exactly()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.CarriedStateForecast())
            .WithModel(Models.WithConvolution(Models.Gru(6), 3, 3, 2)).Build().Fit(Synthetic.Normal(800, seed: 10));
        FittedAnomalyDetector loaded = Persisted.RoundTrip(fitted);
        float[] values = DetectorStreamTests.TestSeries();
        DetectorStream uninterrupted = fitted.CreateStream();
        StreamPoint[] expected = [.. values.Select(v => uninterrupted.Observe(v))];

        // Before the history is full (1, 3 < (K − 1)·d = 4), after it, and around an anomaly: each restored stream runs to the end.
        foreach (int at in new[] { 1, 3, 40, 221 })
        {
            DetectorStream first = fitted.CreateStream();
            for (int t = 0; t < at; t++)
            {
                first.Observe(values[t]);
            }

            byte[] state = Persisted.Bytes(first);
            DetectorStream restored = (at % 2 == 0 ? fitted : loaded).RestoreStream(new MemoryStream(state));
            Assert.Equal(state, Persisted.Bytes(restored));
            for (int t = at; t < values.Length; t++)
            {
                Persisted.AssertSame(expected[t], restored.Observe(values[t]));
            }
        }
    }

    [Fact]
    public void A_version_1_file_claiming_a_convolution_is_refused_as_damaged()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithModel(Models.WithConvolution(Models.Gru(4), 2, 2)).Build()
            .Fit(Synthetic.Normal(600, seed: 10));
        byte[] file = Persisted.Bytes(fitted);

        // Stamp the header as version 1 and fix the checksum: the bytes are then a version-1 file holding the convolution codes.
        BitConverter.TryWriteBytes(file.AsSpan(4), (ushort)1);
        Persisted.FixChecksum(file);
        var refused = Assert.Throws<InvalidDataException>(() => Persisted.Load(file));

        Assert.Contains("a convolution", refused.Message, StringComparison.Ordinal);
        Assert.Contains("exists from format version 2 on, but the file has version 1", refused.Message, StringComparison.Ordinal);
    }
}
