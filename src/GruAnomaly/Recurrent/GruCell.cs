using System.Runtime.CompilerServices;
using GruAnomaly.Diagnostics;
using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>
/// The classic GRU of Cho et al. (2014), reset gate applied before the recurrent product:
/// <c>r = σ(x·W_xr + h·W_hr + b_r)</c>, <c>z = σ(x·W_xz + h·W_hz + b_z)</c>,
/// <c>n = tanh(x·W_xn + (r ⊙ h)·W_hn + b_n)</c>, <c>h' = (1 − z) ⊙ n + z ⊙ h</c>.
/// </summary>
/// <remarks>
/// Parameters: <c>input_weights</c> (InputSize × 3·HiddenSize, Glorot uniform), <c>recurrent_weights</c>
/// (HiddenSize × 3·HiddenSize, orthogonal per gate), <c>bias</c> (1 × 3·HiddenSize, zeros). Columns are gate blocks in
/// PyTorch's order r, z, n; the matrices are the transposes of PyTorch's <c>weight_ih</c> / <c>weight_hh</c>, so that
/// the products run row-major without transposition.
/// </remarks>
public sealed class GruCell : IRecurrentCell, IBackwardPreparation
{
    private readonly int _gates;
    private readonly int _recurrentOffset;
    private readonly int _biasOffset;

    /// <summary>Creates a cell.</summary>
    /// <param name="inputSize">Input features per step (positive).</param>
    /// <param name="hiddenSize">State units (positive).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the parameters would not fit in one array (<see cref="Array.MaxLength"/>).</exception>
    public GruCell(int inputSize, int hiddenSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        // Every later size is a product of these two: refuse here the ones an int cannot hold rather than let them wrap.
        Guard.ArraySize(nameof(hiddenSize), "the cell's parameters, 3·hiddenSize × (inputSize + hiddenSize + 2)", 3, hiddenSize, (long)inputSize + hiddenSize + 2);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        _gates = 3 * hiddenSize;
        _recurrentOffset = inputSize * _gates;
        _biasOffset = _recurrentOffset + hiddenSize * _gates;
        Parameters =
        [
            new ParameterSpec("input_weights", inputSize, _gates, ParameterInitializer.GlorotUniform),
            new ParameterSpec("recurrent_weights", hiddenSize, _gates, ParameterInitializer.Orthogonal),
            new ParameterSpec("bias", 1, _gates, ParameterInitializer.Zeros),
        ];
    }

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int HiddenSize { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Gets the record per row: r, z, n and r ⊙ h (4·HiddenSize).</summary>
    public int CacheSize => 4 * HiddenSize;

    /// <inheritdoc />
    public int ScratchSize => 4 * HiddenSize;

    /// <inheritdoc />
    /// <remarks>h = (1 − z)·n + z·h_prev with z in [0, 1] and n = tanh(…) in [−1, 1]: a state within [−1, 1] stays within it.</remarks>
    public float StateBound => 1f;

    /// <summary>Gets the projection width: the input part of all three pre-activations plus bias (3·HiddenSize).</summary>
    public int InputProjectionSize => _gates;

    /// <summary>Gets the per-step gradient width: the pre-activation gradients of r, z, n (3·HiddenSize).</summary>
    public int StepGradientSize => _gates;

    /// <inheritdoc />
    public void ProjectInputs(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows, Span<float> projections, IMatrixProvider matrix) =>
        GateMath.ProjectWithBias(
            matrix, inputs, rows, InputSize, parameters[.._recurrentOffset], parameters.Slice(_biasOffset, _gates), projections, _gates);

    /// <inheritdoc />
    // Once per step, called through the interface (so never inlined): optimized from the first call like Step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(in CellForward step) =>
        Step(step.Matrix, step.BatchSize, step.Parameters, step.InputProjection, step.PreviousState, step.State, step.Cache, recording: true);

    /// <inheritdoc />
    // Once per step, called through the interface (so never inlined): optimized from the first call like Step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Infer(in CellInference step) =>
        Step(step.Matrix, step.BatchSize, step.Parameters, step.InputProjection, step.PreviousState, step.State, step.Scratch, recording: false);

    /// <inheritdoc />
    // Runs per step and row: optimized from the first call (tier-0 code here is slow, and on one CPU the JIT waits ~1 s to promote it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(in CellBackward step)
    {
        int batch = step.BatchSize, h = HiddenSize, record = CacheSize;
        if (!step.Prepared.IsEmpty && GateMath.UsesFusedSteps(h, step.Matrix))
        {
            // Small layers: gate gradients and the products with W_hᵀ (transposed once per pass) in one pass per row tile.
            GruBackwardKernels.ResetBefore(batch, h, step.StateGradient[..(batch * h)], step.PreviousState[..(batch * h)],
                step.Cache[..(batch * record)], step.Prepared, step.PreviousStateGradient[..(batch * h)],
                step.StepGradient[..(batch * _gates)], step.Scratch[..(batch * h)]);
            return;
        }

        ReadOnlySpan<float> recurrent = step.Parameters.Slice(_recurrentOffset, h * _gates);
        Span<float> resetStateGradient = step.Scratch[..(batch * h)];

        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> cache = step.Cache.Slice(row * record, record);
            ReadOnlySpan<float> z = cache.Slice(h, h), n = cache.Slice(2 * h, h);
            ReadOnlySpan<float> previous = step.PreviousState.Slice(row * h, h);
            ReadOnlySpan<float> stateGradient = step.StateGradient.Slice(row * h, h);
            Span<float> preactivation = step.StepGradient.Slice(row * _gates, _gates);
            GateMath.BackwardBlend(stateGradient, z, n, previous,
                step.PreviousStateGradient.Slice(row * h, h), preactivation.Slice(h, h), preactivation.Slice(2 * h, h));
        }

        // (r ⊙ h) fed the candidate's recurrent product: its gradient flows to r and to h. W_hᵀ's rows 2h..3h are W_hnᵀ.
        ReadOnlySpan<float> transposed = step.Prepared;
        if (transposed.IsEmpty)
        {
            step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, batch, h, h,
                1f, step.StepGradient[(2 * h)..], _gates, recurrent[(2 * h)..], _gates, 0f, resetStateGradient, h);
        }
        else
        {
            step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, h, h,
                1f, step.StepGradient[(2 * h)..], _gates, transposed[(2 * h * h)..], h, 0f, resetStateGradient, h);
        }

        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> cache = step.Cache.Slice(row * record, record);
            ReadOnlySpan<float> r = cache[..h];
            ReadOnlySpan<float> previous = step.PreviousState.Slice(row * h, h);
            ReadOnlySpan<float> resetGradient = resetStateGradient.Slice(row * h, h);
            Span<float> preactivation = step.StepGradient.Slice(row * _gates, _gates);
            Span<float> previousGradient = step.PreviousStateGradient.Slice(row * h, h);
            ElementwiseKernels.MultiplyAdd(resetGradient, r, previousGradient, previousGradient);
            ElementwiseKernels.Multiply(resetGradient, previous, preactivation[..h]);
            GateMath.SigmoidDerivativeInPlace(preactivation[..h], r);
        }

        if (transposed.IsEmpty)
        {
            step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, batch, h, 2 * h,
                1f, step.StepGradient, _gates, recurrent, _gates, 1f, step.PreviousStateGradient, h);
            return;
        }

        step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, h, 2 * h,
            1f, step.StepGradient, _gates, transposed, h, 1f, step.PreviousStateGradient, h);
    }

    /// <inheritdoc />
    int IBackwardPreparation.BackwardPreparationSize(IMatrixProvider matrix) => GateMath.BackwardPreparationSize(HiddenSize, matrix);

    /// <inheritdoc />
    void IBackwardPreparation.PrepareBackward(ReadOnlySpan<float> parameters, Span<float> prepared) =>
        GruBackwardKernels.TransposeRecurrentWeights(HiddenSize, parameters.Slice(_recurrentOffset, HiddenSize * _gates), prepared);

    /// <inheritdoc />
    public void FinishBackward(in CellSequenceBackward sequence)
    {
        int rows = sequence.Rows, h = HiddenSize;
        Span<float> gradients = sequence.ParameterGradients;
        ReadOnlySpan<float> preactivationGradients = sequence.StepGradients;

        GateMath.AccumulateProjectionGradients(sequence.Matrix, sequence.Inputs, rows, InputSize, preactivationGradients, _gates, _gates,
            gradients[.._recurrentOffset], _gates, gradients.Slice(_biasOffset, _gates));
        Span<float> recurrentGradient = gradients.Slice(_recurrentOffset, h * _gates);
        sequence.Matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, h, 2 * h, rows,
            1f, sequence.PreviousStates, h, preactivationGradients, _gates, 1f, recurrentGradient, _gates);
        sequence.Matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, h, h, rows,
            1f, sequence.Caches[(3 * h)..], CacheSize, preactivationGradients[(2 * h)..], _gates, 1f, recurrentGradient[(2 * h)..], _gates);
        if (!sequence.InputGradients.IsEmpty)
        {
            sequence.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, InputSize, _gates,
                1f, preactivationGradients, _gates, sequence.Parameters[.._recurrentOffset], _gates, 1f, sequence.InputGradients, InputSize);
        }
    }

    // Runs per step and row: optimized from the first call (tier-0 code here is slow, and on one CPU the JIT waits ~1 s to promote it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(IMatrixProvider matrix, int batch, ReadOnlySpan<float> parameters, ReadOnlySpan<float> projection,
        ReadOnlySpan<float> previousState, Span<float> state, Span<float> record, bool recording)
    {
        int h = HiddenSize, width = CacheSize;
        ReadOnlySpan<float> recurrent = parameters.Slice(_recurrentOffset, h * _gates);
        if (GateMath.UsesFusedSteps(h, matrix))
        {
            // Small layers: the gates finished in registers (the library's own kernels, so only for its own provider).
            GruStepKernels.ResetBefore(batch, h, previousState[..(batch * h)], recurrent, projection[..(batch * _gates)],
                state[..(batch * h)], record[..(batch * width)], recording);
            return;
        }

        // Record row layout [r | z | n | r⊙h]: the pre-activations are built in place, then squashed.
        for (int row = 0; row < batch; row++)
        {
            projection.Slice(row * _gates, _gates).CopyTo(record.Slice(row * width, _gates));
        }

        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, 2 * h, h,
            1f, previousState, h, recurrent, _gates, 1f, record, width);
        for (int row = 0; row < batch; row++)
        {
            Span<float> cache = record.Slice(row * width, width);
            ElementwiseKernels.Sigmoid(cache[..(2 * h)], cache[..(2 * h)]);
            ElementwiseKernels.Multiply(cache[..h], previousState.Slice(row * h, h), cache.Slice(3 * h, h));
        }

        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, h, h,
            1f, record[(3 * h)..], width, recurrent[(2 * h)..], _gates, 1f, record[(2 * h)..], width);
        for (int row = 0; row < batch; row++)
        {
            Span<float> cache = record.Slice(row * width, width);
            Span<float> n = cache.Slice(2 * h, h);
            ElementwiseKernels.Tanh(n, n);
            GateMath.Blend(cache.Slice(h, h), n, previousState.Slice(row * h, h), state.Slice(row * h, h));
        }
    }
}
