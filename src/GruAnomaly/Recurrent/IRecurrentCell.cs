using GruAnomaly.Numerics;

namespace GruAnomaly.Recurrent;

/// <summary>
/// The contract of a recurrent cell (a gate variant): <c>s_t = f(x_t, s_{t−1}; θ)</c> over a mini-batch, whose output
/// <c>h_t</c> is the first <see cref="HiddenSize"/> values of its state <c>s_t</c>.
/// Implement it to write your own cell; <see cref="RecurrentNetwork"/> runs any implementation with the same
/// layer code (time loop, stacking, truncated backpropagation), and <see cref="Evaluation.GradientCheck"/> verifies it.
/// </summary>
/// <remarks>
/// <para>
/// Layout: every matrix is row-major with one row per batch element. A cell owns no parameter values: it reads them
/// from the span it is given, laid out in the order of <see cref="Parameters"/>, so one cell instance is immutable,
/// thread-safe and shared by every caller.
/// </para>
/// <para>
/// Order of calls for one sequence of <c>T</c> steps and batch <c>B</c> (rows <c>R = T·B</c>, time-major):
/// <see cref="ProjectInputs"/> once over all <c>R</c> rows; <see cref="Forward"/> (training) or <see cref="Infer"/>
/// (inference) for <c>t = 0…T−1</c>; in training, <see cref="Backward"/> for <c>t = T−1…0</c>, then
/// <see cref="FinishBackward"/> once over all <c>R</c> rows. The optional sequence-wide members let a cell move work
/// that does not depend on the state out of the time loop (input projections as one matrix product; weight gradients
/// of all steps as one matrix product); a simple cell can ignore them and do everything per step.
/// </para>
/// <para>
/// State and output: a state row holds <see cref="StateSize"/> values, and the cell's output (what the layer above and
/// the head read) is the first <see cref="HiddenSize"/> of them. For a GRU the two are the same (the default,
/// <c>StateSize = HiddenSize</c>); an LSTM (<see cref="LstmCell"/>) carries <c>[h | c]</c> and outputs only h. Every
/// state span of <see cref="CellForward"/>, <see cref="CellInference"/>, <see cref="CellBackward"/> and
/// <see cref="CellSequenceBackward"/> is batch×StateSize; the gradient given for a state row sums what reached its
/// output part from above and what the next step sends back through the whole state, so the part past the output is
/// reached only through the recurrence.
/// </para>
/// <para>All gradient outputs are accumulated (added to); the caller zeroes them.</para>
/// </remarks>
public interface IRecurrentCell
{
    /// <summary>Gets the number of input features per step.</summary>
    int InputSize { get; }

    /// <summary>Gets the width of the output: the first <see cref="HiddenSize"/> values of every state row.</summary>
    int HiddenSize { get; }

    /// <summary>Gets the number of values of one state row (one batch element); at least <see cref="HiddenSize"/>.</summary>
    /// <value>
    /// The default value is <see cref="HiddenSize"/>: the whole state is the output, as in a GRU, which keeps cells written
    /// before this member compiling and running unchanged. <see cref="LstmCell"/> returns 2·HiddenSize (h, then c).
    /// </value>
    int StateSize => HiddenSize;

    /// <summary>Gets the parameters, in the order in which they are laid out in the cell's parameter span.</summary>
    IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Gets how many values per batch row <see cref="Forward"/> records for <see cref="Backward"/>.</summary>
    int CacheSize { get; }

    /// <summary>Gets how many values per batch row of scratch space <see cref="Infer"/> and <see cref="Backward"/> may use.</summary>
    int ScratchSize { get; }

    /// <summary>
    /// Gets the largest magnitude a value of this cell's state (all <see cref="StateSize"/> values) can take: from states within
    /// [−<see cref="StateBound"/>, <see cref="StateBound"/>] the cell only produces states within it. Restoring a saved
    /// stream (<see cref="StreamState.RestoreFrom"/>, <see cref="StreamBatchState.RestoreStream"/>) refuses a state outside
    /// it, since no sequence of inputs could have led there and the outputs from it are meaningless (or not finite).
    /// </summary>
    /// <value>
    /// The default value is <see cref="float.PositiveInfinity"/>: any finite state is accepted, which keeps cells written
    /// before this member compiling. The built-in GRU cells return 1 (a convex mix of a tanh and the previous state).
    /// </value>
    float StateBound => float.PositiveInfinity;

    /// <summary>Gets how many values per row <see cref="ProjectInputs"/> writes (0 when the cell does not use it).</summary>
    int InputProjectionSize => 0;

    /// <summary>Gets how many values per batch row <see cref="Backward"/> writes for <see cref="FinishBackward"/> (0 when unused).</summary>
    int StepGradientSize => 0;

    /// <summary>
    /// Precomputes the part of every step that depends only on the inputs, for <paramref name="rows"/> rows at once.
    /// </summary>
    /// <param name="parameters">The cell's parameters.</param>
    /// <param name="inputs">rows×<see cref="InputSize"/>.</param>
    /// <param name="rows">Number of rows (steps·batch).</param>
    /// <param name="projections">rows×<see cref="InputProjectionSize"/>, overwritten.</param>
    /// <param name="matrix">The source of the matrix products (the network's <see cref="RecurrentNetwork.MatrixProvider"/>).</param>
    void ProjectInputs(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows, Span<float> projections, IMatrixProvider matrix)
    {
    }

    /// <summary>One training step: computes the new state and records what <see cref="Backward"/> needs.</summary>
    /// <param name="step">The spans of this step.</param>
    void Forward(in CellForward step);

    /// <summary>One inference step: computes the new state and records nothing (called once per point when streaming).</summary>
    /// <param name="step">The spans of this step.</param>
    void Infer(in CellInference step);

    /// <summary>
    /// Backpropagates one step: adds to the gradients with respect to the previous state, the input (when requested) and
    /// the parameters, given the gradient with respect to the new state.
    /// </summary>
    /// <param name="step">The spans of this step.</param>
    void Backward(in CellBackward step);

    /// <summary>Completes the backward pass over a whole sequence (for example weight gradients of all steps at once).</summary>
    /// <param name="sequence">The spans of the whole sequence.</param>
    void FinishBackward(in CellSequenceBackward sequence)
    {
    }
}
