namespace GruAnomaly.Recurrent;

/// <summary>
/// The buffers of one <see cref="RecurrentNetwork"/> pass: inputs, every state, the records backward needs and the
/// gradients flowing back. Sized on first use for a shape and reused afterwards, so repeated passes allocate nothing.
/// </summary>
/// <remarks>Not thread-safe: give each concurrent caller its own workspace (the network itself is shared freely).</remarks>
public sealed class NetworkWorkspace : ISequenceWorkspace
{
    private readonly RecurrentNetwork _network;
    private readonly LayerBuffers[] _layers;
    private float[] _inputs = [];
    private float[] _headOutputs = [];
    private readonly AttentionBuffers? _attention;

    internal NetworkWorkspace(RecurrentNetwork network)
    {
        _network = network;
        _layers = new LayerBuffers[network.Layers.Count];
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i] = new LayerBuffers();
        }

        _attention = network.Pooling is null ? null : new AttentionBuffers();
    }

    /// <summary>Gets the number of steps of the last pass.</summary>
    public int Steps { get; private set; }

    /// <summary>Gets the batch size of the last pass.</summary>
    public int BatchSize { get; private set; }

    /// <summary>Gets a value indicating whether the last pass recorded what <see cref="RecurrentNetwork.Backward"/> needs.</summary>
    public bool CanBackward { get; private set; }

    /// <summary>
    /// Gets the outputs of the last pass: the head's predictions (batch×outputs for <see cref="HeadPlacement.LastStep"/>,
    /// steps×batch×outputs for <see cref="HeadPlacement.EveryStep"/>), or the top layer's outputs (steps×batch×hidden)
    /// when the network has no head.
    /// </summary>
    public ReadOnlySpan<float> Outputs => _network.Head is null
        ? LayerOutputs(_layers.Length - 1)
        : _headOutputs.AsSpan(0, HeadRows * _network.Head.OutputSize);

    internal RecurrentNetwork Network => _network;

    internal int HeadRows => _network.HeadPlacement == HeadPlacement.LastStep ? BatchSize : Steps * BatchSize;

    /// <summary>
    /// Gets every step's output of one layer, steps×batch×hidden: the first <see cref="IRecurrentCell.HiddenSize"/>
    /// values of each state row (the whole state for a GRU).
    /// </summary>
    /// <param name="layer">Layer index, 0 at the bottom.</param>
    public ReadOnlySpan<float> LayerOutputs(int layer)
    {
        IRecurrentCell cell = _network.Layers[layer];
        if (cell.StateSize != cell.HiddenSize)
        {
            return _layers[layer].Outputs.AsSpan(0, Steps * BatchSize * cell.HiddenSize);
        }

        int stateWidth = BatchSize * cell.HiddenSize;
        return _layers[layer].States.AsSpan(stateWidth, Steps * stateWidth);
    }

    /// <summary>Gets one layer's whole state after the last step, batch×the cell's <see cref="IRecurrentCell.StateSize"/>.</summary>
    /// <param name="layer">Layer index, 0 at the bottom.</param>
    public ReadOnlySpan<float> FinalState(int layer)
    {
        int stateWidth = BatchSize * _network.Layers[layer].StateSize;
        return _layers[layer].States.AsSpan(Steps * stateWidth, stateWidth);
    }

    /// <summary>
    /// Copies every layer's final state into <paramref name="destination"/> in the layout that the networks' initial
    /// states take (batch×StateSize per layer, bottom first), so a sequence can continue where this pass stopped.
    /// </summary>
    /// <param name="destination">batch×StateSize values.</param>
    /// <exception cref="ArgumentException">The destination has another length.</exception>
    public void CopyFinalStates(Span<float> destination)
    {
        Diagnostics.Guard.Length(destination.Length, BatchSize * _network.StateSize, nameof(destination), "batch × StateSize");
        for (int layer = 0; layer < _layers.Length; layer++)
        {
            ReadOnlySpan<float> state = FinalState(layer);
            state.CopyTo(destination);
            destination = destination[state.Length..];
        }
    }

    /// <summary>
    /// Gets the attention weights of the last pass, steps×batch, time-major (<c>[t·batch + b]</c> is how much sequence b's
    /// context drew on step t; each sequence's weights sum to 1); empty when the network has no <see cref="AttentionPooling"/>.
    /// </summary>
    public ReadOnlySpan<float> AttentionWeights => _attention is null ? default : _attention.Weights.AsSpan(0, Steps * BatchSize);

    /// <summary>Gets what the head reads: the attention context, the top layer's last output, or all its outputs.</summary>
    internal ReadOnlySpan<float> HeadInputs
    {
        get
        {
            if (_attention is not null)
            {
                return AttentionContext;
            }

            ReadOnlySpan<float> outputs = LayerOutputs(_layers.Length - 1);
            if (_network.HeadPlacement != HeadPlacement.LastStep)
            {
                return outputs;
            }

            int width = BatchSize * _network.Layers[^1].HiddenSize;
            return outputs.Slice((Steps - 1) * width, width);
        }
    }

    internal Span<float> AttentionContext => _attention!.Context.AsSpan(0, BatchSize * _network.Pooling!.InputSize);

    internal Span<float> AttentionWeightsForWriting => _attention!.Weights.AsSpan(0, Steps * BatchSize);

    internal Span<float> AttentionActivations => _attention!.Activations.AsSpan(0, Steps * BatchSize * _network.Pooling!.AttentionSize);

    internal Span<float> AttentionScratch => _attention!.Scratch.AsSpan(0, _network.Pooling!.BackwardScratchSize(Steps * BatchSize));

    /// <summary>Gets ∂loss/∂context (batch×hidden), zeroed, for the head's backward pass to add to.</summary>
    internal Span<float> ClearedContextGradients()
    {
        Span<float> gradients = _attention!.ContextGradients.AsSpan(0, BatchSize * _network.Pooling!.InputSize);
        gradients.Clear();
        return gradients;
    }

    internal Span<float> Inputs => _inputs.AsSpan(0, Steps * BatchSize * _network.InputSize);

    internal Span<float> HeadOutputs => _headOutputs;

    internal LayerBuffers Layer(int index) => _layers[index];

    internal void Prepare(int steps, int batch, bool record)
    {
        Steps = steps;
        BatchSize = batch;
        CanBackward = false;
        // steps and batch come from the caller: every buffer size is checked in 64 bits (an int product can wrap to a
        // small positive size that Grow would accept).
        int rows = Size(steps, batch, 1);
        Grow(ref _inputs, Size(steps, batch, _network.InputSize));
        for (int i = 0; i < _layers.Length; i++)
        {
            IRecurrentCell cell = _network.Layers[i];
            LayerBuffers layer = _layers[i];
            Grow(ref layer.States, Size(steps + 1L, batch, cell.StateSize));
            if (cell.StateSize != cell.HiddenSize)
            {
                Grow(ref layer.Outputs, Size(rows, 1, cell.HiddenSize));
            }

            Grow(ref layer.Projections, Size(rows, 1, cell.InputProjectionSize));
            Grow(ref layer.Scratch, Size(batch, 1, cell.ScratchSize));
            if (record)
            {
                Grow(ref layer.Caches, Size(rows, 1, cell.CacheSize));
                Grow(ref layer.StepGradients, Size(rows, 1, cell.StepGradientSize));
                Grow(ref layer.OutputGradients, Size(rows, 1, cell.HiddenSize));
                Grow(ref layer.CarriedGradient, Size(batch, 1, cell.StateSize));
                Grow(ref layer.NextCarriedGradient, Size(batch, 1, cell.StateSize));
                if (cell is IBackwardPreparation preparation)
                {
                    Grow(ref layer.Prepared, preparation.BackwardPreparationSize(_network.MatrixProvider));
                }
            }
        }

        if (_network.Head is { } head)
        {
            Grow(ref _headOutputs, Size(HeadRows, 1, head.OutputSize));
        }

        if (_attention is not null)
        {
            AttentionPooling pooling = _network.Pooling!;
            Grow(ref _attention.Weights, rows);
            Grow(ref _attention.Activations, Size(rows, 1, pooling.AttentionSize));
            Grow(ref _attention.Context, Size(batch, 1, pooling.InputSize));
            if (record)
            {
                Grow(ref _attention.ContextGradients, Size(batch, 1, pooling.InputSize));
                Grow(ref _attention.Scratch, Size(rows, 1, pooling.AttentionSize + 1L));
            }
        }
    }

    private static int Size(long steps, long batch, long width) =>
        Diagnostics.Guard.ArraySize(nameof(batch), "a workspace buffer, steps × batch × width", steps, batch, width);

    internal void MarkRecorded() => CanBackward = true;

    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
    }

    /// <summary>The attention pooling's side of a pass: its weights, activations and context, and its backward buffers.</summary>
    private sealed class AttentionBuffers
    {
        public float[] Weights = [];
        public float[] Activations = [];
        public float[] Context = [];
        public float[] ContextGradients = [];
        public float[] Scratch = [];
    }

    internal sealed class LayerBuffers
    {
        // (steps + 1) × batch × StateSize: row block 0 is the initial state, block t + 1 the state after step t, so the
        // previous states of all steps and (when the state is the output) the outputs of all steps are contiguous views of one array.
        public float[] States = [];

        // steps × batch × hidden: the output part of every state row, gathered only when the state is wider than the output.
        public float[] Outputs = [];
        public float[] Projections = [];
        public float[] Scratch = [];
        public float[] Caches = [];
        public float[] StepGradients = [];
        public float[] OutputGradients = [];
        public float[] CarriedGradient = [];
        public float[] NextCarriedGradient = [];

        // What the cell's IBackwardPreparation makes once per backward pass (the GRU cells: W_h transposed).
        public float[] Prepared = [];
    }
}
