namespace GruAnomaly.Recurrent;

/// <summary>
/// A differentiable model of a batch of sequences, as the <see cref="Training.Trainer"/> and
/// <see cref="Evaluation.GradientCheck"/> see it: a flat caller-owned parameter vector, a training pass that records
/// what backpropagation needs, an inference pass that records nothing, and backpropagation that yields the gradients of
/// the parameters and, on request, of the inputs.
/// </summary>
/// <remarks>
/// <para>
/// Inputs are time-major steps×batch×<see cref="InputSize"/>. Outputs are steps×batch×<see cref="OutputSize"/> when
/// <see cref="OutputsEveryStep"/> is true, else batch×<see cref="OutputSize"/> (one prediction per sequence).
/// </para>
/// <para>
/// A model holds the architecture only and is immutable and thread-safe; every caller runs its passes in its own
/// workspace from <see cref="CreateWorkspace"/>. Implemented by <see cref="RecurrentNetwork"/> and
/// <see cref="EncoderDecoderNetwork"/>.
/// </para>
/// </remarks>
public interface ISequenceModel
{
    /// <summary>Gets the number of input features per step.</summary>
    int InputSize { get; }

    /// <summary>Gets the number of output values per output row (per step, or per sequence).</summary>
    int OutputSize { get; }

    /// <summary>
    /// Gets a value indicating whether the model outputs a row for every step (steps×batch×<see cref="OutputSize"/>) rather
    /// than one row per sequence (batch×<see cref="OutputSize"/>).
    /// </summary>
    bool OutputsEveryStep { get; }

    /// <summary>Gets the length of the flat parameter vector.</summary>
    int ParameterCount { get; }

    /// <summary>Gets where every named parameter lives in the flat vector.</summary>
    IReadOnlyList<ParameterSlot> ParameterSlots { get; }

    /// <summary>Allocates a parameter vector and initializes it from <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed; the same seed gives the same values.</param>
    /// <returns>The new vector, of length <see cref="ParameterCount"/>.</returns>
    float[] CreateParameters(int seed);

    /// <summary>Creates the reusable buffers for passes of this model.</summary>
    /// <returns>A new workspace, for one caller at a time.</returns>
    ISequenceWorkspace CreateWorkspace();

    /// <summary>Runs a training pass that records what <see cref="Backward"/> needs; the outputs are in <paramref name="workspace"/>.</summary>
    /// <param name="parameters">The flat parameter vector.</param>
    /// <param name="inputs">steps×batch×<see cref="InputSize"/>, time-major.</param>
    /// <param name="steps">Sequence length (at least 1).</param>
    /// <param name="batchSize">Number of sequences (at least 1).</param>
    /// <param name="workspace">A workspace from this model's <see cref="CreateWorkspace"/>.</param>
    /// <exception cref="ArgumentException">A shape does not match, a value is not finite, or the workspace belongs to another model.</exception>
    void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize, ISequenceWorkspace workspace);

    /// <summary>Runs an inference pass that records nothing; the outputs are in <paramref name="workspace"/>.</summary>
    /// <param name="parameters">The flat parameter vector.</param>
    /// <param name="inputs">steps×batch×<see cref="InputSize"/>, time-major.</param>
    /// <param name="steps">Sequence length (at least 1).</param>
    /// <param name="batchSize">Number of sequences (at least 1).</param>
    /// <param name="workspace">A workspace from this model's <see cref="CreateWorkspace"/>.</param>
    /// <exception cref="ArgumentException">A shape does not match, a value is not finite, or the workspace belongs to another model.</exception>
    void Infer(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize, ISequenceWorkspace workspace);

    /// <summary>
    /// Backpropagates through the pass recorded by <see cref="Forward"/>. Gradients are added to the given buffers (zero
    /// them first for a fresh gradient).
    /// </summary>
    /// <param name="parameters">The same parameters as the forward pass.</param>
    /// <param name="workspace">The workspace of the forward pass.</param>
    /// <param name="outputGradients">Gradient of the loss with respect to <see cref="ISequenceWorkspace.Outputs"/> (same shape).</param>
    /// <param name="parameterGradients">Gradient of the parameters, length <see cref="ParameterCount"/>, added to.</param>
    /// <param name="inputGradients">Gradient with respect to the inputs (steps×batch×<see cref="InputSize"/>), added to; empty when not needed.</param>
    /// <param name="truncationSteps">0 for full backpropagation through time; k &gt; 0 to cut the gradient through the state every k steps.</param>
    /// <exception cref="InvalidOperationException">The workspace holds no recorded training pass of this model.</exception>
    /// <exception cref="ArgumentException">A shape does not match, or the workspace is of another kind of model.</exception>
    void Backward(ReadOnlySpan<float> parameters, ISequenceWorkspace workspace, ReadOnlySpan<float> outputGradients,
        Span<float> parameterGradients, Span<float> inputGradients = default, int truncationSteps = 0);
}

/// <summary>The reusable buffers of passes of one <see cref="ISequenceModel"/>; not thread-safe.</summary>
public interface ISequenceWorkspace
{
    /// <summary>Gets the outputs of the last pass, in the layout that <see cref="ISequenceModel.OutputsEveryStep"/> describes.</summary>
    ReadOnlySpan<float> Outputs { get; }
}
