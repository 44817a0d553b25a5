using GruAnomaly.Interop;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Interop;

public sealed class KerasWeightsTests(ITestOutputHelper output)
{
    private static readonly ExchangeFixture Reference = ExchangeFixture.Instance;

    [Fact]
    public void Keras_reset_after_arrays_are_pytorchs_weights_and_give_its_outputs()
    {
        RecurrentNetwork network = Network(GruVariant.ResetAfter);

        float[] keras = KerasWeights.Import(Reference.KerasResetAfter, network);

        // The fixture's Keras arrays are PyTorch's tensors rearranged: the same values must land in the same slots.
        using FileStream file = File.OpenRead(ExchangeFixture.PathOf(ExchangeFixture.WeightsFile));
        float[] pytorch = PyTorchWeights.Import(file, network, new PyTorchWeightOptions { GruPrefix = "gru." });
        Assert.Equal(pytorch, keras);
        Parity.AssertClose(output, "Keras reset_after=True", Reference.OutputLastStep, Parity.Run(network, keras, Reference.Input, Reference.Steps, Reference.Batch));
    }

    [Fact]
    public void Keras_reset_before_arrays_give_the_outputs_of_kerass_equations()
    {
        RecurrentNetwork network = Network(GruVariant.ResetBefore);

        float[] weights = KerasWeights.Import(Reference.KerasResetBefore, network);

        Parity.AssertClose(output, "Keras reset_after=False", Reference.KerasResetBeforeOutputLastStep,
            Parity.Run(network, weights, Reference.Input, Reference.Steps, Reference.Batch));
        var withoutHead = RecurrentNetwork.CreateGru(Reference.InputSize, Reference.HiddenSize, Reference.Layers);
        float[] gru = KerasWeights.Import(Reference.KerasResetBefore, withoutHead, new KerasWeightOptions { AllowUnusedArrays = true });
        Parity.AssertClose(output, "Keras reset_after=False states", Reference.KerasResetBeforeStates,
            Parity.Run(withoutHead, gru, Reference.Input, Reference.Steps, Reference.Batch));
    }

    [Theory]
    [InlineData(GruVariant.ResetAfter)]
    [InlineData(GruVariant.ResetBefore)]
    public void Export_gives_back_the_arrays_it_was_given(GruVariant variant)
    {
        Dictionary<string, FloatTensor> arrays = variant == GruVariant.ResetAfter ? Reference.KerasResetAfter : Reference.KerasResetBefore;
        RecurrentNetwork network = Network(variant);

        IReadOnlyDictionary<string, FloatTensor> exported = KerasWeights.Export(network, KerasWeights.Import(arrays, network));

        Assert.Equal(arrays.Keys.Order(), exported.Keys.Order());
        foreach ((string name, FloatTensor array) in arrays)
        {
            Assert.Equal(array.Shape, exported[name].Shape);
            Assert.Equal(array.Values.ToArray(), exported[name].Values.ToArray());
        }
    }

    [Fact]
    public void A_bias_of_the_other_variant_says_which_cell_to_build()
    {
        var after = Assert.Throws<InvalidDataException>(() => KerasWeights.Import(Reference.KerasResetAfter, Network(GruVariant.ResetBefore)));
        Assert.Contains("'gru/bias' has shape [2, 15]", after.Message, StringComparison.Ordinal);
        Assert.Contains("reset_after=True: build that layer as a GruResetAfterCell", after.Message, StringComparison.Ordinal);

        var before = Assert.Throws<InvalidDataException>(() => KerasWeights.Import(Reference.KerasResetBefore, Network(GruVariant.ResetAfter)));
        Assert.Contains("reset_after=False: build that layer as a GruCell", before.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layer_and_head_names_follow_the_options()
    {
        RecurrentNetwork network = Network(GruVariant.ResetAfter);
        var options = new KerasWeightOptions { LayerName = "encoder", HeadName = "forecast" };

        IReadOnlyDictionary<string, FloatTensor> arrays = KerasWeights.Export(network, network.CreateParameters(2), options);

        Assert.Equal(["encoder/bias", "encoder/kernel", "encoder/recurrent_kernel", "encoder_1/bias", "encoder_1/kernel",
            "encoder_1/recurrent_kernel", "forecast/bias", "forecast/kernel"], arrays.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(network.CreateParameters(2), KerasWeights.Import(arrays, network, options));
    }

    private static RecurrentNetwork Network(GruVariant variant) =>
        RecurrentNetwork.CreateGru(Reference.InputSize, Reference.HiddenSize, Reference.Layers, Reference.Outputs, variant);
}
