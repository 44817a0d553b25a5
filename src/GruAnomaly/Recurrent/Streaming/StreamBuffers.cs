using System.Runtime.CompilerServices;
using GruAnomaly.Diagnostics;

namespace GruAnomaly.Recurrent;

/// <summary>
/// The memory of one or more streams of a network: the carried states and the scratch of a step, sized once so that
/// steps allocate nothing. States are layer-major, the layout of <see cref="RecurrentNetwork"/>'s initial states:
/// layer 0's streams×StateSize block first, so one layer of all streams is one matrix for a batch product.
/// </summary>
internal sealed class StreamBuffers
{
    private readonly int[] _layerOffsets;
    private readonly int[] _outputOffsets;

    public StreamBuffers(RecurrentNetwork network, int streams)
    {
        Network = network;
        Streams = streams;
        int stateSize = network.StateSize;
        // streams comes from the caller: each buffer below is streams × a per-stream width, checked before it is allocated.
        Current = new float[Guard.ArraySize(nameof(streams), "streams × StateSize", streams, stateSize)];
        Next = new float[streams * stateSize];
        StepsSeen = new long[streams];
        _layerOffsets = new int[network.Layers.Count];
        _outputOffsets = new int[network.Layers.Count];
        int offset = 0, projection = 0, scratch = 0;
        long outputs = 0;
        for (int layer = 0; layer < network.Layers.Count; layer++)
        {
            IRecurrentCell cell = network.Layers[layer];
            _layerOffsets[layer] = offset;
            offset += streams * cell.StateSize;
            _outputOffsets[layer] = (int)outputs;
            if (cell.StateSize != cell.HiddenSize)
            {
                outputs += (long)streams * cell.HiddenSize;
            }

            projection = Math.Max(projection, cell.InputProjectionSize);
            scratch = Math.Max(scratch, Math.Max(cell.ScratchSize, PackedGruLayer.ScratchSize(cell.HiddenSize)));
        }

        if (network.Head is { } head)
        {
            scratch = Math.Max(scratch, PackedMatrix.Pad(head.OutputSize));
        }

        ProjectionStride = projection;
        ScratchStride = scratch;
        Projections = new float[Guard.ArraySize(nameof(streams), "streams × the widest input projection", streams, projection)];
        Scratch = new float[Guard.ArraySize(nameof(streams), "streams × the scratch of a step", streams, scratch)];
        Inputs = new float[Guard.ArraySize(nameof(streams), "streams × InputSize", streams, network.InputSize)];
        Outputs = new float[Guard.ArraySize(nameof(streams), "streams × OutputSize", streams, network.OutputSize)];
        LayerOutputs = new float[Guard.ArraySize(nameof(streams), "streams × the outputs of the layers whose state is wider", outputs, 1)];
    }

    public RecurrentNetwork Network { get; }

    public int Streams { get; }

    /// <summary>Gets the carried states, streams×StateSize, layer-major.</summary>
    public float[] Current { get; private set; }

    /// <summary>Gets where a step writes the new states; swapped with <see cref="Current"/> after the step.</summary>
    public float[] Next { get; private set; }

    public long[] StepsSeen { get; }

    /// <summary>Gets the floats per stream of <see cref="Projections"/>: the widest layer's input projection.</summary>
    public int ProjectionStride { get; }

    public float[] Projections { get; }

    /// <summary>Gets the floats per stream of <see cref="Scratch"/>: the most any layer, packed or not, or the head needs.</summary>
    public int ScratchStride { get; }

    public float[] Scratch { get; }

    /// <summary>Gets a copy of a parallel step's inputs (lambdas cannot capture the caller's spans).</summary>
    public float[] Inputs { get; }

    /// <summary>Gets where a parallel step's threads write their outputs before they are copied to the caller's span.</summary>
    public float[] Outputs { get; }

    /// <summary>
    /// Gets, for every layer whose state is wider than its output, its streams×hidden block of outputs gathered from the
    /// new states, so that the layer above reads a contiguous matrix in a batch step.
    /// </summary>
    public float[] LayerOutputs { get; }

    /// <summary>Index of layer <paramref name="layer"/>'s block in <see cref="Current"/> and <see cref="Next"/>.</summary>
    public int LayerOffset(int layer) => _layerOffsets[layer];

    /// <summary>Index of layer <paramref name="layer"/>'s block in <see cref="LayerOutputs"/> (used only when its state is wider than its output).</summary>
    public int LayerOutputOffset(int layer) => _outputOffsets[layer];

    // Once per streamed point (and layer): optimized from the first call, since on one CPU the JIT waits a second or more
    // before promoting tier-0 code, and a point is only a microsecond or two of work.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Swap()
    {
        (Current, Next) = (Next, Current);
        for (int stream = 0; stream < StepsSeen.Length; stream++)
        {
            StepsSeen[stream]++;
        }
    }

    /// <summary>Copies one stream's state, all layers bottom first, into <paramref name="destination"/> (StateSize values).</summary>
    public void CopyStream(int stream, Span<float> destination)
    {
        for (int layer = 0; layer < _layerOffsets.Length; layer++)
        {
            int width = Network.Layers[layer].StateSize;
            Current.AsSpan(_layerOffsets[layer] + (stream * width), width).CopyTo(destination);
            destination = destination[width..];
        }
    }

    /// <summary>
    /// Checks that a saved state (one stream, bottom layer first) is finite and lies within each layer's
    /// <see cref="IRecurrentCell.StateBound"/>: no sequence of inputs leads outside it.
    /// </summary>
    public static void CheckState(RecurrentNetwork network, ReadOnlySpan<float> state, string paramName)
    {
        Guard.Finite(state, paramName, "hidden states");
        int offset = 0;
        for (int layer = 0; layer < network.Layers.Count; layer++)
        {
            IRecurrentCell cell = network.Layers[layer];
            float bound = cell.StateBound;
            for (int i = 0; i < cell.StateSize; i++)
            {
                float value = state[offset + i];
                if (!(Math.Abs(value) <= bound))
                {
                    throw new ArgumentOutOfRangeException(
                        paramName,
                        value,
                        FormattableString.Invariant(
                            $"{paramName}[{offset + i}] (layer {layer}, unit {i}) is {value}; layer {layer}'s cell ({cell.GetType().Name}) only produces states within [{-bound}, {bound}] (its StateBound), so a saved state outside it cannot be restored."));
                }
            }

            offset += cell.StateSize;
        }
    }

    /// <summary>Sets one stream's state from <paramref name="source"/> (StateSize values, all layers bottom first).</summary>
    public void RestoreStream(int stream, ReadOnlySpan<float> source)
    {
        for (int layer = 0; layer < _layerOffsets.Length; layer++)
        {
            int width = Network.Layers[layer].StateSize;
            source[..width].CopyTo(Current.AsSpan(_layerOffsets[layer] + (stream * width), width));
            source = source[width..];
        }
    }

    public void ClearStream(int stream)
    {
        for (int layer = 0; layer < _layerOffsets.Length; layer++)
        {
            int width = Network.Layers[layer].StateSize;
            Current.AsSpan(_layerOffsets[layer] + (stream * width), width).Clear();
        }

        StepsSeen[stream] = 0;
    }
}
