using GruAnomaly.Diagnostics;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Interop;

/// <summary>What every exchange format needs to know of a network: the GRU variant of each layer, and valid weights.</summary>
internal static class ExchangeNetwork
{
    /// <summary>Returns each layer's GRU variant, bottom first.</summary>
    /// <exception cref="ArgumentException">A layer is not one of the two built-in GRU cells, or the network has attention pooling.</exception>
    public static GruVariant[] Variants(RecurrentNetwork network, string format)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.Pooling is not null)
        {
            throw new ArgumentException(
                $"The network has attention pooling between its top layer and its head; {format} exchange covers GRU layers and a dense head only.",
                nameof(network));
        }

        var variants = new GruVariant[network.Layers.Count];
        for (int k = 0; k < variants.Length; k++)
        {
            variants[k] = network.Layers[k] switch
            {
                GruResetAfterCell => GruVariant.ResetAfter,
                GruCell => GruVariant.ResetBefore,
                IRecurrentCell other => throw new ArgumentException(
                    $"Layer {k} is a {other.GetType().Name}; {format} weights can be exchanged for GruCell and GruResetAfterCell layers only.",
                    nameof(network)),
            };
        }

        return variants;
    }

    /// <summary>Checks that weights to export fit the network and are finite.</summary>
    /// <exception cref="ArgumentException">They do not.</exception>
    public static void CheckWeights(RecurrentNetwork network, ReadOnlySpan<float> weights)
    {
        Guard.Length(weights.Length, network.ParameterCount, nameof(weights), "the network's ParameterCount");
        Guard.Finite(weights, nameof(weights), "exported weights");
    }

    /// <summary>Returns the slot of one parameter of layer <paramref name="layer"/> (for example <c>input_weights</c>).</summary>
    public static ParameterSlot Slot(RecurrentNetwork network, int layer, string name) => network.GetSlot($"layers.{layer}.{name}");
}
