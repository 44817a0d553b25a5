using GruAnomaly.Recurrent;

namespace GruAnomaly.Interop;

/// <summary>
/// Exchanges a <see cref="RecurrentNetwork"/>'s weights with Keras as named arrays (for example from
/// <c>layer.get_weights()</c> or an HDF5 weights file): each GRU layer is a <c>keras.layers.GRU(units)</c> with its
/// default activations (<c>tanh</c>, <c>sigmoid</c>), named <c>{layer}/kernel</c>, <c>{layer}/recurrent_kernel</c> and
/// <c>{layer}/bias</c>, and a <see cref="DenseHead"/> is a <c>keras.layers.Dense(outputs)</c> named <c>{head}/kernel</c>
/// and <c>{head}/bias</c> (layer and head names set by <see cref="KerasWeightOptions"/>).
/// </summary>
/// <remarks>
/// <para>
/// Both GRU variants map exactly (no value is changed, only moved). Keras stores matrices as we do, inputs × outputs, but
/// orders the gate blocks z, r, h where we order them r, z, n: the first two column blocks swap.
/// </para>
/// <list type="table">
/// <listheader><term>Keras (shape)</term><description>ours (shape)</description></listheader>
/// <item><term><c>kernel</c> [input, 3·hidden]</term><description><c>layers.{k}.input_weights</c>, blocks z, r, h → r, z, n</description></item>
/// <item><term><c>recurrent_kernel</c> [hidden, 3·hidden]</term><description><c>layers.{k}.recurrent_weights</c>, blocks swapped likewise</description></item>
/// <item><term><c>bias</c> [2, 3·hidden], <c>reset_after=True</c> (the default since TensorFlow 2)</term><description>row 0: <c>input_bias</c>, row 1: <c>recurrent_bias</c> of a <see cref="GruResetAfterCell"/>, blocks swapped likewise</description></item>
/// <item><term><c>bias</c> [3·hidden], <c>reset_after=False</c></term><description><c>bias</c> of a <see cref="GruCell"/>, blocks swapped likewise</description></item>
/// <item><term>head <c>kernel</c> [hidden, outputs]</term><description><c>head.weights</c>, as it is</description></item>
/// <item><term>head <c>bias</c> [outputs]</term><description><c>head.bias</c>, as it is</description></item>
/// </list>
/// <para>
/// With <c>reset_after=True</c> Keras computes <c>h̃ = tanh(x·W_h + b_h + r ⊙ (h·U_h + b'_h))</c>, our
/// <see cref="GruResetAfterCell"/>; with <c>reset_after=False</c> it computes <c>h̃ = tanh(x·W_h + b_h + (r ⊙ h)·U_h)</c>,
/// our <see cref="GruCell"/>. Both blend <c>h' = z ⊙ h + (1 − z) ⊙ h̃</c>, as we do. Models built with
/// <c>use_bias=False</c> have no bias arrays: add zeros. What the head reads is the network's
/// <see cref="RecurrentNetwork.HeadPlacement"/> (<c>return_sequences=False</c> on the top GRU for the last step).
/// </para>
/// </remarks>
public static class KerasWeights
{
    /// <summary>Reads Keras arrays into a new flat weight vector for <paramref name="network"/>.</summary>
    /// <param name="arrays">The arrays by name, such as <c>gru/kernel</c>, row-major.</param>
    /// <param name="network">The network the weights are for: its layers and head fix the names and shapes expected.</param>
    /// <param name="options">The names and strictness; <see langword="null"/> for the defaults.</param>
    /// <returns>The weights, laid out as <see cref="RecurrentNetwork.ParameterSlots"/> names them.</returns>
    /// <exception cref="InvalidDataException">An array is missing, has another shape or non-finite values, or has no place in the network.</exception>
    /// <exception cref="ArgumentException">The network has a layer other than <see cref="GruCell"/> and <see cref="GruResetAfterCell"/>.</exception>
    public static float[] Import(IReadOnlyDictionary<string, FloatTensor> arrays, RecurrentNetwork network, KerasWeightOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        options ??= new KerasWeightOptions();
        List<TensorMapping> mappings = Mappings(network, options);
        var source = new TensorSource(arrays, "array");
        float[] weights = TensorMapping.ImportAll(mappings, source, network);
        source.CheckAllUsed(options.AllowUnusedArrays, "KerasWeightOptions.AllowUnusedArrays", "a deeper model, a head the network lacks, or another layer");
        return weights;
    }

    /// <summary>Returns a network's weights as Keras arrays by name, ready for <c>layer.set_weights(...)</c>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="weights">Its weights, of length <see cref="RecurrentNetwork.ParameterCount"/>.</param>
    /// <param name="options">The names; <see langword="null"/> for the defaults.</param>
    /// <returns>The arrays, new (row-major).</returns>
    /// <exception cref="ArgumentException">
    /// The network has a layer other than <see cref="GruCell"/> and <see cref="GruResetAfterCell"/>, or the weights have
    /// another length or are not finite.
    /// </exception>
    public static IReadOnlyDictionary<string, FloatTensor> Export(RecurrentNetwork network, ReadOnlySpan<float> weights, KerasWeightOptions? options = null)
    {
        List<TensorMapping> mappings = Mappings(network, options ?? new KerasWeightOptions());
        ExchangeNetwork.CheckWeights(network, weights);
        return TensorMapping.ExportAll(mappings, weights);
    }

    private static List<TensorMapping> Mappings(RecurrentNetwork network, KerasWeightOptions options)
    {
        GruVariant[] variants = ExchangeNetwork.Variants(network, "Keras");
        ArgumentNullException.ThrowIfNull(options.LayerName, nameof(options));
        ArgumentNullException.ThrowIfNull(options.HeadName, nameof(options));
        var mappings = new List<TensorMapping>();
        for (int k = 0; k < variants.Length; k++)
        {
            string layer = k == 0 ? options.LayerName : $"{options.LayerName}_{k}";
            int input = network.Layers[k].InputSize, hidden = network.Layers[k].HiddenSize, gates = 3 * hidden;
            mappings.Add(TensorMapping.Single($"{layer}/kernel", [input, gates], $"layer {k}'s input weights",
                ExchangeNetwork.Slot(network, k, "input_weights"), GateLayout.Zrh, transpose: false));
            mappings.Add(TensorMapping.Single($"{layer}/recurrent_kernel", [hidden, gates], $"layer {k}'s recurrent weights",
                ExchangeNetwork.Slot(network, k, "recurrent_weights"), GateLayout.Zrh, transpose: false));
            mappings.Add(variants[k] == GruVariant.ResetAfter
                ? new TensorMapping($"{layer}/bias", [2, gates], $"layer {k}'s input and recurrent biases (a GruResetAfterCell, reset_after=True)",
                    [
                        new TensorPart(ExchangeNetwork.Slot(network, k, "input_bias"), GateLayout.Zrh, Transpose: false),
                        new TensorPart(ExchangeNetwork.Slot(network, k, "recurrent_bias"), GateLayout.Zrh, Transpose: false),
                    ],
                    $"A bias of shape [{gates}] is a GRU with reset_after=False: build that layer as a GruCell (GruVariant.ResetBefore).")
                : TensorMapping.Single($"{layer}/bias", [gates], $"layer {k}'s bias (a GruCell, reset_after=False)",
                    ExchangeNetwork.Slot(network, k, "bias"), GateLayout.Zrh, transpose: false,
                    $"A bias of shape [2, {gates}] is a GRU with reset_after=True: build that layer as a GruResetAfterCell (GruVariant.ResetAfter)."));
        }

        mappings.AddRange(TensorMapping.Head(network, $"{options.HeadName}/kernel", $"{options.HeadName}/bias", transpose: false));
        return mappings;
    }
}
