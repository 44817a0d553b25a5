using System.Runtime.CompilerServices;
using GruAnomaly.Diagnostics;
using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>
/// The GRU as PyTorch's <c>nn.GRU</c> and cuDNN compute it, reset gate applied after the recurrent product:
/// <c>r = σ(x·W_xr + b_xr + h·W_hr + b_hr)</c>, <c>z = σ(x·W_xz + b_xz + h·W_hz + b_hz)</c>,
/// <c>n = tanh(x·W_xn + b_xn + r ⊙ (h·W_hn + b_hn))</c>, <c>h' = (1 − z) ⊙ n + z ⊙ h</c>.
/// </summary>
/// <remarks>
/// Parameters: <c>input_weights</c> (InputSize × 3·HiddenSize, Glorot uniform), <c>recurrent_weights</c>
/// (HiddenSize × 3·HiddenSize, orthogonal per gate), <c>input_bias</c> and <c>recurrent_bias</c> (1 × 3·HiddenSize,
/// zeros). Gate blocks are in PyTorch's order r, z, n; the weight matrices are the transposes of PyTorch's
/// <c>weight_ih_l{k}</c> and <c>weight_hh_l{k}</c>, and the biases are <c>bias_ih_l{k}</c> and <c>bias_hh_l{k}</c> as they are.
/// </remarks>
public sealed class GruResetAfterCell : IRecurrentCell, IBackwardPreparation
{
    private readonly int _gates;
    private readonly int _recurrentOffset;
    private readonly int _inputBiasOffset;
    private readonly int _recurrentBiasOffset;

    /// <summary>Creates a cell.</summary>
    /// <param name="inputSize">Input features per step (positive).</param>
    /// <param name="hiddenSize">State units (positive).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the parameters would not fit in one array (<see cref="Array.MaxLength"/>).</exception>
    public GruResetAfterCell(int inputSize, int hiddenSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        // Every later size is a product of these two: refuse here the ones an int cannot hold rather than let them wrap.
        Guard.ArraySize(nameof(hiddenSize), "the cell's parameters, 3·hiddenSize × (inputSize + hiddenSize + 2)", 3, hiddenSize, (long)inputSize + hiddenSize + 2);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        _gates = 3 * hiddenSize;
        _recurrentOffset = inputSize * _gates;
        _inputBiasOffset = _recurrentOffset + hiddenSize * _gates;
        _recurrentBiasOffset = _inputBiasOffset + _gates;
        Parameters =
        [
            new ParameterSpec("input_weights", inputSize, _gates, ParameterInitializer.GlorotUniform),
            new ParameterSpec("recurrent_weights", hiddenSize, _gates, ParameterInitializer.Orthogonal),
            new ParameterSpec("input_bias", 1, _gates, ParameterInitializer.Zeros),
            new ParameterSpec("recurrent_bias", 1, _gates, ParameterInitializer.Zeros),
        ];
    }

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int HiddenSize { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Gets the record per row: r, z, n and the candidate's recurrent term h·W_hn + b_hn (4·HiddenSize).</summary>
    public int CacheSize => 4 * HiddenSize;

    /// <inheritdoc />
    public int ScratchSize => 4 * HiddenSize;

    /// <inheritdoc />
    /// <remarks>h = (1 − z)·n + z·h_prev with z in [0, 1] and n = tanh(…) in [−1, 1]: a state within [−1, 1] stays within it.</remarks>
    public float StateBound => 1f;

    /// <summary>Gets the projection width: x·W_x + b_x for the three gates (3·HiddenSize).</summary>
    public int InputProjectionSize => _gates;

    /// <summary>
    /// Gets the per-step gradient width: pre-activation gradients laid out [r | z | recurrent n | input n] so that the
    /// first three blocks are the gradient of <c>h·W_h + b_h</c> (4·HiddenSize).
    /// </summary>
    public int StepGradientSize => 4 * HiddenSize;

    /// <inheritdoc />
    public void ProjectInputs(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows, Span<float> projections, IMatrixProvider matrix) =>
        GateMath.ProjectWithBias(matrix, inputs, rows, InputSize, parameters[.._recurrentOffset],
            parameters.Slice(_inputBiasOffset, _gates), projections, _gates);

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
        int batch = step.BatchSize, h = HiddenSize, width = CacheSize;
        if (!step.Prepared.IsEmpty && GateMath.UsesFusedSteps(h, step.Matrix))
        {
            // Small layers: gate gradients and the product with W_hᵀ (transposed once per pass) in one pass per row tile.
            GruBackwardKernels.ResetAfter(batch, h, step.StateGradient[..(batch * h)], step.PreviousState[..(batch * h)],
                step.Cache[..(batch * width)], step.Prepared, step.PreviousStateGradient[..(batch * h)], step.StepGradient[..(batch * width)]);
            return;
        }

        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> cache = step.Cache.Slice(row * width, width);
            ReadOnlySpan<float> r = cache[..h], z = cache.Slice(h, h), n = cache.Slice(2 * h, h), recurrentN = cache.Slice(3 * h, h);
            Span<float> gradient = step.StepGradient.Slice(row * width, width);
            GateMath.BackwardBlend(step.StateGradient.Slice(row * h, h), z, n, step.PreviousState.Slice(row * h, h),
                step.PreviousStateGradient.Slice(row * h, h), gradient.Slice(h, h), gradient.Slice(3 * h, h));
            ReadOnlySpan<float> candidateGradient = gradient.Slice(3 * h, h);
            ElementwiseKernels.Multiply(candidateGradient, r, gradient.Slice(2 * h, h));
            ElementwiseKernels.Multiply(candidateGradient, recurrentN, gradient[..h]);
            GateMath.SigmoidDerivativeInPlace(gradient[..h], r);
        }

        if (step.Prepared.IsEmpty)
        {
            step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, batch, h, _gates,
                1f, step.StepGradient, width, step.Parameters.Slice(_recurrentOffset, h * _gates), _gates,
                1f, step.PreviousStateGradient, h);
            return;
        }

        step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, h, _gates,
            1f, step.StepGradient, width, step.Prepared, h, 1f, step.PreviousStateGradient, h);
    }

    /// <inheritdoc />
    int IBackwardPreparation.BackwardPreparationSize(IMatrixProvider matrix) => GateMath.BackwardPreparationSize(HiddenSize, matrix);

    /// <inheritdoc />
    void IBackwardPreparation.PrepareBackward(ReadOnlySpan<float> parameters, Span<float> prepared) =>
        GruBackwardKernels.TransposeRecurrentWeights(HiddenSize, parameters.Slice(_recurrentOffset, HiddenSize * _gates), prepared);

    /// <inheritdoc />
    public void FinishBackward(in CellSequenceBackward sequence)
    {
        int rows = sequence.Rows, h = HiddenSize, width = StepGradientSize;
        ReadOnlySpan<float> stepGradients = sequence.StepGradients;
        Span<float> gradients = sequence.ParameterGradients;
        Span<float> inputWeightGradients = gradients[.._recurrentOffset];
        Span<float> inputBiasGradients = gradients.Slice(_inputBiasOffset, _gates);

        // Input side: blocks r, z from columns [0, 2h) and n from the last block [3h, 4h).
        GateMath.AccumulateProjectionGradients(sequence.Matrix, sequence.Inputs, rows, InputSize, stepGradients, 2 * h, width,
            inputWeightGradients, _gates, inputBiasGradients);
        GateMath.AccumulateProjectionGradients(sequence.Matrix, sequence.Inputs, rows, InputSize, stepGradients[(3 * h)..], h, width,
            inputWeightGradients[(2 * h)..], _gates, inputBiasGradients[(2 * h)..]);
        GateMath.AccumulateProjectionGradients(sequence.Matrix, sequence.PreviousStates, rows, h, stepGradients, _gates, width,
            gradients.Slice(_recurrentOffset, h * _gates), _gates, gradients.Slice(_recurrentBiasOffset, _gates));

        if (!sequence.InputGradients.IsEmpty)
        {
            ReadOnlySpan<float> inputWeights = sequence.Parameters[.._recurrentOffset];
            sequence.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, InputSize, 2 * h,
                1f, stepGradients, width, inputWeights, _gates, 1f, sequence.InputGradients, InputSize);
            sequence.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, InputSize, h,
                1f, stepGradients[(3 * h)..], width, inputWeights[(2 * h)..], _gates, 1f, sequence.InputGradients, InputSize);
        }
    }

    // Runs per step and row: optimized from the first call (tier-0 code here is slow, and on one CPU the JIT waits ~1 s to promote it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(IMatrixProvider matrix, int batch, ReadOnlySpan<float> parameters, ReadOnlySpan<float> projection,
        ReadOnlySpan<float> previousState, Span<float> state, Span<float> record, bool recording)
    {
        int h = HiddenSize, width = CacheSize;
        ReadOnlySpan<float> recurrentBias = parameters.Slice(_recurrentBiasOffset, _gates);
        if (GateMath.UsesFusedSteps(h, matrix))
        {
            // Small layers: one pass with the gates finished in registers (the library's own kernels, so only for its own provider).
            GruStepKernels.ResetAfter(batch, h, previousState[..(batch * h)], parameters.Slice(_recurrentOffset, h * _gates), recurrentBias,
                projection[..(batch * _gates)], state[..(batch * h)], recording ? record[..(batch * width)] : default);
            return;
        }

        // Record row layout [r | z | n | h·W_hn + b_hn]: first h·W_h + b_h for all gates, then the gates in place.
        for (int row = 0; row < batch; row++)
        {
            recurrentBias.CopyTo(record.Slice(row * width, _gates));
        }

        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, _gates, h,
            1f, previousState, h, parameters.Slice(_recurrentOffset, h * _gates), _gates, 1f, record, width);
        for (int row = 0; row < batch; row++)
        {
            Span<float> cache = record.Slice(row * width, width);
            ReadOnlySpan<float> input = projection.Slice(row * _gates, _gates);
            Span<float> gates = cache[..(2 * h)], n = cache.Slice(2 * h, h), recurrentN = cache.Slice(3 * h, h);
            n.CopyTo(recurrentN);
            ElementwiseKernels.Add(gates, input[..(2 * h)], gates);
            ElementwiseKernels.Sigmoid(gates, gates);
            ElementwiseKernels.MultiplyAdd(cache[..h], recurrentN, input[(2 * h)..], n);
            ElementwiseKernels.Tanh(n, n);
            GateMath.Blend(cache.Slice(h, h), n, previousState.Slice(row * h, h), state.Slice(row * h, h));
        }
    }
}
