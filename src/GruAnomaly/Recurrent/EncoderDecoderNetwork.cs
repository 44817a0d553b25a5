using GruAnomaly.Diagnostics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>
/// A sequence-to-sequence autoencoder for reconstruction-based anomaly scores, as in EncDec-AD (Malhotra et al., 2016,
/// "LSTM-based Encoder-Decoder for Multi-sensor Anomaly Detection"), with GRU layers: an encoder reads the window, its
/// final states (every layer) start a decoder that reconstructs the window in reverse order, and
/// <see cref="EncoderDecoderWorkspace.Outputs"/> are returned in the original order, so output t reconstructs input t.
/// </summary>
/// <remarks>
/// <para>
/// With a window <c>x_0 … x_{T−1}</c>, decoder step j predicts <c>x_{T−1−j}</c>. Its input is zeros at j = 0 and, for
/// j ≥ 1, the previous target <c>x_{T−j}</c> under <see cref="DecoderInput.TeacherForcing"/> or the decoder's own previous
/// prediction under <see cref="DecoderInput.Autoregressive"/>. Reversal makes the first reconstructed point the one the
/// encoder read last, so the decoder starts from what the code remembers best. EncDec-AD trains with teacher forcing and
/// reconstructs autoregressively at test time; training here (<see cref="Forward"/>) is always teacher-forced and
/// inference (<see cref="Infer"/>) takes either.
/// </para>
/// <para>
/// Parameters are one flat caller-owned vector, encoder first (<c>encoder.layers.0.input_weights</c>, …), then the
/// decoder from <see cref="DecoderParameterOffset"/> (<c>decoder.layers.0.input_weights</c>, …, <c>decoder.head.weights</c>).
/// The network is immutable and thread-safe; each caller runs passes in its own <see cref="EncoderDecoderWorkspace"/>,
/// whose buffers only grow, so repeated passes of one shape allocate nothing.
/// </para>
/// </remarks>
public sealed class EncoderDecoderNetwork : ISequenceModel, IReusesWorkspaces
{
    // Not state of the network: workspaces of finished training runs, weakly held for the next run on it.
    private readonly SpareWorkspaces<EncoderDecoderWorkspace> _spareWorkspaces;

    /// <summary>Creates the autoencoder from its two halves.</summary>
    /// <param name="encoder">Recurrent layers without a head; its final states are the code.</param>
    /// <param name="decoder">
    /// Recurrent layers of the same hidden sizes and input width as the encoder, with a head on every step that outputs
    /// one value per input feature.
    /// </param>
    /// <exception cref="ArgumentException">The two halves do not fit together.</exception>
    public EncoderDecoderNetwork(RecurrentNetwork encoder, RecurrentNetwork decoder)
    {
        _spareWorkspaces = new SpareWorkspaces<EncoderDecoderWorkspace>(CreateWorkspace);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        if (encoder.Head is not null)
        {
            throw new ArgumentException(
                $"The encoder has a head of {encoder.Head.OutputSize} outputs; it must have none, since its final states are the code.", nameof(encoder));
        }

        if (decoder.Head is null || decoder.HeadPlacement != HeadPlacement.EveryStep)
        {
            throw new ArgumentException("The decoder needs a head on every step (HeadPlacement.EveryStep) to reconstruct every point.", nameof(decoder));
        }

        if (decoder.InputSize != encoder.InputSize || decoder.OutputSize != encoder.InputSize)
        {
            throw new ArgumentException(
                $"The decoder reads {decoder.InputSize} and outputs {decoder.OutputSize} values per step; both must equal the encoder's " +
                $"{encoder.InputSize} input features.", nameof(decoder));
        }

        if (decoder.Layers.Count != encoder.Layers.Count
            || Enumerable.Range(0, encoder.Layers.Count).Any(i => decoder.Layers[i].HiddenSize != encoder.Layers[i].HiddenSize))
        {
            throw new ArgumentException(
                $"The decoder's hidden sizes [{string.Join(", ", decoder.Layers.Select(l => l.HiddenSize))}] must equal the encoder's " +
                $"[{string.Join(", ", encoder.Layers.Select(l => l.HiddenSize))}]: the encoder's final states start the decoder layer by layer.",
                nameof(decoder));
        }

        if (Enumerable.Range(0, encoder.Layers.Count).Any(i => decoder.Layers[i].StateSize != encoder.Layers[i].StateSize))
        {
            throw new ArgumentException(
                $"The decoder's state sizes [{string.Join(", ", decoder.Layers.Select(l => l.StateSize))}] must equal the encoder's " +
                $"[{string.Join(", ", encoder.Layers.Select(l => l.StateSize))}]: the encoder's final states start the decoder layer by layer.",
                nameof(decoder));
        }

        Encoder = encoder;
        Decoder = decoder;
        DecoderParameterOffset = encoder.ParameterCount;
        ParameterCount = encoder.ParameterCount + decoder.ParameterCount;
        ParameterSlots =
        [
            .. encoder.ParameterSlots.Select(s => s with { Name = "encoder." + s.Name }),
            .. decoder.ParameterSlots.Select(s => s with { Name = "decoder." + s.Name, Offset = DecoderParameterOffset + s.Offset }),
        ];
    }

    /// <summary>Gets the network that reads the window; it has no head.</summary>
    public RecurrentNetwork Encoder { get; }

    /// <summary>Gets the network that reconstructs the window in reverse order; it has a head on every step.</summary>
    public RecurrentNetwork Decoder { get; }

    /// <summary>Gets the number of features per step.</summary>
    public int InputSize => Encoder.InputSize;

    /// <summary>Gets the number of reconstructed values per step, equal to <see cref="InputSize"/>.</summary>
    public int OutputSize => Encoder.InputSize;

    /// <summary>Gets a value indicating that the outputs hold every step (always true).</summary>
    public bool OutputsEveryStep => true;

    /// <summary>Gets the width of the code of one sequence: the sum of the encoder's state sizes (<see cref="IRecurrentCell.StateSize"/>).</summary>
    public int StateSize => Encoder.StateSize;

    /// <summary>Gets the length of the flat parameter vector (encoder and decoder).</summary>
    public int ParameterCount { get; }

    /// <summary>Gets the index of the decoder's first parameter in the flat vector; the encoder's start at 0.</summary>
    public int DecoderParameterOffset { get; }

    /// <summary>Gets where every parameter lives in the flat vector: <c>encoder.…</c> first, then <c>decoder.…</c>.</summary>
    public IReadOnlyList<ParameterSlot> ParameterSlots { get; }

    /// <summary>Creates an autoencoder of stacked GRU layers of equal width.</summary>
    /// <param name="features">Features per step (input and reconstruction).</param>
    /// <param name="hiddenSize">Units per layer, in the encoder and in the decoder.</param>
    /// <param name="layers">Number of stacked layers in each half.</param>
    /// <param name="variant">Which GRU formulation.</param>
    /// <returns>The network.</returns>
    public static EncoderDecoderNetwork CreateGru(int features, int hiddenSize, int layers = 1, GruVariant variant = GruVariant.ResetBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        return new EncoderDecoderNetwork(
            RecurrentNetwork.CreateGru(features, hiddenSize, layers, outputSize: null, variant),
            RecurrentNetwork.CreateGru(features, hiddenSize, layers, outputSize: features, variant, HeadPlacement.EveryStep));
    }

    /// <summary>Finds a parameter by its qualified name (for example <c>decoder.layers.0.recurrent_weights</c>).</summary>
    /// <param name="name">The qualified name.</param>
    /// <returns>The slot.</returns>
    /// <exception cref="KeyNotFoundException">No parameter has that name.</exception>
    public ParameterSlot GetSlot(string name) =>
        ParameterSlots.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException(
            $"No parameter named '{name}'; the network has {string.Join(", ", ParameterSlots.Select(s => s.Name))}.");

    /// <summary>Allocates a parameter vector and initializes it from <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed; the same seed gives the same values.</param>
    /// <returns>The new vector.</returns>
    public float[] CreateParameters(int seed)
    {
        var parameters = new float[ParameterCount];
        InitializeParameters(parameters, seed);
        return parameters;
    }

    /// <summary>
    /// Initializes every parameter with its declared initializer, drawing from one RNG seeded with <paramref name="seed"/>
    /// (encoder first), so the encoder and decoder start from different values.
    /// </summary>
    /// <param name="parameters">The vector to fill, of length <see cref="ParameterCount"/>.</param>
    /// <param name="seed">The seed.</param>
    public void InitializeParameters(Span<float> parameters, int seed)
    {
        Guard.Length(parameters.Length, ParameterCount, nameof(parameters), "the network's ParameterCount");
        ParameterSlot.InitializeAll(ParameterSlots, parameters, seed);
    }

    /// <summary>Creates the reusable buffers for passes of this network.</summary>
    /// <returns>A new workspace, for one caller at a time.</returns>
    public EncoderDecoderWorkspace CreateWorkspace() => new(this);

    /// <summary>
    /// Runs a teacher-forced training pass that records what <see cref="Backward"/> needs; the reconstruction, in the
    /// original time order, is in <see cref="EncoderDecoderWorkspace.Outputs"/>.
    /// </summary>
    /// <param name="parameters">The flat parameter vector.</param>
    /// <param name="inputs">steps×batch×InputSize, time-major.</param>
    /// <param name="steps">Sequence length (at least 1).</param>
    /// <param name="batchSize">Number of sequences (at least 1).</param>
    /// <param name="workspace">Buffers from <see cref="CreateWorkspace"/>.</param>
    /// <param name="decoderInput">Must be <see cref="DecoderInput.TeacherForcing"/>: training is always teacher-forced.</param>
    /// <exception cref="ArgumentException">
    /// A shape does not match, a value is NaN or infinite, the workspace is another network's, or
    /// <paramref name="decoderInput"/> is <see cref="DecoderInput.Autoregressive"/>.
    /// </exception>
    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize,
        EncoderDecoderWorkspace workspace, DecoderInput decoderInput = DecoderInput.TeacherForcing)
    {
        CheckDecoderInput(decoderInput);
        if (decoderInput != DecoderInput.TeacherForcing)
        {
            throw new ArgumentException(
                $"Forward records a training pass, which is always teacher-forced; got {decoderInput}. " +
                "Use Infer for autoregressive reconstruction.", nameof(decoderInput));
        }

        Run(parameters, inputs, steps, batchSize, workspace, decoderInput, record: true);
    }

    /// <summary>
    /// Runs an inference pass that records nothing; the reconstruction, in the original time order, is in
    /// <see cref="EncoderDecoderWorkspace.Outputs"/>.
    /// </summary>
    /// <param name="parameters">The flat parameter vector.</param>
    /// <param name="inputs">steps×batch×InputSize, time-major.</param>
    /// <param name="steps">Sequence length (at least 1).</param>
    /// <param name="batchSize">Number of sequences (at least 1).</param>
    /// <param name="workspace">Buffers from <see cref="CreateWorkspace"/>.</param>
    /// <param name="decoderInput">
    /// What the decoder reads after its first step: the true previous values (as in training, one batched pass) or its own
    /// previous predictions (as EncDec-AD at test time, step by step).
    /// </param>
    /// <exception cref="ArgumentException">A shape does not match, a value is NaN or infinite, or the workspace is another network's.</exception>
    public void Infer(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize,
        EncoderDecoderWorkspace workspace, DecoderInput decoderInput = DecoderInput.TeacherForcing)
    {
        CheckDecoderInput(decoderInput);
        Run(parameters, inputs, steps, batchSize, workspace, decoderInput, record: false);
    }

    /// <summary>
    /// Backpropagates through the pass recorded by <see cref="Forward"/>: through the decoder, into the code, through the
    /// encoder. Gradients are added to the given buffers (zero them first for a fresh gradient).
    /// </summary>
    /// <param name="parameters">The same parameters as the forward pass.</param>
    /// <param name="workspace">The workspace of the forward pass.</param>
    /// <param name="outputGradients">Gradient of the loss with respect to <see cref="EncoderDecoderWorkspace.Outputs"/> (original time order).</param>
    /// <param name="parameterGradients">Gradient of the parameters, length <see cref="ParameterCount"/>, added to.</param>
    /// <param name="inputGradients">
    /// Gradient with respect to the inputs (steps×batch×InputSize), added to; empty when not needed. It sums both ways an
    /// input reaches the loss: through the encoder and, for every point but the first, as a teacher-forced decoder input.
    /// </param>
    /// <param name="truncationSteps">
    /// 0 for full backpropagation through time; k &gt; 0 cuts the gradient through the state every k steps within the
    /// encoder and within the decoder, each counted from its own first step (the hand-over of the code is never cut).
    /// </param>
    /// <exception cref="InvalidOperationException">The workspace holds no recorded training pass.</exception>
    /// <exception cref="ArgumentException">A shape does not match, or the workspace is another network's.</exception>
    public void Backward(ReadOnlySpan<float> parameters, EncoderDecoderWorkspace workspace, ReadOnlySpan<float> outputGradients,
        Span<float> parameterGradients, Span<float> inputGradients = default, int truncationSteps = 0)
    {
        CheckOwner(workspace);
        if (!workspace.CanBackward)
        {
            throw new InvalidOperationException("Backward needs the workspace of a Forward pass of this network (Infer records nothing).");
        }

        int steps = workspace.Steps, batch = workspace.BatchSize, rowWidth = batch * InputSize;
        Guard.Length(parameters.Length, ParameterCount, nameof(parameters), "the network's ParameterCount");
        Guard.Length(parameterGradients.Length, ParameterCount, nameof(parameterGradients), "the network's ParameterCount");
        Guard.Length(outputGradients.Length, steps * rowWidth, nameof(outputGradients), "the shape of the workspace's Outputs");
        Guard.LengthOrEmpty(inputGradients.Length, steps * rowWidth, nameof(inputGradients), "steps × batch × InputSize");
        ArgumentOutOfRangeException.ThrowIfNegative(truncationSteps);

        Span<float> decoderOutputGradients = workspace.DecoderOutputGradients;
        ReverseSteps(outputGradients, steps, rowWidth, decoderOutputGradients);
        Span<float> codeGradients = workspace.CodeGradients;
        codeGradients.Clear();
        Span<float> decoderInputGradients = default;
        if (!inputGradients.IsEmpty)
        {
            decoderInputGradients = workspace.DecoderInputGradients;
            decoderInputGradients.Clear();
        }

        Decoder.Backward(parameters[DecoderParameterOffset..], workspace.DecoderWorkspace, decoderOutputGradients,
            parameterGradients[DecoderParameterOffset..], inputGradients: decoderInputGradients,
            initialStateGradients: codeGradients, truncationSteps: truncationSteps);

        // The encoder has no head: nothing reaches the loss from its per-step outputs, only from its final states.
        Encoder.Backward(parameters[..DecoderParameterOffset], workspace.EncoderWorkspace, workspace.EncoderOutputGradients,
            parameterGradients[..DecoderParameterOffset], finalStateGradients: codeGradients, inputGradients: inputGradients,
            truncationSteps: truncationSteps);

        if (!inputGradients.IsEmpty)
        {
            // Decoder step j ≥ 1 read x_{T−j}; its first step read zeros, which no input feeds.
            for (int j = 1; j < steps; j++)
            {
                Span<float> target = inputGradients.Slice((steps - j) * rowWidth, rowWidth);
                ElementwiseKernels.Add(target, decoderInputGradients.Slice(j * rowWidth, rowWidth), target);
            }
        }
    }

    /// <inheritdoc />
    ISequenceWorkspace ISequenceModel.CreateWorkspace() => CreateWorkspace();

    /// <inheritdoc />
    ISequenceWorkspace IReusesWorkspaces.RentWorkspace() => _spareWorkspaces.Rent();

    /// <inheritdoc />
    void IReusesWorkspaces.ReturnWorkspace(ISequenceWorkspace workspace)
    {
        EncoderDecoderWorkspace own = OwnWorkspace(workspace);
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
        Backward(parameters, OwnWorkspace(workspace), outputGradients, parameterGradients, inputGradients, truncationSteps);

    private static EncoderDecoderWorkspace OwnWorkspace(ISequenceWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return workspace as EncoderDecoderWorkspace ?? throw new ArgumentException(
            $"The workspace is a {workspace.GetType().Name}; an EncoderDecoderNetwork needs the EncoderDecoderWorkspace from its own CreateWorkspace().",
            nameof(workspace));
    }

    private static void CheckDecoderInput(DecoderInput decoderInput)
    {
        if (decoderInput is not (DecoderInput.TeacherForcing or DecoderInput.Autoregressive))
        {
            throw new ArgumentOutOfRangeException(nameof(decoderInput), decoderInput, "Expected TeacherForcing or Autoregressive.");
        }
    }

    /// <summary>Copies steps×<paramref name="rowWidth"/> values with the step order reversed.</summary>
    private static void ReverseSteps(ReadOnlySpan<float> source, int steps, int rowWidth, Span<float> destination)
    {
        for (int t = 0; t < steps; t++)
        {
            source.Slice(t * rowWidth, rowWidth).CopyTo(destination.Slice((steps - 1 - t) * rowWidth, rowWidth));
        }
    }

    private void CheckOwner(EncoderDecoderWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (workspace.Model != this)
        {
            throw new ArgumentException("The workspace was created by another network; use this network's CreateWorkspace().", nameof(workspace));
        }
    }

    private void Run(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize,
        EncoderDecoderWorkspace workspace, DecoderInput decoderInput, bool record)
    {
        CheckOwner(workspace);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Guard.Length(parameters.Length, ParameterCount, nameof(parameters), "the network's ParameterCount");
        // Checked here as a whole so that a message's index counts from the start of the caller's vector, not a half's.
        Guard.Finite(parameters, nameof(parameters), "network parameters");
        int rowWidth = batchSize * InputSize;
        if (inputs.Length != steps * rowWidth)
        {
            Guard.Length(inputs.Length, steps * rowWidth, nameof(inputs), $"steps × batch × InputSize = {steps} × {batchSize} × {InputSize}");
        }

        bool autoregressive = decoderInput == DecoderInput.Autoregressive;
        workspace.Prepare(steps, batchSize, record, autoregressive);
        ReadOnlySpan<float> encoderParameters = parameters[..DecoderParameterOffset];
        ReadOnlySpan<float> decoderParameters = parameters[DecoderParameterOffset..];
        NetworkWorkspace encoderWorkspace = workspace.EncoderWorkspace, decoderWorkspace = workspace.DecoderWorkspace;
        if (record)
        {
            Encoder.Forward(encoderParameters, inputs, steps, batchSize, encoderWorkspace);
        }
        else
        {
            Encoder.Infer(encoderParameters, inputs, steps, batchSize, encoderWorkspace);
        }

        Span<float> code = workspace.CodeBuffer;
        encoderWorkspace.CopyFinalStates(code);
        Span<float> outputs = workspace.OutputBuffer;
        if (autoregressive)
        {
            Span<float> input = workspace.StepInput, state = workspace.StepState;
            input.Clear();
            code.CopyTo(state);
            for (int j = 0; j < steps; j++)
            {
                Decoder.Infer(decoderParameters, input, 1, batchSize, decoderWorkspace, state);
                ReadOnlySpan<float> prediction = decoderWorkspace.Outputs;
                prediction.CopyTo(outputs.Slice((steps - 1 - j) * rowWidth, rowWidth));
                prediction.CopyTo(input);
                decoderWorkspace.CopyFinalStates(state);
            }
        }
        else
        {
            Span<float> decoderInputs = workspace.DecoderInputs;
            decoderInputs[..rowWidth].Clear();
            for (int j = 1; j < steps; j++)
            {
                inputs.Slice((steps - j) * rowWidth, rowWidth).CopyTo(decoderInputs.Slice(j * rowWidth, rowWidth));
            }

            if (record)
            {
                Decoder.Forward(decoderParameters, decoderInputs, steps, batchSize, decoderWorkspace, code);
            }
            else
            {
                Decoder.Infer(decoderParameters, decoderInputs, steps, batchSize, decoderWorkspace, code);
            }

            ReverseSteps(decoderWorkspace.Outputs, steps, rowWidth, outputs);
        }

        if (record)
        {
            workspace.MarkRecorded();
        }
    }
}
