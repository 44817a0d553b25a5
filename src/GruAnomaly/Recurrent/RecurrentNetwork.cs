using System.Runtime.CompilerServices;

using GruAnomaly.Diagnostics;
using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>
/// Stacked recurrent layers, each running one <see cref="IRecurrentCell"/> over a batch of sequences, with an optional
/// <see cref="DenseHead"/> on top. Holds the architecture only: parameter values live in a flat vector that the caller
/// owns (see <see cref="ParameterSlots"/>), so one network is immutable and shared by any number of threads.
/// </summary>
/// <remarks>
/// Sequences are time-major: <c>inputs[(t·batch + b)·InputSize + i]</c> is feature i of sequence b at step t. Each layer
/// precomputes the input side of all steps at once (<see cref="IRecurrentCell.ProjectInputs"/>), runs its recurrence step
/// by step, and in backward accumulates the weight gradients of all steps at once (<see cref="IRecurrentCell.FinishBackward"/>).
/// </remarks>
public sealed class RecurrentNetwork : ISequenceModel, IReusesWorkspaces
{
    private readonly int[] _layerOffsets;

    // Not state of the network: workspaces of finished training runs, weakly held for the next run on it.
    private readonly SpareWorkspaces<NetworkWorkspace> _spareWorkspaces;
    private readonly int _headOffset;
    private readonly int _poolingOffset;

    /// <summary>Creates a network from bottom to top.</summary>
    /// <param name="layers">The cells, bottom first; each one's input size must equal the hidden size below it.</param>
    /// <param name="head">An optional output layer on top; its input size must equal the top hidden size.</param>
    /// <param name="headPlacement">Which steps the head reads.</param>
    /// <param name="matrixProvider">Computes every matrix product; <see langword="null"/> for <see cref="ManagedMatrixProvider.Instance"/>.</param>
    /// <exception cref="ArgumentException">The layers do not fit together.</exception>
    public RecurrentNetwork(IEnumerable<IRecurrentCell> layers, DenseHead? head = null, HeadPlacement headPlacement = HeadPlacement.LastStep,
        IMatrixProvider? matrixProvider = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        IRecurrentCell[] cells = [.. layers];
        if (cells.Length == 0)
        {
            throw new ArgumentException("A network needs at least one recurrent layer.", nameof(layers));
        }

        for (int i = 0; i < cells.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(cells[i], $"{nameof(layers)}[{i}]");
            if (cells[i].StateSize < cells[i].HiddenSize || cells[i].HiddenSize <= 0)
            {
                throw new ArgumentException(
                    $"Layer {i} ({cells[i].GetType().Name}) has StateSize {cells[i].StateSize} and HiddenSize {cells[i].HiddenSize}; " +
                    "expected a positive HiddenSize and a StateSize of at least HiddenSize (the output is the first HiddenSize values of the state).",
                    nameof(layers));
            }

            if (i > 0 && cells[i].InputSize != cells[i - 1].HiddenSize)
            {
                throw new ArgumentException(
                    $"Layer {i} expects {cells[i].InputSize} inputs but layer {i - 1} produces {cells[i - 1].HiddenSize}.", nameof(layers));
            }
        }

        if (head is not null && head.InputSize != cells[^1].HiddenSize)
        {
            throw new ArgumentException(
                $"The head expects {head.InputSize} inputs but the top layer produces {cells[^1].HiddenSize}.", nameof(head));
        }

        if (!Enum.IsDefined(headPlacement))
        {
            throw new ArgumentOutOfRangeException(nameof(headPlacement), headPlacement, "Expected LastStep or EveryStep.");
        }

        Layers = cells;
        Head = head;
        HeadPlacement = headPlacement;
        MatrixProvider = matrixProvider ?? ManagedMatrixProvider.Instance;
        _spareWorkspaces = new SpareWorkspaces<NetworkWorkspace>(CreateWorkspace);

        var slots = new List<ParameterSlot>();
        _layerOffsets = new int[cells.Length + 1];
        int offset = 0;
        for (int i = 0; i < cells.Length; i++)
        {
            _layerOffsets[i] = offset;
            foreach (ParameterSpec spec in cells[i].Parameters)
            {
                slots.Add(new ParameterSlot($"layers.{i}.{spec.Name}", spec, offset));
                offset += spec.Length;
            }
        }

        _layerOffsets[cells.Length] = offset;
        _headOffset = offset;
        if (head is not null)
        {
            foreach (ParameterSpec spec in head.Parameters)
            {
                slots.Add(new ParameterSlot($"head.{spec.Name}", spec, offset));
                offset += spec.Length;
            }
        }

        ParameterSlots = slots;
        ParameterCount = offset;
        StateSize = cells.Sum(c => c.StateSize);
    }

    /// <summary>
    /// Creates a network whose head reads the attention-pooled context <c>Σ_t α_t·h_t</c> of the top layer's states over
    /// all steps instead of the last state (see <see cref="AttentionPooling"/>): one prediction per sequence.
    /// </summary>
    /// <param name="layers">The cells, bottom first; each one's input size must equal the hidden size below it.</param>
    /// <param name="head">The output layer; its input size must equal the top hidden size.</param>
    /// <param name="pooling">The pooling; its input size must equal the top hidden size.</param>
    /// <param name="matrixProvider">Computes every matrix product; <see langword="null"/> for <see cref="ManagedMatrixProvider.Instance"/>.</param>
    /// <remarks>The pooling's parameters come last in the flat vector, after the head's, named <c>attention.weights</c>, <c>attention.bias</c>, <c>attention.score</c>.</remarks>
    /// <exception cref="ArgumentException">The layers, head and pooling do not fit together.</exception>
    public RecurrentNetwork(IEnumerable<IRecurrentCell> layers, DenseHead head, AttentionPooling pooling, IMatrixProvider? matrixProvider = null)
        : this(layers, head ?? throw new ArgumentNullException(nameof(head)), HeadPlacement.LastStep, matrixProvider)
    {
        ArgumentNullException.ThrowIfNull(pooling);
        if (pooling.InputSize != Layers[^1].HiddenSize)
        {
            throw new ArgumentException(
                $"The attention pooling reads {pooling.InputSize} values per step but the top layer produces {Layers[^1].HiddenSize}.", nameof(pooling));
        }

        Pooling = pooling;
        _poolingOffset = ParameterCount;
        var slots = new List<ParameterSlot>(ParameterSlots);
        int offset = ParameterCount;
        foreach (ParameterSpec spec in pooling.Parameters)
        {
            slots.Add(new ParameterSlot($"attention.{spec.Name}", spec, offset));
            offset += spec.Length;
        }

        ParameterSlots = slots;
        ParameterCount = offset;
    }

    /// <summary>
    /// Gets the attention pooling between the top layer and the head, or <see langword="null"/> when the head reads the top
    /// layer's states directly.
    /// </summary>
    public AttentionPooling? Pooling { get; }

    /// <summary>Gets the recurrent layers, bottom first.</summary>
    public IReadOnlyList<IRecurrentCell> Layers { get; }

    /// <summary>Gets the output layer, or <see langword="null"/> when the network outputs its top states.</summary>
    public DenseHead? Head { get; }

    /// <summary>Gets which steps the head reads.</summary>
    public HeadPlacement HeadPlacement { get; }

    /// <summary>Gets the provider that computes every matrix product of this network's passes.</summary>
    /// <value>The default value is <see cref="ManagedMatrixProvider.Instance"/>.</value>
    public IMatrixProvider MatrixProvider { get; }

    /// <summary>Gets the number of input features per step.</summary>
    public int InputSize => Layers[0].InputSize;

    /// <summary>Gets the width of one output row: the head's outputs, or the top hidden size without a head.</summary>
    public int OutputSize => Head?.OutputSize ?? Layers[^1].HiddenSize;

    /// <summary>Gets the sum of all layers' <see cref="IRecurrentCell.StateSize"/>: the width of the carried state of one sequence.</summary>
    public int StateSize { get; }

    /// <summary>Gets the length of the flat parameter vector.</summary>
    public int ParameterCount { get; }

    /// <summary>Gets where every parameter lives in the flat vector: bottom layer first, then the head, then the attention pooling if any.</summary>
    public IReadOnlyList<ParameterSlot> ParameterSlots { get; }

    /// <summary>Creates a stack of GRU layers of equal width, optionally with a dense head.</summary>
    /// <param name="inputSize">Input features per step.</param>
    /// <param name="hiddenSize">Units per layer.</param>
    /// <param name="layers">Number of stacked layers.</param>
    /// <param name="outputSize">Outputs of a dense head, or <see langword="null"/> for no head.</param>
    /// <param name="variant">Which GRU formulation.</param>
    /// <param name="headPlacement">Which steps the head reads.</param>
    /// <param name="matrixProvider">Computes every matrix product; <see langword="null"/> for <see cref="ManagedMatrixProvider.Instance"/>.</param>
    /// <returns>The network.</returns>
    public static RecurrentNetwork CreateGru(int inputSize, int hiddenSize, int layers = 1, int? outputSize = null,
        GruVariant variant = GruVariant.ResetBefore, HeadPlacement headPlacement = HeadPlacement.LastStep, IMatrixProvider? matrixProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        var cells = new IRecurrentCell[layers];
        for (int i = 0; i < layers; i++)
        {
            int width = i == 0 ? inputSize : hiddenSize;
            cells[i] = variant switch
            {
                GruVariant.ResetBefore => new GruCell(width, hiddenSize),
                GruVariant.ResetAfter => new GruResetAfterCell(width, hiddenSize),
                _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Expected ResetBefore or ResetAfter."),
            };
        }

        return new RecurrentNetwork(cells, outputSize is int outputs ? new DenseHead(hiddenSize, outputs) : null, headPlacement, matrixProvider);
    }

    /// <summary>Finds a parameter by its qualified name (for example <c>layers.1.recurrent_weights</c>).</summary>
    /// <param name="name">The qualified name.</param>
    /// <returns>The slot.</returns>
    /// <exception cref="KeyNotFoundException">No parameter has that name.</exception>
    public ParameterSlot GetSlot(string name) =>
        ParameterSlots.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException(
            $"No parameter named '{name}'; the network has {string.Join(", ", ParameterSlots.Select(s => s.Name))}.");

    /// <summary>Returns the part of the flat vector that belongs to one layer, in the order of its cell's parameters.</summary>
    /// <param name="parameters">The whole vector.</param>
    /// <param name="layer">Layer index.</param>
    /// <returns>The layer's parameters.</returns>
    public ReadOnlySpan<float> LayerParameters(ReadOnlySpan<float> parameters, int layer) =>
        parameters[_layerOffsets[layer].._layerOffsets[layer + 1]];

    /// <summary>Allocates a parameter vector and initializes it from <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed; the same seed gives the same values.</param>
    /// <returns>The new vector.</returns>
    public float[] CreateParameters(int seed)
    {
        var parameters = new float[ParameterCount];
        InitializeParameters(parameters, seed);
        return parameters;
    }

    /// <summary>Initializes every parameter with its declared initializer, drawing from one RNG seeded with <paramref name="seed"/>.</summary>
    /// <param name="parameters">The vector to fill, of length <see cref="ParameterCount"/>.</param>
    /// <param name="seed">The seed.</param>
    public void InitializeParameters(Span<float> parameters, int seed)
    {
        Guard.Length(parameters.Length, ParameterCount, nameof(parameters), "the network's ParameterCount");
        ParameterSlot.InitializeAll(ParameterSlots, parameters, seed);
    }

    /// <summary>Creates the reusable buffers for passes of this network.</summary>
    /// <returns>A new workspace, for one caller at a time.</returns>
    public NetworkWorkspace CreateWorkspace() => new(this);

    /// <summary>Runs a training forward pass that records what <see cref="Backward"/> needs; results are in <paramref name="workspace"/>.</summary>
    /// <param name="parameters">The flat parameter vector.</param>
    /// <param name="inputs">steps×batch×InputSize, time-major.</param>
    /// <param name="steps">Sequence length (at least 1).</param>
    /// <param name="batchSize">Number of sequences (at least 1).</param>
    /// <param name="workspace">Buffers from <see cref="CreateWorkspace"/>.</param>
    /// <param name="initialStates">Per layer, batch×the layer's StateSize, layers concatenated bottom first; empty for zeros.</param>
    /// <exception cref="ArgumentException">A shape does not match, or a value is NaN or infinite.</exception>
    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize,
        NetworkWorkspace workspace, ReadOnlySpan<float> initialStates = default) =>
        Run(parameters, inputs, steps, batchSize, workspace, initialStates, record: true);

    /// <summary>Runs an inference pass that records nothing; results are in <paramref name="workspace"/>.</summary>
    /// <param name="parameters">The flat parameter vector.</param>
    /// <param name="inputs">steps×batch×InputSize, time-major.</param>
    /// <param name="steps">Sequence length (at least 1).</param>
    /// <param name="batchSize">Number of sequences (at least 1).</param>
    /// <param name="workspace">Buffers from <see cref="CreateWorkspace"/>.</param>
    /// <param name="initialStates">Per layer, batch×the layer's StateSize, layers concatenated bottom first; empty for zeros.</param>
    /// <exception cref="ArgumentException">A shape does not match, or a value is NaN or infinite.</exception>
    public void Infer(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize,
        NetworkWorkspace workspace, ReadOnlySpan<float> initialStates = default) =>
        Run(parameters, inputs, steps, batchSize, workspace, initialStates, record: false);

    /// <summary>
    /// Backpropagates through the pass recorded by <see cref="Forward"/>. Gradients are added to the given buffers
    /// (zero them first for a fresh gradient).
    /// </summary>
    /// <param name="parameters">The same parameters as the forward pass.</param>
    /// <param name="workspace">The workspace of the forward pass.</param>
    /// <param name="outputGradients">Gradient of the loss with respect to <see cref="NetworkWorkspace.Outputs"/> (same shape).</param>
    /// <param name="parameterGradients">Gradient of the parameters, length <see cref="ParameterCount"/>, added to.</param>
    /// <param name="finalStateGradients">Gradient with respect to every layer's final state (same layout as initial states); empty for none.</param>
    /// <param name="inputGradients">Gradient with respect to the inputs, added to; empty when not needed.</param>
    /// <param name="initialStateGradients">Gradient with respect to the initial states, added to; empty when not needed.</param>
    /// <param name="truncationSteps">
    /// 0 for full backpropagation through time; k &gt; 0 for truncated backpropagation: the sequence is cut into chunks
    /// of k steps from its start and no gradient flows through the state from one chunk into the one before it, exactly as
    /// if the state were detached every k steps.
    /// </param>
    /// <exception cref="InvalidOperationException">The workspace holds no recorded forward pass of this network.</exception>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public void Backward(ReadOnlySpan<float> parameters, NetworkWorkspace workspace, ReadOnlySpan<float> outputGradients,
        Span<float> parameterGradients, ReadOnlySpan<float> finalStateGradients = default, Span<float> inputGradients = default,
        Span<float> initialStateGradients = default, int truncationSteps = 0) =>
        BackwardPass(parameters, workspace, outputGradients, parameterGradients, finalStateGradients, inputGradients, initialStateGradients,
            truncationSteps, prepareCells: true);

    /// <summary>
    /// <see cref="Backward"/>, with <paramref name="prepareCells"/> false to withhold what <see cref="IBackwardPreparation"/>
    /// asks for (W_hᵀ for the GRU cells' fused backward step and per-step products): tests and benchmarks run the general
    /// path against it. A parameter, not a switch on the network, so that a network stays immutable.
    /// </summary>
    internal void BackwardPass(ReadOnlySpan<float> parameters, NetworkWorkspace workspace, ReadOnlySpan<float> outputGradients,
        Span<float> parameterGradients, ReadOnlySpan<float> finalStateGradients, Span<float> inputGradients,
        Span<float> initialStateGradients, int truncationSteps, bool prepareCells)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (workspace.Network != this || !workspace.CanBackward)
        {
            throw new InvalidOperationException("Backward needs the workspace of a Forward pass of this network (Infer records nothing).");
        }

        int steps = workspace.Steps, batch = workspace.BatchSize, rows = steps * batch;
        Guard.Length(parameters.Length, ParameterCount, nameof(parameters), "the network's ParameterCount");
        Guard.Length(parameterGradients.Length, ParameterCount, nameof(parameterGradients), "the network's ParameterCount");
        Guard.Length(outputGradients.Length, workspace.Outputs.Length, nameof(outputGradients), "the shape of the workspace's Outputs");
        Guard.LengthOrEmpty(finalStateGradients.Length, batch * StateSize, nameof(finalStateGradients), "batch × StateSize");
        Guard.LengthOrEmpty(inputGradients.Length, rows * InputSize, nameof(inputGradients), "steps × batch × InputSize");
        Guard.LengthOrEmpty(initialStateGradients.Length, batch * StateSize, nameof(initialStateGradients), "batch × StateSize");
        ArgumentOutOfRangeException.ThrowIfNegative(truncationSteps);

        int top = Layers.Count - 1;
        Span<float> topGradients = workspace.Layer(top).OutputGradients.AsSpan(0, rows * Layers[top].HiddenSize);
        if (Head is null)
        {
            outputGradients.CopyTo(topGradients);
        }
        else
        {
            topGradients.Clear();
            int headRows = workspace.HeadRows, width = Head.InputSize;
            // The head read the top layer's outputs only (or the attention context of them): its gradient lands in their rows,
            // never in a state part beyond them.
            Span<float> headInputGradients = Pooling is not null ? workspace.ClearedContextGradients()
                : HeadPlacement == HeadPlacement.LastStep ? topGradients.Slice((steps - 1) * batch * width, batch * width)
                : topGradients;
            Head.Backward(parameters[_headOffset..], workspace.HeadInputs, outputGradients, headRows,
                parameterGradients[_headOffset..], headInputGradients, MatrixProvider);
            Pooling?.Backward(parameters[_poolingOffset..], workspace.LayerOutputs(top), workspace.AttentionWeights,
                workspace.AttentionActivations, headInputGradients, steps, batch, parameterGradients[_poolingOffset..], topGradients,
                workspace.AttentionScratch, MatrixProvider);
        }

        int stateOffset = StateSize * batch;
        for (int layer = top; layer >= 0; layer--)
        {
            IRecurrentCell cell = Layers[layer];
            int state = cell.StateSize;
            stateOffset -= batch * state;
            // Cells add to input gradients: the caller's buffer is accumulated into as documented, the workspace's is zeroed.
            Span<float> belowGradients = inputGradients;
            if (layer > 0)
            {
                belowGradients = workspace.Layer(layer - 1).OutputGradients.AsSpan(0, rows * cell.InputSize);
                belowGradients.Clear();
            }

            BackwardLayer(layer, parameters, workspace, parameterGradients,
                finalStateGradients.IsEmpty ? default : finalStateGradients.Slice(stateOffset, batch * state),
                belowGradients,
                initialStateGradients.IsEmpty ? default : initialStateGradients.Slice(stateOffset, batch * state),
                truncationSteps, prepareCells);
        }
    }

    // The step loops of a layer: optimized from the first call. Their loops run once per step, too few iterations for
    // on-stack replacement, and on one CPU the JIT waits a second or more before promoting tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardLayer(int layer, ReadOnlySpan<float> parameters, NetworkWorkspace workspace, Span<float> parameterGradients,
        ReadOnlySpan<float> finalStateGradient, Span<float> inputGradients, Span<float> initialStateGradient, int truncationSteps,
        bool prepareCells)
    {
        IRecurrentCell cell = Layers[layer];
        NetworkWorkspace.LayerBuffers buffers = workspace.Layer(layer);
        int steps = workspace.Steps, batch = workspace.BatchSize, rows = steps * batch;
        int hidden = cell.HiddenSize, stateSize = cell.StateSize, inputWidth = batch * cell.InputSize, stateWidth = batch * stateSize;
        int projectionWidth = batch * cell.InputProjectionSize, cacheWidth = batch * cell.CacheSize;
        int stepGradientWidth = batch * cell.StepGradientSize;
        ReadOnlySpan<float> cellParameters = LayerParameters(parameters, layer);
        Span<float> cellGradients = parameterGradients[_layerOffsets[layer].._layerOffsets[layer + 1]];
        ReadOnlySpan<float> inputs = LayerInputs(workspace, layer);
        Span<float> outputGradients = buffers.OutputGradients.AsSpan(0, rows * hidden);
        Span<float> carried = buffers.CarriedGradient.AsSpan(0, stateWidth);
        Span<float> next = buffers.NextCarriedGradient.AsSpan(0, stateWidth);
        if (finalStateGradient.IsEmpty)
        {
            carried.Clear();
        }
        else
        {
            finalStateGradient.CopyTo(carried);
        }

        ReadOnlySpan<float> prepared = default;
        if (prepareCells && cell is IBackwardPreparation preparation && preparation.BackwardPreparationSize(MatrixProvider) is > 0 and int size)
        {
            preparation.PrepareBackward(cellParameters, buffers.Prepared.AsSpan(0, size));
            prepared = buffers.Prepared.AsSpan(0, size);
        }

        for (int t = steps - 1; t >= 0; t--)
        {
            // The state's total gradient: what the next step sent back through the whole state, plus, in the output part
            // only, what the layer above or the head sent. Summed in place in the carried buffer (x + y = y + x bit for bit).
            ReadOnlySpan<float> stepOutputGradients = outputGradients.Slice(t * batch * hidden, batch * hidden);
            if (stateSize == hidden)
            {
                ElementwiseKernels.Add(stepOutputGradients, carried, carried);
            }
            else
            {
                for (int row = 0; row < batch; row++)
                {
                    Span<float> outputPart = carried.Slice(row * stateSize, hidden);
                    ElementwiseKernels.Add(stepOutputGradients.Slice(row * hidden, hidden), outputPart, outputPart);
                }
            }

            ReadOnlySpan<float> stateGradient = carried;
            next.Clear();
            cell.Backward(new CellBackward
            {
                BatchSize = batch,
                Parameters = cellParameters,
                Input = inputs.Slice(t * inputWidth, inputWidth),
                InputProjection = buffers.Projections.AsSpan(t * projectionWidth, projectionWidth),
                PreviousState = buffers.States.AsSpan(t * stateWidth, stateWidth),
                State = buffers.States.AsSpan((t + 1) * stateWidth, stateWidth),
                Cache = buffers.Caches.AsSpan(t * cacheWidth, cacheWidth),
                StateGradient = stateGradient,
                PreviousStateGradient = next,
                InputGradient = inputGradients.IsEmpty ? default : inputGradients.Slice(t * inputWidth, inputWidth),
                StepGradient = buffers.StepGradients.AsSpan(t * stepGradientWidth, stepGradientWidth),
                ParameterGradients = cellGradients,
                Scratch = buffers.Scratch.AsSpan(0, batch * cell.ScratchSize),
                Matrix = MatrixProvider,
                Prepared = prepared,
            });

            if (truncationSteps > 0 && t % truncationSteps == 0 && t > 0)
            {
                next.Clear();
            }

            Span<float> swap = carried;
            carried = next;
            next = swap;
        }

        if (!initialStateGradient.IsEmpty)
        {
            ElementwiseKernels.Add(initialStateGradient, carried, initialStateGradient);
        }

        cell.FinishBackward(new CellSequenceBackward
        {
            Rows = rows,
            Parameters = cellParameters,
            Inputs = inputs,
            PreviousStates = buffers.States.AsSpan(0, rows * stateSize),
            Caches = buffers.Caches.AsSpan(0, rows * cell.CacheSize),
            StepGradients = buffers.StepGradients.AsSpan(0, rows * cell.StepGradientSize),
            ParameterGradients = cellGradients,
            InputGradients = inputGradients,
            Matrix = MatrixProvider,
        });
    }

    private void Run(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize,
        NetworkWorkspace workspace, ReadOnlySpan<float> initialStates, bool record)
    {
        CheckOwner(workspace);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Guard.Length(parameters.Length, ParameterCount, nameof(parameters), "the network's ParameterCount");
        if (inputs.Length != steps * batchSize * InputSize || (!initialStates.IsEmpty && initialStates.Length != batchSize * StateSize))
        {
            // Messages are formatted only on failure, so a pass in a warm workspace allocates nothing.
            Guard.Length(inputs.Length, steps * batchSize * InputSize, nameof(inputs),
                $"steps × batch × InputSize = {steps} × {batchSize} × {InputSize}");
            Guard.LengthOrEmpty(initialStates.Length, batchSize * StateSize, nameof(initialStates),
                $"batch × StateSize = {batchSize} × {StateSize}");
        }

        Guard.Finite(parameters, nameof(parameters), "network parameters");
        Guard.Finite(inputs, nameof(inputs), "inputs");
        Guard.Finite(initialStates, nameof(initialStates), "initial states");

        workspace.Prepare(steps, batchSize, record);
        inputs.CopyTo(workspace.Inputs);
        int stateOffset = 0;
        for (int layer = 0; layer < Layers.Count; layer++)
        {
            IRecurrentCell cell = Layers[layer];
            int stateWidth = batchSize * cell.StateSize;
            Span<float> states = workspace.Layer(layer).States;
            if (initialStates.IsEmpty)
            {
                states[..stateWidth].Clear();
            }
            else
            {
                initialStates.Slice(stateOffset, stateWidth).CopyTo(states);
            }

            stateOffset += stateWidth;
            RunLayer(layer, parameters, workspace, record);
        }

        Pooling?.Forward(parameters[_poolingOffset..], workspace.LayerOutputs(Layers.Count - 1), steps, batchSize,
            workspace.AttentionContext, workspace.AttentionWeightsForWriting, workspace.AttentionActivations, MatrixProvider);
        if (Head is not null)
        {
            Head.Forward(parameters[_headOffset..], workspace.HeadInputs, workspace.HeadRows, workspace.HeadOutputs, MatrixProvider);
        }

        if (record)
        {
            workspace.MarkRecorded();
        }
    }

    // See BackwardLayer.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunLayer(int layer, ReadOnlySpan<float> parameters, NetworkWorkspace workspace, bool record)
    {
        IRecurrentCell cell = Layers[layer];
        NetworkWorkspace.LayerBuffers buffers = workspace.Layer(layer);
        int steps = workspace.Steps, batch = workspace.BatchSize, rows = steps * batch;
        int inputWidth = batch * cell.InputSize, stateWidth = batch * cell.StateSize;
        int projectionWidth = batch * cell.InputProjectionSize, cacheWidth = batch * cell.CacheSize;
        ReadOnlySpan<float> cellParameters = LayerParameters(parameters, layer);
        ReadOnlySpan<float> inputs = LayerInputs(workspace, layer);
        Span<float> projections = buffers.Projections.AsSpan(0, rows * cell.InputProjectionSize);
        if (cell.InputProjectionSize > 0)
        {
            cell.ProjectInputs(cellParameters, inputs, rows, projections, MatrixProvider);
        }

        Span<float> scratch = buffers.Scratch.AsSpan(0, batch * cell.ScratchSize);
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<float> input = inputs.Slice(t * inputWidth, inputWidth);
            ReadOnlySpan<float> projection = projections.Slice(t * projectionWidth, projectionWidth);
            ReadOnlySpan<float> previous = buffers.States.AsSpan(t * stateWidth, stateWidth);
            Span<float> state = buffers.States.AsSpan((t + 1) * stateWidth, stateWidth);
            if (record)
            {
                cell.Forward(new CellForward
                {
                    BatchSize = batch, Parameters = cellParameters, Input = input, InputProjection = projection,
                    PreviousState = previous, State = state, Cache = buffers.Caches.AsSpan(t * cacheWidth, cacheWidth),
                    Matrix = MatrixProvider,
                });
            }
            else
            {
                cell.Infer(new CellInference
                {
                    BatchSize = batch, Parameters = cellParameters, Input = input, InputProjection = projection,
                    PreviousState = previous, State = state, Scratch = scratch, Matrix = MatrixProvider,
                });
            }
        }

        if (cell.StateSize != cell.HiddenSize)
        {
            // The layer above and the head read a contiguous rows×HiddenSize matrix: gather the output part of every state row.
            int hidden = cell.HiddenSize, stateSize = cell.StateSize;
            ReadOnlySpan<float> states = buffers.States.AsSpan(batch * stateSize, rows * stateSize);
            Span<float> outputs = buffers.Outputs.AsSpan(0, rows * hidden);
            for (int row = 0; row < rows; row++)
            {
                states.Slice(row * stateSize, hidden).CopyTo(outputs.Slice(row * hidden, hidden));
            }
        }
    }

    private ReadOnlySpan<float> LayerInputs(NetworkWorkspace workspace, int layer) =>
        layer == 0 ? workspace.Inputs : workspace.LayerOutputs(layer - 1);

    // ISequenceModel: the network seen by the trainer. Initial and final states stay zero and unused there.

    /// <inheritdoc />
    bool ISequenceModel.OutputsEveryStep => Head is null || HeadPlacement == HeadPlacement.EveryStep;

    /// <inheritdoc />
    ISequenceWorkspace ISequenceModel.CreateWorkspace() => CreateWorkspace();

    /// <inheritdoc />
    ISequenceWorkspace IReusesWorkspaces.RentWorkspace() => _spareWorkspaces.Rent();

    /// <inheritdoc />
    void IReusesWorkspaces.ReturnWorkspace(ISequenceWorkspace workspace)
    {
        NetworkWorkspace own = OwnWorkspace(workspace);
        CheckOwner(own);
        _spareWorkspaces.Return(own);
    }

    /// <inheritdoc />
    void ISequenceModel.Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize, ISequenceWorkspace workspace) =>
        Forward(parameters, inputs, steps, batchSize, OwnWorkspace(workspace));

    /// <inheritdoc />
    void ISequenceModel.Infer(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize, ISequenceWorkspace workspace) =>
        Infer(parameters, inputs, steps, batchSize, OwnWorkspace(workspace));

    /// <inheritdoc />
    void ISequenceModel.Backward(ReadOnlySpan<float> parameters, ISequenceWorkspace workspace, ReadOnlySpan<float> outputGradients,
        Span<float> parameterGradients, Span<float> inputGradients, int truncationSteps) =>
        Backward(parameters, OwnWorkspace(workspace), outputGradients, parameterGradients,
            inputGradients: inputGradients, truncationSteps: truncationSteps);

    private void CheckOwner(NetworkWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (workspace.Network != this)
        {
            throw new ArgumentException("The workspace was created by another network.", nameof(workspace));
        }
    }

    private static NetworkWorkspace OwnWorkspace(ISequenceWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return workspace as NetworkWorkspace ?? throw new ArgumentException(
            $"The workspace is a {workspace.GetType().Name}; a RecurrentNetwork needs the NetworkWorkspace from its own CreateWorkspace().",
            nameof(workspace));
    }

    /// <summary>
    /// Creates a streamer that runs this network with fixed weights one point at a time, validating and packing the
    /// weights once (see <see cref="NetworkStreamer"/>).
    /// </summary>
    /// <param name="parameters">The flat parameter vector (copied).</param>
    /// <returns>The streamer.</returns>
    /// <exception cref="ArgumentException">The parameters have another length or are not finite.</exception>
    public NetworkStreamer CreateStreamer(ReadOnlySpan<float> parameters) => new(this, parameters);
}
