using System.Runtime.CompilerServices;

using GruAnomaly.Diagnostics;

namespace GruAnomaly.Recurrent;

/// <summary>
/// Runs a <see cref="RecurrentNetwork"/> with fixed weights one point at a time, carrying each stream's state in a
/// <see cref="StreamState"/> (or many streams' in a <see cref="StreamBatchState"/>). The weights are validated once,
/// here, so a step checks only its input; a step allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// A step gives the same outputs and states as <see cref="RecurrentNetwork.Infer"/> over the same sequence, up to the
/// rounding of sums taken in another order. The output of a step is the head's prediction for that point (the head runs
/// on every point whatever the network's <see cref="HeadPlacement"/>: every point is the last one seen so far), or the
/// top layer's new state when the network has no head.
/// </para>
/// <para>
/// For a single stream the weights of <see cref="GruCell"/> and <see cref="GruResetAfterCell"/> layers and of the head
/// are packed for a batch-1 matrix–vector product; any other <see cref="IRecurrentCell"/> runs through its own
/// <see cref="IRecurrentCell.Infer"/>. Batches of streams run every layer through its cell as one batch product.
/// </para>
/// <para>Immutable and thread-safe: any number of threads may step their own states with one streamer.</para>
/// </remarks>
public sealed class NetworkStreamer
{
    private readonly float[] _parameters;
    private readonly PackedGruLayer?[] _packedLayers;
    private readonly PackedMatrix? _packedHead;
    private readonly int[] _layerOffsets;
    private readonly int _headOffset;

    /// <summary>Whether every layer is packed, so that <see cref="Advance"/> can run a series layer by layer.</summary>
    private readonly bool _allPacked;

    /// <summary>Creates a streamer; the weights are validated and copied, so later changes to them have no effect.</summary>
    /// <param name="network">The architecture.</param>
    /// <param name="parameters">The flat parameter vector, <see cref="RecurrentNetwork.ParameterCount"/> finite values.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">The parameters have another length or are not finite, or the network has an <see cref="AttentionPooling"/>.</exception>
    public NetworkStreamer(RecurrentNetwork network, ReadOnlySpan<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Length(parameters.Length, network.ParameterCount, nameof(parameters), "the network's ParameterCount");
        Guard.Finite(parameters, nameof(parameters), "network parameters");
        if (network.Pooling is not null)
        {
            throw new ArgumentException(
                "The network has attention pooling, which reads every step of a window at once; a streamer carries one state " +
                "from point to point and cannot run it. Rerun the window with RecurrentNetwork.Infer instead.", nameof(network));
        }

        Network = network;
        _parameters = parameters.ToArray();
        int layers = network.Layers.Count;
        _layerOffsets = new int[layers + 1];
        _packedLayers = new PackedGruLayer?[layers];
        for (int layer = 0; layer < layers; layer++)
        {
            ReadOnlySpan<float> cellParameters = network.LayerParameters(_parameters, layer);
            _layerOffsets[layer + 1] = _layerOffsets[layer] + cellParameters.Length;
            _packedLayers[layer] = PackedGruLayer.TryCreate(network.Layers[layer], cellParameters);
        }

        _headOffset = _layerOffsets[layers];
        _allPacked = Array.TrueForAll(_packedLayers, packed => packed is not null);
        if (network.Head is { } head)
        {
            ReadOnlySpan<float> headParameters = _parameters.AsSpan(_headOffset);
            _packedHead = new PackedMatrix(head.InputSize, head.OutputSize);
            _packedHead.SetRows(0, headParameters, head.InputSize, head.OutputSize, 0);
            _packedHead.AddBias(headParameters.Slice(head.InputSize * head.OutputSize, head.OutputSize));
        }
    }

    /// <summary>Gets the architecture.</summary>
    public RecurrentNetwork Network { get; }

    /// <summary>Gets the streamer's copy of the flat parameter vector (its whole fitted state besides <see cref="Network"/>).</summary>
    public ReadOnlyMemory<float> Parameters => _parameters;

    /// <summary>Gets the number of input features of one point.</summary>
    public int InputSize => Network.InputSize;

    /// <summary>Gets the number of outputs of one point: the head's outputs, or the top hidden size without a head.</summary>
    public int OutputSize => Network.OutputSize;

    /// <summary>Creates the state of a new stream (zero states, as a sequence of <see cref="RecurrentNetwork.Infer"/> starts).</summary>
    /// <returns>A new state, for one stream.</returns>
    public StreamState CreateState() => new(Network);

    /// <summary>Creates the states of <paramref name="streams"/> new streams that advance together.</summary>
    /// <param name="streams">The number of streams (positive).</param>
    /// <returns>A new batch state.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="streams"/> is not positive, or so large that the states of all streams would not fit in one array
    /// (<see cref="Array.MaxLength"/> values).
    /// </exception>
    public StreamBatchState CreateBatchState(int streams)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streams);
        return new StreamBatchState(Network, streams);
    }

    /// <summary>Advances one stream by one point and writes the network's output for it.</summary>
    /// <param name="state">The stream's state, created for this streamer's <see cref="Network"/>; updated in place.</param>
    /// <param name="input">The point: <see cref="InputSize"/> finite values.</param>
    /// <param name="output">Receives <see cref="OutputSize"/> values.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The state belongs to another network, the input or output has another length, or the input is not finite.
    /// </exception>
    // Compiled fully optimized at its first call: with tiering, a process measured 8–12 µs per point instead of 3 µs one
    // second after start on a busy machine, because tier-0 code ran until the background compiler caught up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(StreamState state, ReadOnlySpan<float> input, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(state);
        StreamBuffers buffers = state.Buffers;
        CheckNetwork(buffers, nameof(state));
        Guard.Length(input.Length, InputSize, nameof(input), "the network's InputSize");
        Guard.Length(output.Length, OutputSize, nameof(output), "the network's OutputSize");
        Guard.Finite(input, nameof(input), "inputs");

        Span<float> scratch = buffers.Scratch;
        ReadOnlySpan<float> layerInput = input;
        for (int layer = 0; layer < _packedLayers.Length; layer++)
        {
            IRecurrentCell cell = Network.Layers[layer];
            int offset = buffers.LayerOffset(layer), width = cell.StateSize;
            ReadOnlySpan<float> previous = buffers.Current.AsSpan(offset, width);
            Span<float> next = buffers.Next.AsSpan(offset, width);
            if (_packedLayers[layer] is { } packed)
            {
                packed.Step(layerInput, previous, next, scratch);
            }
            else
            {
                RunCell(layer, cell, buffers, layerInput, previous, next, 0, 1);
            }

            // One row: the output part (the first HiddenSize values of the state) is already contiguous.
            layerInput = next[..cell.HiddenSize];
        }

        WriteOutput(layerInput, output, scratch);
        buffers.Swap();
    }

    /// <summary>
    /// Advances every stream of <paramref name="states"/> by one point, running each layer as one batch product over all
    /// streams, and writes every stream's output.
    /// </summary>
    /// <param name="states">The streams' states, created for this streamer's <see cref="Network"/>; updated in place.</param>
    /// <param name="inputs">StreamCount×<see cref="InputSize"/> finite values, stream by stream.</param>
    /// <param name="outputs">Receives StreamCount×<see cref="OutputSize"/> values, stream by stream.</param>
    /// <param name="maxDegreeOfParallelism">
    /// 1 (the default) runs on the calling thread and allocates nothing; more splits the streams into that many
    /// contiguous parts run with <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> (which allocates a
    /// little per call). It pays only when each part has many streams (hundreds at hidden 64).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="states"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The states belong to another network, the inputs or outputs have another length, or an input is not finite.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is not positive.</exception>
    public void Step(StreamBatchState states, ReadOnlySpan<float> inputs, Span<float> outputs, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(states);
        StreamBuffers buffers = states.Buffers;
        CheckNetwork(buffers, nameof(states));
        int streams = buffers.Streams;
        // The shape messages are built only on failure: an interpolated string argument would allocate on every step.
        if (inputs.Length != streams * InputSize)
        {
            Guard.Length(inputs.Length, streams * InputSize, nameof(inputs), $"streams × InputSize = {streams} × {InputSize}");
        }

        if (outputs.Length != streams * OutputSize)
        {
            Guard.Length(outputs.Length, streams * OutputSize, nameof(outputs), $"streams × OutputSize = {streams} × {OutputSize}");
        }

        Guard.Finite(inputs, nameof(inputs), "inputs");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDegreeOfParallelism);

        int parts = Math.Min(maxDegreeOfParallelism, streams);
        if (parts == 1)
        {
            RunRows(buffers, inputs, outputs, 0, streams);
        }
        else
        {
            inputs.CopyTo(buffers.Inputs);
            RunInParallel(buffers, parts);
            buffers.Outputs.CopyTo(outputs);
        }

        buffers.Swap();
    }

    /// <summary>The points <see cref="Advance"/> runs layer by layer at a time: bounds its buffers (about 100 KB at hidden 32).</summary>
    internal const int AdvanceChunk = 128;

    /// <summary>Creates the buffers <see cref="Advance"/> needs, for one caller at a time.</summary>
    internal AdvanceBuffers CreateAdvanceBuffers() => new(this);

    /// <summary>
    /// Advances one stream by every point of <paramref name="inputs"/> (time-major, <see cref="InputSize"/> values a point)
    /// and writes each point's output, exactly as <see cref="Step(StreamState, ReadOnlySpan{float}, Span{float})"/> point
    /// by point would, to the last bit, but faster.
    /// </summary>
    /// <remarks>
    /// <para>
    /// When every layer is a packed GRU, the points run in chunks of <see cref="AdvanceChunk"/>, one layer at a time: the
    /// input side of the whole chunk first (<see cref="PackedGruLayer.ProjectInputs"/>), then the layer's time loop from
    /// it, then the head over the whole chunk at once (<see cref="PackedMatrix.MultiplyRows"/>, vectorized across points
    /// instead of across the head's few outputs). A blocked GEMM over the chunk would sum each value in another order
    /// than the one-point step and so differ from the stream in the last bits; these kernels keep the step's order, so a
    /// stream and a batch of the same series give the same values. Other cells step point by point.
    /// </para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Advance(StreamState state, ReadOnlySpan<float> inputs, Span<float> outputs, AdvanceBuffers run)
    {
        ArgumentNullException.ThrowIfNull(state);
        StreamBuffers buffers = state.Buffers;
        CheckNetwork(buffers, nameof(state));
        int inputSize = InputSize, outputSize = OutputSize;
        int points = inputs.Length / inputSize;
        if (inputs.Length % inputSize != 0 || outputs.Length != points * outputSize || run.Streamer != this)
        {
            throw new ArgumentException(
                $"Advance needs whole points of {inputSize} inputs, {outputSize} outputs per point and its streamer's buffers; got {inputs.Length} inputs and {outputs.Length} outputs.",
                nameof(inputs));
        }

        if (!_allPacked)
        {
            for (int point = 0; point < points; point++)
            {
                Step(state, inputs.Slice(point * inputSize, inputSize), outputs.Slice(point * outputSize, outputSize));
            }

            return;
        }

        Guard.Finite(inputs, nameof(inputs), "inputs");
        for (int start = 0; start < points; start += AdvanceChunk)
        {
            int count = Math.Min(AdvanceChunk, points - start);
            ReadOnlySpan<float> layerInput = inputs.Slice(start * inputSize, count * inputSize);
            for (int layer = 0; layer < _packedLayers.Length; layer++)
            {
                PackedGruLayer packed = _packedLayers[layer]!;
                int hidden = Network.Layers[layer].HiddenSize, stride = packed.ProjectionStride;
                Span<float> projections = run.Projections.AsSpan(0, count * stride);
                packed.ProjectInputs(layerInput, count, projections);
                Span<float> states = (layer % 2 == 0 ? run.StatesA : run.StatesB).AsSpan(0, count * hidden);
                Span<float> carried = buffers.Current.AsSpan(buffers.LayerOffset(layer), hidden);
                ReadOnlySpan<float> previous = carried;
                for (int point = 0; point < count; point++)
                {
                    Span<float> next = states.Slice(point * hidden, hidden);
                    packed.StepProjected(projections.Slice(point * stride, stride), previous, next, buffers.Scratch);
                    previous = next;
                }

                previous.CopyTo(carried);
                layerInput = states;
            }

            Span<float> chunkOutputs = outputs.Slice(start * outputSize, count * outputSize);
            if (_packedHead is null)
            {
                layerInput.CopyTo(chunkOutputs);
            }
            else
            {
                int top = _packedHead.Rows, rowStride = run.TransposedStride;
                Span<float> transposed = run.Transposed;
                for (int point = 0; point < count; point++)
                {
                    ReadOnlySpan<float> row = layerInput.Slice(point * top, top);
                    for (int k = 0; k < top; k++)
                    {
                        transposed[(k * rowStride) + point] = row[k];
                    }
                }

                _packedHead.MultiplyRows(transposed, rowStride, count, chunkOutputs);
            }

            buffers.StepsSeen[0] += count;
        }
    }

    /// <summary>The buffers of <see cref="Advance"/>: one chunk's input sums, states of two layers and transposed top states.</summary>
    internal sealed class AdvanceBuffers
    {
        public AdvanceBuffers(NetworkStreamer streamer)
        {
            Streamer = streamer;
            int widest = 0, projection = 0;
            for (int layer = 0; layer < streamer._packedLayers.Length; layer++)
            {
                widest = Math.Max(widest, streamer.Network.Layers[layer].HiddenSize);
                projection = Math.Max(projection, streamer._packedLayers[layer]?.ProjectionStride ?? 0);
            }

            Projections = new float[AdvanceChunk * projection];
            StatesA = new float[AdvanceChunk * widest];
            StatesB = new float[AdvanceChunk * widest];
            if (streamer._packedHead is { } head)
            {
                TransposedStride = (AdvanceChunk + head.RowBlock - 1) / head.RowBlock * head.RowBlock;
                Transposed = new float[head.Rows * TransposedStride];
            }
            else
            {
                Transposed = [];
            }
        }

        public NetworkStreamer Streamer { get; }

        public float[] Projections { get; }

        public float[] StatesA { get; }

        public float[] StatesB { get; }

        /// <summary>Gets the top states of a chunk, unit by unit (<see cref="TransposedStride"/> floats per unit).</summary>
        public float[] Transposed { get; }

        public int TransposedStride { get; }
    }

    /// <summary>
    /// Splits the streams into <paramref name="parts"/> contiguous ranges, each run on its own thread from the copies of
    /// the inputs and outputs in <paramref name="buffers"/>. A method of its own so that the lambda's captures are not
    /// allocated on the single-threaded path.
    /// </summary>
    private void RunInParallel(StreamBuffers buffers, int parts)
    {
        int streams = buffers.Streams;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int first = (int)((long)part * streams / parts), end = (int)((long)(part + 1) * streams / parts);
            RunRows(buffers, buffers.Inputs.AsSpan(first * InputSize, (end - first) * InputSize),
                buffers.Outputs.AsSpan(first * OutputSize, (end - first) * OutputSize), first, end - first);
        });
    }

    /// <summary>Steps streams <paramref name="first"/>… (<paramref name="rows"/> of them) through every layer and the head.</summary>
    private void RunRows(StreamBuffers buffers, ReadOnlySpan<float> inputs, Span<float> outputs, int first, int rows)
    {
        ReadOnlySpan<float> layerInput = inputs;
        for (int layer = 0; layer < _packedLayers.Length; layer++)
        {
            IRecurrentCell cell = Network.Layers[layer];
            int stateSize = cell.StateSize, hidden = cell.HiddenSize;
            int offset = buffers.LayerOffset(layer) + (first * stateSize), width = rows * stateSize;
            Span<float> next = buffers.Next.AsSpan(offset, width);
            RunCell(layer, cell, buffers, layerInput, buffers.Current.AsSpan(offset, width), next, first, rows);
            if (stateSize == hidden)
            {
                layerInput = next;
                continue;
            }

            // The layer above and the head read a contiguous rows×HiddenSize matrix: gather the output part of each state row.
            Span<float> layerOutputs = buffers.LayerOutputs.AsSpan(buffers.LayerOutputOffset(layer) + (first * hidden), rows * hidden);
            for (int row = 0; row < rows; row++)
            {
                next.Slice(row * stateSize, hidden).CopyTo(layerOutputs.Slice(row * hidden, hidden));
            }

            layerInput = layerOutputs;
        }

        if (Network.Head is { } head)
        {
            head.Forward(_parameters.AsSpan(_headOffset), layerInput, rows, outputs);
        }
        else
        {
            layerInput.CopyTo(outputs);
        }
    }

    /// <summary>One step of a layer through its cell's own code, for rows <paramref name="first"/>… of the buffers.</summary>
    private void RunCell(int layer, IRecurrentCell cell, StreamBuffers buffers, ReadOnlySpan<float> input,
        ReadOnlySpan<float> previous, Span<float> next, int first, int rows)
    {
        ReadOnlySpan<float> cellParameters = _parameters.AsSpan(_layerOffsets[layer], _layerOffsets[layer + 1] - _layerOffsets[layer]);
        Span<float> projection = buffers.Projections.AsSpan(first * buffers.ProjectionStride, rows * cell.InputProjectionSize);
        if (cell.InputProjectionSize > 0)
        {
            cell.ProjectInputs(cellParameters, input, rows, projection, Network.MatrixProvider);
        }

        cell.Infer(new CellInference
        {
            BatchSize = rows,
            Parameters = cellParameters,
            Input = input,
            InputProjection = projection,
            PreviousState = previous,
            State = next,
            Scratch = buffers.Scratch.AsSpan(first * buffers.ScratchStride, rows * cell.ScratchSize),
            Matrix = Network.MatrixProvider,
        });
    }

    // Once per streamed point (and layer): optimized from the first call, since on one CPU the JIT waits a second or more
    // before promoting tier-0 code, and a point is only a microsecond or two of work.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteOutput(ReadOnlySpan<float> top, Span<float> output, Span<float> scratch)
    {
        if (_packedHead is null)
        {
            top.CopyTo(output);
            return;
        }

        Span<float> headOutput = scratch[.._packedHead.PaddedColumns];
        _packedHead.Multiply(top, default, _packedHead.Bias, headOutput);
        headOutput[..OutputSize].CopyTo(output);
    }

    // Per point: see WriteOutput.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckNetwork(StreamBuffers buffers, string paramName)
    {
        if (buffers.Network != Network)
        {
            throw new ArgumentException(
                $"{paramName} was created for another network; expected a state created by a streamer of this streamer's Network " +
                "(copy the old state's values into a new state with CopyTo and RestoreFrom).", paramName);
        }
    }
}
