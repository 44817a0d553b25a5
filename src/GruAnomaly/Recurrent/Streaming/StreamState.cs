using GruAnomaly.Diagnostics;

namespace GruAnomaly.Recurrent;

/// <summary>
/// The carried state of one stream of a <see cref="RecurrentNetwork"/>: every layer's hidden state, how many points the
/// stream has seen, and the scratch memory of a step. Advanced by <see cref="NetworkStreamer.Step(StreamState, ReadOnlySpan{float}, Span{float})"/>.
/// </summary>
/// <remarks>
/// Mutable and not thread-safe: one state per stream, stepped by one thread at a time (the streamer itself is shared).
/// Its whole content is <see cref="HiddenState"/> and <see cref="StepsSeen"/>; <see cref="CopyTo"/> and
/// <see cref="RestoreFrom"/> save and load it, for example to persist a stream or move it to another process.
/// </remarks>
public sealed class StreamState
{
    internal StreamState(RecurrentNetwork network) => Buffers = new StreamBuffers(network, 1);

    /// <summary>Gets the network whose streamers accept this state.</summary>
    public RecurrentNetwork Network => Buffers.Network;

    /// <summary>Gets the number of values of <see cref="HiddenState"/>: the sum of the layers' <see cref="IRecurrentCell.StateSize"/>.</summary>
    public int StateSize => Buffers.Network.StateSize;

    /// <summary>
    /// Gets every layer's whole state (StateSize values per layer: for an LSTM h, then c), bottom layer first (the layout of <see cref="RecurrentNetwork.Infer"/>'s initial
    /// states for one sequence). The view is valid until the next step.
    /// </summary>
    public ReadOnlySpan<float> HiddenState => Buffers.Current;

    /// <summary>Gets the number of points stepped since creation or the last <see cref="Reset"/>, plus the count restored.</summary>
    public long StepsSeen => Buffers.StepsSeen[0];

    internal StreamBuffers Buffers { get; }

    /// <summary>Copies <see cref="HiddenState"/> into <paramref name="destination"/>.</summary>
    /// <param name="destination">Exactly <see cref="StateSize"/> values.</param>
    /// <exception cref="ArgumentException">The destination has another length.</exception>
    public void CopyTo(Span<float> destination)
    {
        Guard.Length(destination.Length, StateSize, nameof(destination), "the state's StateSize");
        Buffers.Current.CopyTo(destination);
    }

    /// <summary>Sets the state, for example to one saved by <see cref="CopyTo"/>.</summary>
    /// <param name="hiddenState">
    /// Exactly <see cref="StateSize"/> finite values, bottom layer first, each within its layer's
    /// <see cref="IRecurrentCell.StateBound"/> (a state the cells can produce).
    /// </param>
    /// <param name="stepsSeen">The number of points the saved stream had seen (not negative).</param>
    /// <exception cref="ArgumentException">The state has another length or is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A value lies outside its layer's <see cref="IRecurrentCell.StateBound"/> ([−1, 1] for the GRU cells), or
    /// <paramref name="stepsSeen"/> is negative.
    /// </exception>
    public void RestoreFrom(ReadOnlySpan<float> hiddenState, long stepsSeen)
    {
        Guard.Length(hiddenState.Length, StateSize, nameof(hiddenState), "the state's StateSize");
        StreamBuffers.CheckState(Buffers.Network, hiddenState, nameof(hiddenState));
        ArgumentOutOfRangeException.ThrowIfNegative(stepsSeen);
        hiddenState.CopyTo(Buffers.Current);
        Buffers.StepsSeen[0] = stepsSeen;
    }

    /// <summary>Starts the stream afresh: zero states (as a sequence of <see cref="RecurrentNetwork.Infer"/> starts) and no steps seen.</summary>
    public void Reset() => Buffers.ClearStream(0);
}
