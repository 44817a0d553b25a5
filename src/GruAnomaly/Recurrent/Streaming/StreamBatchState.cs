using GruAnomaly.Diagnostics;

namespace GruAnomaly.Recurrent;

/// <summary>
/// The carried states of a fixed set of independent streams that advance together, one point each per step, so that
/// <see cref="NetworkStreamer.Step(StreamBatchState, ReadOnlySpan{float}, Span{float}, int)"/> runs each layer as one
/// batch matrix product over all streams.
/// </summary>
/// <remarks>
/// Mutable and not thread-safe: stepped by one caller at a time (the streamer itself is shared). Each stream can be
/// saved, restored or reset on its own; its saved form is the same as a <see cref="StreamState"/>'s, so a stream can
/// move between a batch and a single state.
/// </remarks>
public sealed class StreamBatchState
{
    internal StreamBatchState(RecurrentNetwork network, int streams) => Buffers = new StreamBuffers(network, streams);

    /// <summary>Gets the network whose streamers accept this state.</summary>
    public RecurrentNetwork Network => Buffers.Network;

    /// <summary>Gets the number of streams.</summary>
    public int StreamCount => Buffers.Streams;

    /// <summary>Gets the number of state values of one stream: the sum of the layers' <see cref="IRecurrentCell.StateSize"/>.</summary>
    public int StateSize => Buffers.Network.StateSize;

    /// <summary>
    /// Gets all streams' states, StreamCount×StateSize values in the layout of <see cref="RecurrentNetwork.Infer"/>'s
    /// initial states for a batch of StreamCount sequences: layer 0's streams×StateSize block first. Valid until the next step.
    /// </summary>
    public ReadOnlySpan<float> HiddenStates => Buffers.Current;

    internal StreamBuffers Buffers { get; }

    /// <summary>Gets how many points one stream has seen since creation or its last reset, plus the count restored.</summary>
    /// <param name="stream">The stream's index.</param>
    /// <returns>The count.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stream"/> is not below <see cref="StreamCount"/>.</exception>
    public long GetStepsSeen(int stream)
    {
        CheckStream(stream);
        return Buffers.StepsSeen[stream];
    }

    /// <summary>Copies one stream's state, bottom layer first (the layout of <see cref="StreamState.HiddenState"/>).</summary>
    /// <param name="stream">The stream's index.</param>
    /// <param name="destination">Exactly <see cref="StateSize"/> values.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stream"/> is not below <see cref="StreamCount"/>.</exception>
    /// <exception cref="ArgumentException">The destination has another length.</exception>
    public void CopyStreamTo(int stream, Span<float> destination)
    {
        CheckStream(stream);
        Guard.Length(destination.Length, StateSize, nameof(destination), "the state's StateSize");
        Buffers.CopyStream(stream, destination);
    }

    /// <summary>Sets one stream's state, for example to one saved by <see cref="CopyStreamTo"/> or <see cref="StreamState.CopyTo"/>.</summary>
    /// <param name="stream">The stream's index.</param>
    /// <param name="hiddenState">
    /// Exactly <see cref="StateSize"/> finite values, bottom layer first, each within its layer's
    /// <see cref="IRecurrentCell.StateBound"/> (a state the cells can produce).
    /// </param>
    /// <param name="stepsSeen">The number of points the saved stream had seen (not negative).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The stream index is out of range, a value lies outside its layer's <see cref="IRecurrentCell.StateBound"/>
    /// ([−1, 1] for the GRU cells), or <paramref name="stepsSeen"/> is negative.
    /// </exception>
    /// <exception cref="ArgumentException">The state has another length or is not finite.</exception>
    public void RestoreStream(int stream, ReadOnlySpan<float> hiddenState, long stepsSeen)
    {
        CheckStream(stream);
        Guard.Length(hiddenState.Length, StateSize, nameof(hiddenState), "the state's StateSize");
        StreamBuffers.CheckState(Buffers.Network, hiddenState, nameof(hiddenState));
        ArgumentOutOfRangeException.ThrowIfNegative(stepsSeen);
        Buffers.RestoreStream(stream, hiddenState);
        Buffers.StepsSeen[stream] = stepsSeen;
    }

    /// <summary>Starts one stream afresh: zero states and no steps seen.</summary>
    /// <param name="stream">The stream's index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stream"/> is not below <see cref="StreamCount"/>.</exception>
    public void ResetStream(int stream)
    {
        CheckStream(stream);
        Buffers.ClearStream(stream);
    }

    /// <summary>Starts every stream afresh.</summary>
    public void Reset()
    {
        Array.Clear(Buffers.Current);
        Array.Clear(Buffers.StepsSeen);
    }

    private void CheckStream(int stream)
    {
        if ((uint)stream >= (uint)StreamCount)
        {
            throw new ArgumentOutOfRangeException(nameof(stream), stream, $"stream must be in [0, {StreamCount}).");
        }
    }
}
