using GruAnomaly.Recurrent;

namespace GruAnomaly.Interop;

/// <summary>
/// Exchanges a <see cref="RecurrentNetwork"/>'s weights with PyTorch: a stack of <see cref="GruResetAfterCell"/> layers
/// is a <c>torch.nn.GRU(input_size, hidden_size, num_layers)</c> (time-major, <c>batch_first=False</c>), and a
/// <see cref="DenseHead"/> is a <c>torch.nn.Linear(hidden_size, output_size)</c>, under the state-dict names
/// <c>weight_ih_l{k}</c>, <c>weight_hh_l{k}</c>, <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c>, <c>head.weight</c> and
/// <c>head.bias</c> (prefixes set by <see cref="PyTorchWeightOptions"/>), in a safetensors file.
/// </summary>
/// <remarks>
/// <para>The mapping is exact in both directions (no value is changed, only moved):</para>
/// <list type="table">
/// <listheader><term>PyTorch (shape)</term><description>ours (shape)</description></listheader>
/// <item><term><c>weight_ih_l{k}</c> [3·hidden, input]</term><description><c>layers.{k}.input_weights</c> [input, 3·hidden], its transpose</description></item>
/// <item><term><c>weight_hh_l{k}</c> [3·hidden, hidden]</term><description><c>layers.{k}.recurrent_weights</c> [hidden, 3·hidden], its transpose</description></item>
/// <item><term><c>bias_ih_l{k}</c> [3·hidden]</term><description><c>layers.{k}.input_bias</c>, as it is</description></item>
/// <item><term><c>bias_hh_l{k}</c> [3·hidden]</term><description><c>layers.{k}.recurrent_bias</c>, as it is</description></item>
/// <item><term><c>head.weight</c> [outputs, hidden]</term><description><c>head.weights</c> [hidden, outputs], its transpose</description></item>
/// <item><term><c>head.bias</c> [outputs]</term><description><c>head.bias</c>, as it is</description></item>
/// </list>
/// <para>
/// Both sides order the gate blocks r, z, n, and both compute <c>n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))</c>.
/// A <see cref="GruCell"/> applies the reset gate before its recurrent product, <c>(r ⊙ h)·W_hn</c>, which no choice of
/// weights turns into PyTorch's form: such a network is refused (exchange it through <see cref="KerasWeights"/> with
/// <c>reset_after=False</c>, or export it with <c>GruAnomaly.Onnx.OnnxModel</c>). What the head reads is the network's
/// <see cref="RecurrentNetwork.HeadPlacement"/>: <c>head(output[-1])</c> for the last step, <c>head(output)</c> for every step.
/// Layers of different widths get the same names, although a single <c>nn.GRU</c> cannot hold them. A module built with
/// <c>bias=False</c> has no bias tensors: add zeros. Bidirectional GRUs (<c>_reverse</c> tensors) are not supported.
/// </para>
/// </remarks>
public static class PyTorchWeights
{
    private const string UnusedOption = "PyTorchWeightOptions.AllowUnusedTensors";
    private const string UnusedExamples = "a deeper or bidirectional GRU, a head the network lacks, or another module";

    /// <summary>Reads a safetensors file of PyTorch weights into a new flat weight vector for <paramref name="network"/>.</summary>
    /// <param name="stream">The safetensors file (as <c>safetensors.torch.save_file(model.state_dict(), path)</c> writes it).</param>
    /// <param name="network">The network the weights are for: its layers and head fix the names and shapes expected.</param>
    /// <param name="options">The names and strictness; <see langword="null"/> for the defaults.</param>
    /// <returns>The weights, laid out as <see cref="RecurrentNetwork.ParameterSlots"/> names them.</returns>
    /// <exception cref="InvalidDataException">
    /// The file is not valid safetensors, or a tensor is missing, has another shape or non-finite values, or has no place in the network.
    /// </exception>
    /// <exception cref="ArgumentException">The network has a layer other than <see cref="GruResetAfterCell"/>.</exception>
    public static float[] Import(Stream stream, RecurrentNetwork network, PyTorchWeightOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(network);
        List<TensorMapping> mappings = Mappings(network, options ??= new PyTorchWeightOptions());
        return Import(Safetensors.Read(stream).Tensors, network, mappings, options);
    }

    /// <summary>Reads PyTorch tensors, already in memory, into a new flat weight vector for <paramref name="network"/>.</summary>
    /// <param name="tensors">The tensors by state-dict name.</param>
    /// <param name="network">The network the weights are for.</param>
    /// <param name="options">The names and strictness; <see langword="null"/> for the defaults.</param>
    /// <returns>The weights, laid out as <see cref="RecurrentNetwork.ParameterSlots"/> names them.</returns>
    /// <exception cref="InvalidDataException">A tensor is missing, has another shape or non-finite values, or has no place in the network.</exception>
    /// <exception cref="ArgumentException">The network has a layer other than <see cref="GruResetAfterCell"/>.</exception>
    public static float[] Import(IReadOnlyDictionary<string, FloatTensor> tensors, RecurrentNetwork network, PyTorchWeightOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(network);
        options ??= new PyTorchWeightOptions();
        return Import(tensors, network, Mappings(network, options), options);
    }

    /// <summary>
    /// Writes a network's weights as a safetensors file of PyTorch tensors (with the metadata <c>format: pt</c>), which
    /// <c>model.load_state_dict(safetensors.torch.load_file(path))</c> loads into the matching PyTorch module.
    /// </summary>
    /// <param name="stream">Receives the file.</param>
    /// <param name="network">The network.</param>
    /// <param name="weights">Its weights, of length <see cref="RecurrentNetwork.ParameterCount"/>.</param>
    /// <param name="options">The names; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">
    /// The network has a layer other than <see cref="GruResetAfterCell"/>, or the weights have another length or are not finite.
    /// </exception>
    public static void Export(Stream stream, RecurrentNetwork network, ReadOnlySpan<float> weights, PyTorchWeightOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Safetensors.Write(stream, ToTensors(network, weights, options), new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>Returns a network's weights as PyTorch tensors by state-dict name, for a format other than safetensors.</summary>
    /// <param name="network">The network.</param>
    /// <param name="weights">Its weights, of length <see cref="RecurrentNetwork.ParameterCount"/>.</param>
    /// <param name="options">The names; <see langword="null"/> for the defaults.</param>
    /// <returns>The tensors, new arrays (row-major, as PyTorch stores them).</returns>
    /// <exception cref="ArgumentException">
    /// The network has a layer other than <see cref="GruResetAfterCell"/>, or the weights have another length or are not finite.
    /// </exception>
    public static IReadOnlyDictionary<string, FloatTensor> ToTensors(RecurrentNetwork network, ReadOnlySpan<float> weights, PyTorchWeightOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        List<TensorMapping> mappings = Mappings(network, options ?? new PyTorchWeightOptions());
        ExchangeNetwork.CheckWeights(network, weights);
        return TensorMapping.ExportAll(mappings, weights);
    }

    private static float[] Import(IReadOnlyDictionary<string, FloatTensor> tensors, RecurrentNetwork network, List<TensorMapping> mappings,
        PyTorchWeightOptions options)
    {
        var source = new TensorSource(tensors, "tensor");
        float[] weights = TensorMapping.ImportAll(mappings, source, network);
        source.CheckAllUsed(options.AllowUnusedTensors, UnusedOption, UnusedExamples);
        return weights;
    }

    private static List<TensorMapping> Mappings(RecurrentNetwork network, PyTorchWeightOptions options)
    {
        GruVariant[] variants = ExchangeNetwork.Variants(network, "PyTorch");
        int before = Array.IndexOf(variants, GruVariant.ResetBefore);
        if (before >= 0)
        {
            throw new ArgumentException(
                $"Layer {before} is a GruCell, which applies the reset gate before the recurrent product; torch.nn.GRU applies it after, " +
                "and no choice of weights makes the two compute the same function. Build the network with GruVariant.ResetAfter " +
                "(GruResetAfterCell) to exchange weights with PyTorch, or exchange it through KerasWeights (reset_after=False) or ONNX (GruAnomaly.Onnx.OnnxModel).",
                nameof(network));
        }

        ArgumentNullException.ThrowIfNull(options.GruPrefix, nameof(options));
        ArgumentNullException.ThrowIfNull(options.HeadPrefix, nameof(options));
        string gru = options.GruPrefix;
        var mappings = new List<TensorMapping>();
        for (int k = 0; k < network.Layers.Count; k++)
        {
            int input = network.Layers[k].InputSize, gates = 3 * network.Layers[k].HiddenSize;
            mappings.Add(TensorMapping.Single($"{gru}weight_ih_l{k}", [gates, input], $"layer {k}'s input weights",
                ExchangeNetwork.Slot(network, k, "input_weights"), GateLayout.Rzn, transpose: true));
            mappings.Add(TensorMapping.Single($"{gru}weight_hh_l{k}", [gates, network.Layers[k].HiddenSize], $"layer {k}'s recurrent weights",
                ExchangeNetwork.Slot(network, k, "recurrent_weights"), GateLayout.Rzn, transpose: true));
            mappings.Add(TensorMapping.Single($"{gru}bias_ih_l{k}", [gates], $"layer {k}'s input bias",
                ExchangeNetwork.Slot(network, k, "input_bias"), GateLayout.Whole, transpose: false));
            mappings.Add(TensorMapping.Single($"{gru}bias_hh_l{k}", [gates], $"layer {k}'s recurrent bias",
                ExchangeNetwork.Slot(network, k, "recurrent_bias"), GateLayout.Whole, transpose: false));
        }

        mappings.AddRange(TensorMapping.Head(network, $"{options.HeadPrefix}weight", $"{options.HeadPrefix}bias", transpose: true));
        return mappings;
    }
}
