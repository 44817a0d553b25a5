using GruAnomaly.Numerics;

namespace GruAnomaly.Recurrent;

/// <summary>The spans of one training forward step over a mini-batch (see <see cref="IRecurrentCell.Forward"/>).</summary>
public readonly ref struct CellForward
{
    /// <summary>Gets the number of batch rows.</summary>
    public int BatchSize { get; init; }

    /// <summary>Gets the cell's parameters.</summary>
    public ReadOnlySpan<float> Parameters { get; init; }

    /// <summary>Gets the inputs of this step, batch×InputSize.</summary>
    public ReadOnlySpan<float> Input { get; init; }

    /// <summary>Gets this step's rows of <see cref="IRecurrentCell.ProjectInputs"/>, batch×InputProjectionSize.</summary>
    public ReadOnlySpan<float> InputProjection { get; init; }

    /// <summary>Gets the previous state, batch×StateSize.</summary>
    public ReadOnlySpan<float> PreviousState { get; init; }

    /// <summary>Gets the new state to write, batch×StateSize.</summary>
    public Span<float> State { get; init; }

    /// <summary>Gets this step's record for backward, batch×CacheSize, to write.</summary>
    public Span<float> Cache { get; init; }

    /// <summary>Gets the source of this step's matrix products.</summary>
    /// <value>The network's <see cref="RecurrentNetwork.MatrixProvider"/>; <see cref="ManagedMatrixProvider.Instance"/> when not set.</value>
    public IMatrixProvider Matrix { get => field ?? ManagedMatrixProvider.Instance; init; }
}

/// <summary>The spans of one inference step (see <see cref="IRecurrentCell.Infer"/>).</summary>
public readonly ref struct CellInference
{
    /// <summary>Gets the number of batch rows.</summary>
    public int BatchSize { get; init; }

    /// <summary>Gets the cell's parameters.</summary>
    public ReadOnlySpan<float> Parameters { get; init; }

    /// <summary>Gets the inputs of this step, batch×InputSize.</summary>
    public ReadOnlySpan<float> Input { get; init; }

    /// <summary>Gets this step's rows of <see cref="IRecurrentCell.ProjectInputs"/>, batch×InputProjectionSize.</summary>
    public ReadOnlySpan<float> InputProjection { get; init; }

    /// <summary>Gets the previous state, batch×StateSize; never the same memory as <see cref="State"/>.</summary>
    public ReadOnlySpan<float> PreviousState { get; init; }

    /// <summary>Gets the new state to write, batch×StateSize.</summary>
    public Span<float> State { get; init; }

    /// <summary>Gets scratch space, batch×ScratchSize, with undefined contents.</summary>
    public Span<float> Scratch { get; init; }

    /// <summary>Gets the source of this step's matrix products.</summary>
    /// <value>The network's <see cref="RecurrentNetwork.MatrixProvider"/>; <see cref="ManagedMatrixProvider.Instance"/> when not set.</value>
    public IMatrixProvider Matrix { get => field ?? ManagedMatrixProvider.Instance; init; }
}

/// <summary>The spans of one backward step (see <see cref="IRecurrentCell.Backward"/>).</summary>
public readonly ref struct CellBackward
{
    /// <summary>Gets the number of batch rows.</summary>
    public int BatchSize { get; init; }

    /// <summary>Gets the cell's parameters.</summary>
    public ReadOnlySpan<float> Parameters { get; init; }

    /// <summary>Gets the inputs of this step, batch×InputSize.</summary>
    public ReadOnlySpan<float> Input { get; init; }

    /// <summary>Gets this step's input projection, batch×InputProjectionSize.</summary>
    public ReadOnlySpan<float> InputProjection { get; init; }

    /// <summary>Gets the previous state, batch×StateSize.</summary>
    public ReadOnlySpan<float> PreviousState { get; init; }

    /// <summary>Gets the state this step produced, batch×StateSize.</summary>
    public ReadOnlySpan<float> State { get; init; }

    /// <summary>Gets what <see cref="IRecurrentCell.Forward"/> recorded, batch×CacheSize.</summary>
    public ReadOnlySpan<float> Cache { get; init; }

    /// <summary>Gets the total gradient of the loss with respect to <see cref="State"/>, batch×StateSize.</summary>
    public ReadOnlySpan<float> StateGradient { get; init; }

    /// <summary>Gets the gradient with respect to the previous state, batch×StateSize, to add to.</summary>
    public Span<float> PreviousStateGradient { get; init; }

    /// <summary>
    /// Gets the gradient with respect to the input, batch×InputSize, to add to; empty when nobody needs it. A cell may
    /// instead add it for all steps in <see cref="IRecurrentCell.FinishBackward"/>.
    /// </summary>
    public Span<float> InputGradient { get; init; }

    /// <summary>Gets this step's record for <see cref="IRecurrentCell.FinishBackward"/>, batch×StepGradientSize, to write.</summary>
    public Span<float> StepGradient { get; init; }

    /// <summary>Gets the gradients of the cell's parameters (same layout as <see cref="Parameters"/>), to add to.</summary>
    public Span<float> ParameterGradients { get; init; }

    /// <summary>Gets scratch space, batch×ScratchSize, with undefined contents.</summary>
    public Span<float> Scratch { get; init; }

    /// <summary>Gets the source of this step's matrix products.</summary>
    /// <value>The network's <see cref="RecurrentNetwork.MatrixProvider"/>; <see cref="ManagedMatrixProvider.Instance"/> when not set.</value>
    public IMatrixProvider Matrix { get => field ?? ManagedMatrixProvider.Instance; init; }

    /// <summary>Gets what <see cref="IBackwardPreparation.PrepareBackward"/> wrote for this pass; empty when the caller made nothing.</summary>
    internal ReadOnlySpan<float> Prepared { get; init; }
}

/// <summary>The spans of a whole sequence after its backward steps (see <see cref="IRecurrentCell.FinishBackward"/>).</summary>
/// <remarks>Every matrix has <see cref="Rows"/> = steps·batch rows in time-major order (the rows of step t follow those of step t−1).</remarks>
public readonly ref struct CellSequenceBackward
{
    /// <summary>Gets the number of rows, steps·batch.</summary>
    public int Rows { get; init; }

    /// <summary>Gets the cell's parameters.</summary>
    public ReadOnlySpan<float> Parameters { get; init; }

    /// <summary>Gets every step's inputs, rows×InputSize.</summary>
    public ReadOnlySpan<float> Inputs { get; init; }

    /// <summary>Gets every step's previous state, rows×StateSize.</summary>
    public ReadOnlySpan<float> PreviousStates { get; init; }

    /// <summary>Gets every step's record, rows×CacheSize.</summary>
    public ReadOnlySpan<float> Caches { get; init; }

    /// <summary>Gets every step's <see cref="CellBackward.StepGradient"/>, rows×StepGradientSize.</summary>
    public ReadOnlySpan<float> StepGradients { get; init; }

    /// <summary>Gets the gradients of the cell's parameters, to add to.</summary>
    public Span<float> ParameterGradients { get; init; }

    /// <summary>Gets the gradients with respect to every step's input, rows×InputSize, to add to; empty when not needed.</summary>
    public Span<float> InputGradients { get; init; }

    /// <summary>Gets the source of this step's matrix products.</summary>
    /// <value>The network's <see cref="RecurrentNetwork.MatrixProvider"/>; <see cref="ManagedMatrixProvider.Instance"/> when not set.</value>
    public IMatrixProvider Matrix { get => field ?? ManagedMatrixProvider.Instance; init; }
}
