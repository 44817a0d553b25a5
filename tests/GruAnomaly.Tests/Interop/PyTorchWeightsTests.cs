using GruAnomaly.Detection;
using GruAnomaly.Interop;
using GruAnomaly.Recurrent;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Interop;

public sealed class PyTorchWeightsTests(ITestOutputHelper output)
{
    private static readonly ExchangeFixture Reference = ExchangeFixture.Instance;
    private static readonly PyTorchWeightOptions GruModule = new() { GruPrefix = "gru." };

    [Fact]
    public void Imported_weights_give_pytorchs_outputs_with_the_head_on_the_last_step()
    {
        RecurrentNetwork network = Network(HeadPlacement.LastStep);

        float[] weights = Import(network, GruModule);

        Parity.AssertClose(output, "head(output[-1])", Reference.OutputLastStep, Parity.Run(network, weights, Reference.Input, Reference.Steps, Reference.Batch));
    }

    [Fact]
    public void Imported_weights_give_pytorchs_outputs_with_the_head_on_every_step()
    {
        RecurrentNetwork network = Network(HeadPlacement.EveryStep);

        float[] weights = Import(network, GruModule);

        Parity.AssertClose(output, "head(output)", Reference.OutputEveryStep, Parity.Run(network, weights, Reference.Input, Reference.Steps, Reference.Batch));
    }

    [Fact]
    public void A_network_without_a_head_takes_the_gru_alone_only_when_told_to_ignore_the_rest()
    {
        var network = RecurrentNetwork.CreateGru(Reference.InputSize, Reference.HiddenSize, Reference.Layers, variant: GruVariant.ResetAfter);

        var refused = Assert.Throws<InvalidDataException>(() => Import(network, GruModule));
        Assert.Contains("no place for 2 tensor(s): 'head.bias', 'head.weight'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("PyTorchWeightOptions.AllowUnusedTensors", refused.Message, StringComparison.Ordinal);

        float[] weights = Import(network, new PyTorchWeightOptions { GruPrefix = "gru.", AllowUnusedTensors = true });
        Parity.AssertClose(output, "gru output", Reference.States, Parity.Run(network, weights, Reference.Input, Reference.Steps, Reference.Batch));
    }

    [Fact]
    public void Export_writes_the_very_bytes_pytorch_wrote_and_imports_back_bit_for_bit()
    {
        RecurrentNetwork network = Network(HeadPlacement.LastStep);
        float[] weights = Import(network, GruModule);

        var exported = new MemoryStream();
        PyTorchWeights.Export(exported, network, weights, GruModule);
        File.WriteAllBytes(Parity.ExportPath("pytorch.safetensors"), exported.ToArray());
        float[] again = PyTorchWeights.Import(new MemoryStream(exported.ToArray()), network, GruModule);

        // The fixture script writes safetensors as this library does (names sorted, compact JSON, 8-byte padding).
        Assert.Equal(File.ReadAllBytes(ExchangeFixture.PathOf(ExchangeFixture.WeightsFile)), exported.ToArray());
        Assert.Equal(weights.Select(BitConverter.SingleToInt32Bits), again.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void The_tensors_are_pytorchs_layout_of_our_slots()
    {
        RecurrentNetwork network = Network(HeadPlacement.LastStep);
        float[] weights = Parity.RandomWeights(network, seed: 5);

        IReadOnlyDictionary<string, FloatTensor> tensors = PyTorchWeights.ToTensors(network, weights);

        // weight_ih_l1[row = gate·hidden + unit, column = input] is input_weights[input, gate·hidden + unit].
        ParameterSlot inputWeights = network.GetSlot("layers.1.input_weights");
        Assert.Equal([15, 5], tensors["weight_ih_l1"].Shape);
        Assert.Equal(weights[inputWeights.Offset + (4 * 15) + 7], tensors["weight_ih_l1"].Values.Span[(7 * 5) + 4]);
        Assert.Equal(network.GetSlot("layers.0.recurrent_bias").Slice(weights).ToArray(), tensors["bias_hh_l0"].Values.ToArray());
        ParameterSlot head = network.GetSlot("head.weights");
        Assert.Equal([2, 5], tensors["head.weight"].Shape);
        Assert.Equal(weights[head.Offset + (3 * 2) + 1], tensors["head.weight"].Values.Span[(1 * 5) + 3]);
    }

    [Fact]
    public void A_reset_before_network_is_refused_with_the_way_out()
    {
        var network = RecurrentNetwork.CreateGru(3, 5, layers: 2, outputSize: 2);

        var exception = Assert.Throws<ArgumentException>(() => Import(network, GruModule));

        Assert.Equal("network", exception.ParamName);
        Assert.Contains("Layer 0 is a GruCell", exception.Message, StringComparison.Ordinal);
        Assert.Contains("GruVariant.ResetAfter", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PyTorchWeights.Export(new MemoryStream(), network, network.CreateParameters(1)));
    }

    [Fact]
    public void Missing_misshapen_and_non_finite_tensors_are_refused_by_name()
    {
        RecurrentNetwork network = Network(HeadPlacement.LastStep);
        Dictionary<string, FloatTensor> tensors = new(PyTorchWeights.ToTensors(network, network.CreateParameters(1)));

        var unprefixed = Assert.Throws<InvalidDataException>(() => Import(network, new PyTorchWeightOptions()));
        Assert.Contains("no tensor 'weight_ih_l0' (layer 0's input weights, shape [15, 3]); found 'gru.bias_hh_l0'", unprefixed.Message, StringComparison.Ordinal);

        Dictionary<string, FloatTensor> misshapen = new(tensors) { ["weight_hh_l1"] = new([5, 15], new float[75]) };
        var shape = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Import(misshapen, network));
        Assert.Contains("'weight_hh_l1' has shape [5, 15]; layer 1's recurrent weights needs [15, 5]", shape.Message, StringComparison.Ordinal);

        float[] nan = new float[15];
        nan[3] = float.NaN;
        Dictionary<string, FloatTensor> notFinite = new(tensors) { ["bias_ih_l1"] = new([15], nan) };
        var finite = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Import(notFinite, network));
        Assert.Contains("'bias_ih_l1' holds NaN at index 3", finite.Message, StringComparison.Ordinal);

        Dictionary<string, FloatTensor> bidirectional = new(tensors) { ["weight_ih_l0_reverse"] = tensors["weight_ih_l0"] };
        var extra = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Import(bidirectional, network));
        Assert.Contains("'weight_ih_l0_reverse'", extra.Message, StringComparison.Ordinal);

        var file = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Import(new MemoryStream([1, 2, 3]), network));
        Assert.Contains("has 3 bytes", file.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fitted_detectors_network_is_exported_without_a_cast()
    {
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder()
            .WithWindow(8)
            .WithModel(Models.Gru(hiddenSize: 4, variant: GruVariant.ResetAfter))
            .WithTrainer(AnomalyDetectorTests.Quick with { Epochs = 1 })
            .WithThreshold(Threshold.MeanPlusSigma(4))
            .Build()
            .Fit(Synthetic.Normal(200, seed: 1));

        TrainedNetwork model = fitted.Scorer.TrainedNetwork!;
        var stream = new MemoryStream();
        PyTorchWeights.Export(stream, model.Network, model.Parameters.Span);
        float[] imported = PyTorchWeights.Import(new MemoryStream(stream.ToArray()), model.Network);

        Assert.Equal(model.Parameters.ToArray(), imported);
        Assert.Contains("head.weight", Safetensors.Read(new MemoryStream(stream.ToArray())).Tensors.Keys);
    }

    private static RecurrentNetwork Network(HeadPlacement placement) => RecurrentNetwork.CreateGru(
        Reference.InputSize, Reference.HiddenSize, Reference.Layers, Reference.Outputs, GruVariant.ResetAfter, placement);

    private static float[] Import(RecurrentNetwork network, PyTorchWeightOptions options)
    {
        using FileStream file = File.OpenRead(ExchangeFixture.PathOf(ExchangeFixture.WeightsFile));
        return PyTorchWeights.Import(file, network, options);
    }
}
