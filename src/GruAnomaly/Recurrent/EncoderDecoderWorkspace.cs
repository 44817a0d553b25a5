namespace GruAnomaly.Recurrent;

/// <summary>
/// The buffers of one <see cref="EncoderDecoderNetwork"/> pass: a workspace for each half, the code handed from the
/// encoder to the decoder, the decoder's reversed inputs, the reconstruction in the original order and the gradients
/// flowing back. Sized on first use for a shape and reused afterwards, so repeated passes allocate nothing.
/// </summary>
/// <remarks>Not thread-safe: give each concurrent caller its own workspace (the network itself is shared freely).</remarks>
public sealed class EncoderDecoderWorkspace : ISequenceWorkspace
{
    private float[] _code = [];
    private float[] _outputs = [];
    private float[] _decoderInputs = [];
    private float[] _stepInput = [];
    private float[] _stepState = [];
    private float[] _decoderOutputGradients = [];
    private float[] _decoderInputGradients = [];
    private float[] _codeGradients = [];

    // Never written: the encoder's per-step outputs do not reach the loss, so their gradient stays zero.
    private float[] _encoderOutputGradients = [];

    internal EncoderDecoderWorkspace(EncoderDecoderNetwork model)
    {
        Model = model;
        EncoderWorkspace = model.Encoder.CreateWorkspace();
        DecoderWorkspace = model.Decoder.CreateWorkspace();
    }

    /// <summary>Gets the number of steps of the last pass.</summary>
    public int Steps { get; private set; }

    /// <summary>Gets the batch size of the last pass.</summary>
    public int BatchSize { get; private set; }

    /// <summary>Gets a value indicating whether the last pass recorded what <see cref="EncoderDecoderNetwork.Backward"/> needs.</summary>
    public bool CanBackward { get; private set; }

    /// <summary>
    /// Gets the reconstruction of the last pass, steps×batch×features in the original time order: row t reconstructs
    /// input step t, so it compares with the inputs directly.
    /// </summary>
    public ReadOnlySpan<float> Outputs => _outputs.AsSpan(0, Steps * BatchSize * Model.InputSize);

    /// <summary>
    /// Gets the code of the last pass: the encoder's final states, batch×<see cref="EncoderDecoderNetwork.StateSize"/>
    /// (batch×StateSize per layer, bottom first), from which the decoder starts.
    /// </summary>
    public ReadOnlySpan<float> Code => _code.AsSpan(0, BatchSize * Model.StateSize);

    internal EncoderDecoderNetwork Model { get; }

    internal NetworkWorkspace EncoderWorkspace { get; }

    internal NetworkWorkspace DecoderWorkspace { get; }

    internal Span<float> OutputBuffer => _outputs.AsSpan(0, Steps * BatchSize * Model.InputSize);

    internal Span<float> CodeBuffer => _code.AsSpan(0, BatchSize * Model.StateSize);

    internal Span<float> DecoderInputs => _decoderInputs.AsSpan(0, Steps * BatchSize * Model.InputSize);

    internal Span<float> StepInput => _stepInput.AsSpan(0, BatchSize * Model.InputSize);

    internal Span<float> StepState => _stepState.AsSpan(0, BatchSize * Model.StateSize);

    internal Span<float> DecoderOutputGradients => _decoderOutputGradients.AsSpan(0, Steps * BatchSize * Model.InputSize);

    internal Span<float> DecoderInputGradients => _decoderInputGradients.AsSpan(0, Steps * BatchSize * Model.InputSize);

    internal Span<float> CodeGradients => _codeGradients.AsSpan(0, BatchSize * Model.StateSize);

    internal ReadOnlySpan<float> EncoderOutputGradients =>
        _encoderOutputGradients.AsSpan(0, Steps * BatchSize * Model.Encoder.Layers[^1].HiddenSize);

    internal void Prepare(int steps, int batch, bool record, bool autoregressive)
    {
        Steps = steps;
        BatchSize = batch;
        CanBackward = false;
        int rows = steps * batch, features = Model.InputSize, state = batch * Model.StateSize;
        Grow(ref _code, state);
        Grow(ref _outputs, rows * features);
        if (autoregressive)
        {
            Grow(ref _stepInput, batch * features);
            Grow(ref _stepState, state);
        }
        else
        {
            Grow(ref _decoderInputs, rows * features);
        }

        if (record)
        {
            Grow(ref _decoderOutputGradients, rows * features);
            Grow(ref _decoderInputGradients, rows * features);
            Grow(ref _codeGradients, state);
            Grow(ref _encoderOutputGradients, rows * Model.Encoder.Layers[^1].HiddenSize);
        }
    }

    internal void MarkRecorded() => CanBackward = true;

    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
    }
}
