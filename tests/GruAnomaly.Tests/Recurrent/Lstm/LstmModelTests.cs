using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Persistence;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Tests.Persistence;

namespace GruAnomaly.Tests.Recurrent.Lstm;

/// <summary><see cref="Models.Lstm"/>: its name, its validation, and a detector built on it with each network scorer.</summary>
public class LstmModelTests
{
    [Fact]
    public void The_factory_names_itself_and_stacks_lstm_layers()
    {
        IModelFactory factory = Models.Lstm(64, 2);

        Assert.Equal("LSTM(64)×2", factory.Name);
        Assert.Equal("LSTM(8)×1, forget bias 0", Models.Lstm(8, forgetGateBiasOne: false).Name);
        IReadOnlyList<IRecurrentCell> layers = factory.CreateLayers(3);
        Assert.Equal(2, layers.Count);
        Assert.All(layers, l => Assert.IsType<LstmCell>(l));
        Assert.Equal(3, layers[0].InputSize);
        Assert.Equal(64, layers[1].InputSize);
        Assert.True(((LstmCell)layers[0]).ForgetGateBiasOne);
    }

    [Fact]
    public void Invalid_arguments_are_recorded_for_Build_and_refused_when_used()
    {
        IModelFactory factory = Models.Lstm(hiddenSize: 0, layers: -1);
        var problems = new List<string>();

        factory.Validate(problems);

        Assert.Single(problems);
        Assert.Contains("hiddenSize", problems[0], StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => factory.CreateLayers(1));
        var exception = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithModel(Models.Lstm(-3)).Build());
        Assert.Contains("hiddenSize", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LstmModelFactory(4, 0));
    }

    public static TheoryData<string> Scorers() => ["forecast", "carried-state", "reconstruction", "fusion"];

    [Theory]
    [MemberData(nameof(Scorers))]
    public void A_detector_on_lstm_layers_fits_and_detects_and_a_causal_one_streams_exactly_what_it_detects(string scorer)
    {
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithModel(Models.Lstm(hiddenSize: 6, layers: 2));
        builder = scorer switch
        {
            "carried-state" => builder.WithScorer(Scorer.CarriedStateForecast()),
            "reconstruction" => builder.WithScorer(Scorer.Reconstruction()).WithLoss(Loss.Mse),
            "fusion" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.CarriedStateForecast())),
            _ => builder,
        };
        FittedAnomalyDetector fitted = builder.Build().Fit(Synthetic.Normal(800, seed: 10));
        float[] series = DetectorStreamTests.TestSeries();

        DetectionResult result = fitted.Detect(series);

        Assert.Equal("LSTM(6)×2", fitted.Choices.Model.Name);
        Assert.Contains(result.RawScores.ToArray(), double.IsFinite);
        Assert.All(result.RawScores.ToArray().Where(double.IsFinite), s => Assert.True(s >= 0));
        if (scorer != "reconstruction")
        {
            DetectorStreamTests.AssertSameAsDetect(fitted, series);
        }
    }

    [Fact]
    public void An_lstm_detector_is_written_as_format_version_2_and_a_version_1_file_claiming_one_is_refused_as_damaged()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().WithModel(Models.Lstm(hiddenSize: 4)).Build()
            .Fit(Synthetic.Normal(600, seed: 10));
        byte[] file = Persisted.Bytes(fitted);
        Assert.Equal(2, BitConverter.ToUInt16(file, 4));

        // Stamp the header as version 1 and fix the checksum: the bytes are then a version-1 file holding the LSTM codes.
        BitConverter.TryWriteBytes(file.AsSpan(4), (ushort)1);
        BitConverter.TryWriteBytes(file.AsSpan(file.Length - 4), Crc32.Compute(file.AsSpan(0, file.Length - 4)));
        var refused = Assert.Throws<InvalidDataException>(() => Persisted.Load(file));

        Assert.Contains("an LSTM", refused.Message, StringComparison.Ordinal);
        Assert.Contains("exists from format version 2 on, but the file has version 1", refused.Message, StringComparison.Ordinal);
    }
}
