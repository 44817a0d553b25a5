using GruAnomaly.Recurrent;

namespace GruAnomaly.Interop;

/// <summary>One of our parameters as a piece of a foreign tensor: its gate order and whether it is stored transposed.</summary>
/// <param name="Slot">Where the parameter lives in our flat vector.</param>
/// <param name="Order">Block k of the foreign tensor is our block <c>Order[k]</c> (see <see cref="GateLayout"/>).</param>
/// <param name="Transpose">Whether the foreign tensor stores the parameter transposed.</param>
internal readonly record struct TensorPart(ParameterSlot Slot, int[] Order, bool Transpose);

/// <summary>
/// One named foreign tensor and the parameters it holds, one after another in its row-major values (Keras's bias
/// [2, 3·hidden] holds the input bias, then the recurrent bias). Values past the last part are zero on export.
/// </summary>
/// <param name="Name">The foreign name, such as <c>weight_ih_l0</c>.</param>
/// <param name="Shape">The foreign shape.</param>
/// <param name="Purpose">What the tensor is, for messages (for example "layer 0's input weights").</param>
/// <param name="Parts">Our parameters in the order the tensor stores them.</param>
/// <param name="Hint">Said when an imported tensor has another shape, for example which other model that shape belongs to.</param>
internal sealed record TensorMapping(string Name, int[] Shape, string Purpose, TensorPart[] Parts, string? Hint = null)
{
    /// <summary>Creates the mapping of a tensor that holds a single parameter.</summary>
    public static TensorMapping Single(string name, int[] shape, string purpose, ParameterSlot slot, int[] order, bool transpose, string? hint = null) =>
        new(name, shape, purpose, [new TensorPart(slot, order, transpose)], hint);

    /// <summary>
    /// Returns the mappings of a network's <see cref="DenseHead"/> (none without one): its weights, stored
    /// [outputs, inputs] when <paramref name="transpose"/> (PyTorch) and [inputs, outputs] otherwise, and its bias.
    /// </summary>
    public static IEnumerable<TensorMapping> Head(RecurrentNetwork network, string weightName, string biasName, bool transpose)
    {
        if (network.Head is not DenseHead head)
        {
            yield break;
        }

        int[] shape = transpose ? [head.OutputSize, head.InputSize] : [head.InputSize, head.OutputSize];
        yield return Single(weightName, shape, "the head's weights", network.GetSlot("head.weights"), GateLayout.Whole, transpose);
        yield return Single(biasName, [head.OutputSize], "the head's bias", network.GetSlot("head.bias"), GateLayout.Whole, transpose: false);
    }

    /// <summary>Imports every mapped tensor into a new flat vector for <paramref name="network"/>.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing, has another shape or non-finite values, or (unless allowed) is left unused.</exception>
    public static float[] ImportAll(IEnumerable<TensorMapping> mappings, TensorSource source, RecurrentNetwork network)
    {
        var weights = new float[network.ParameterCount];
        foreach (TensorMapping mapping in mappings)
        {
            ReadOnlySpan<float> values = source.Take(mapping.Name, mapping.Shape, mapping.Purpose, mapping.Hint);
            int offset = 0;
            foreach ((ParameterSlot slot, int[] order, bool transpose) in mapping.Parts)
            {
                GateLayout.Import(values.Slice(offset, slot.Length), slot.Spec.Rows, slot.Spec.Columns, order, transpose, slot.Slice(weights.AsSpan()));
                offset += slot.Length;
            }
        }

        return weights;
    }

    /// <summary>Exports every mapped tensor from a flat vector (already checked), in mapping order.</summary>
    public static Dictionary<string, FloatTensor> ExportAll(IEnumerable<TensorMapping> mappings, ReadOnlySpan<float> weights)
    {
        var tensors = new Dictionary<string, FloatTensor>(StringComparer.Ordinal);
        foreach (TensorMapping mapping in mappings)
        {
            tensors.Add(mapping.Name, new FloatTensor(mapping.Shape, mapping.Export(weights)));
        }

        return tensors;
    }

    /// <summary>Returns the tensor's row-major values taken from <paramref name="weights"/>.</summary>
    public float[] Export(ReadOnlySpan<float> weights)
    {
        long count = 1;
        foreach (int dimension in Shape)
        {
            count *= dimension;
        }

        var values = new float[count];
        int offset = 0;
        foreach ((ParameterSlot slot, int[] order, bool transpose) in Parts)
        {
            GateLayout.Export(slot.Slice(weights), slot.Spec.Rows, slot.Spec.Columns, order, transpose, values.AsSpan(offset, slot.Length));
            offset += slot.Length;
        }

        return values;
    }
}
