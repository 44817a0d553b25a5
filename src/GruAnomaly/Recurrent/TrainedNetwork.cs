using GruAnomaly.Diagnostics;

namespace GruAnomaly.Recurrent;

/// <summary>
/// A network and one weight vector for it: what a fitted scorer hands out (<c>IFittedScorer.TrainedNetwork</c>) so that
/// its model can be exported (see <c>GruAnomaly.Interop</c>) or run elsewhere.
/// </summary>
public sealed class TrainedNetwork
{
    /// <summary>Creates the pair.</summary>
    /// <param name="network">The network.</param>
    /// <param name="parameters">Its weights, of length <see cref="RecurrentNetwork.ParameterCount"/>. Not copied: they must stay unchanged.</param>
    /// <exception cref="ArgumentException">The weights have another length.</exception>
    public TrainedNetwork(RecurrentNetwork network, ReadOnlyMemory<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Length(parameters.Length, network.ParameterCount, nameof(parameters), "the network's ParameterCount");
        Network = network;
        Parameters = parameters;
    }

    /// <summary>Gets the network (the architecture).</summary>
    public RecurrentNetwork Network { get; }

    /// <summary>Gets the weights, laid out as <see cref="RecurrentNetwork.ParameterSlots"/> names them.</summary>
    public ReadOnlyMemory<float> Parameters { get; }
}
