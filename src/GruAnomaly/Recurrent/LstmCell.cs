using System.Runtime.CompilerServices;
using GruAnomaly.Diagnostics;
using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>
/// The long short-term memory cell as PyTorch's <c>nn.LSTM</c> computes it (Hochreiter &amp; Schmidhuber, 1997, with the
/// forget gate of Gers et al., 2000): with <c>a = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh</c> split into gate blocks
/// <c>i, f, g, o</c>, <c>c' = σ(a_f) ⊙ c + σ(a_i) ⊙ tanh(a_g)</c> and <c>h' = σ(a_o) ⊙ tanh(c')</c>.
/// </summary>
/// <remarks>
/// <para>
/// State: each row is <c>[h | c]</c>, <see cref="StateSize"/> = 2·HiddenSize; the output (what the layer above and the
/// head read) is h, the first <see cref="HiddenSize"/> values. The cell state c reaches the loss only through the
/// recurrence and through h.
/// </para>
/// <para>
/// Parameters, with PyTorch's names and layout, gate blocks in its order i, f, g, o: <c>weight_ih</c> (4·HiddenSize ×
/// InputSize, Glorot uniform), <c>weight_hh</c> (4·HiddenSize × HiddenSize, each gate's square block orthogonal),
/// <c>bias_ih</c> and <c>bias_hh</c> (1 × 4·HiddenSize; zeros, except the forget block of <c>bias_ih</c> set to 1 when
/// asked, as Jozefowicz et al., 2015, advise so that the cell remembers from the start). A PyTorch <c>weight_ih_l{k}</c>,
/// <c>weight_hh_l{k}</c>, <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> copies in as it is.
/// </para>
/// </remarks>
public sealed class LstmCell : IRecurrentCell
{
    private readonly int _gates;
    private readonly int _recurrentOffset;
    private readonly int _inputBiasOffset;
    private readonly int _recurrentBiasOffset;

    /// <summary>Creates a cell.</summary>
    /// <param name="inputSize">Input features per step (positive).</param>
    /// <param name="hiddenSize">Units of h and of c (positive).</param>
    /// <param name="forgetGateBiasOne">Whether <c>bias_ih</c>'s forget block starts at 1 instead of 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the parameters would not fit in one array (<see cref="Array.MaxLength"/>).</exception>
    public LstmCell(int inputSize, int hiddenSize, bool forgetGateBiasOne = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        // Every later size is a product of these two: refuse here the ones an int cannot hold rather than let them wrap.
        Guard.ArraySize(nameof(hiddenSize), "the cell's parameters, 4·hiddenSize × (inputSize + hiddenSize + 2)", 4, hiddenSize, (long)inputSize + hiddenSize + 2);
        Guard.ArraySize(nameof(hiddenSize), "a record of one step, 5·hiddenSize", 5, hiddenSize);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        ForgetGateBiasOne = forgetGateBiasOne;
        _gates = 4 * hiddenSize;
        _recurrentOffset = _gates * inputSize;
        _inputBiasOffset = _recurrentOffset + (_gates * hiddenSize);
        _recurrentBiasOffset = _inputBiasOffset + _gates;
        Parameters =
        [
            new ParameterSpec("weight_ih", _gates, inputSize, ParameterInitializer.GlorotUniform),
            new ParameterSpec("weight_hh", _gates, hiddenSize, GateBlocksOrthogonal.Instance),
            new ParameterSpec("bias_ih", 1, _gates, forgetGateBiasOne ? new ForgetBlockOnes(hiddenSize) : ParameterInitializer.Zeros),
            new ParameterSpec("bias_hh", 1, _gates, ParameterInitializer.Zeros),
        ];
    }

    /// <inheritdoc />
    public int InputSize { get; }

    /// <summary>Gets the width of h, of c, and of the output (h).</summary>
    public int HiddenSize { get; }

    /// <summary>Gets the width of one state row, <c>[h | c]</c>: 2·HiddenSize.</summary>
    public int StateSize => 2 * HiddenSize;

    /// <summary>Gets a value indicating whether <c>bias_ih</c>'s forget block is initialized to 1.</summary>
    public bool ForgetGateBiasOne { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Gets the record per row: i, f, g, o and tanh(c') (5·HiddenSize).</summary>
    public int CacheSize => 5 * HiddenSize;

    /// <summary>Gets the scratch per row of an inference step: the record a training step keeps (5·HiddenSize).</summary>
    public int ScratchSize => 5 * HiddenSize;

    /// <summary>Gets no bound: the state holds c, which is not confined to any interval.</summary>
    /// <value>
    /// <see cref="float.PositiveInfinity"/>. h lies within [−1, 1], but <c>|c'| ≤ |c| + 1</c> lets c grow by up to 1 per step
    /// (a forget gate near 1 with input and candidate near ±1), so no finite interval contains every state a long enough
    /// input leads to; restoring a saved stream refuses only values that are not finite.
    /// </value>
    public float StateBound => float.PositiveInfinity;

    /// <summary>Gets the projection width: the input part of all four pre-activations plus both biases (4·HiddenSize).</summary>
    public int InputProjectionSize => _gates;

    /// <summary>Gets the per-step gradient width: the pre-activation gradients of i, f, g, o (4·HiddenSize).</summary>
    public int StepGradientSize => _gates;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ProjectInputs(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows, Span<float> projections, IMatrixProvider matrix)
    {
        ReadOnlySpan<float> inputBias = parameters.Slice(_inputBiasOffset, _gates), recurrentBias = parameters.Slice(_recurrentBiasOffset, _gates);
        for (int row = 0; row < rows; row++)
        {
            ElementwiseKernels.Add(inputBias, recurrentBias, projections.Slice(row * _gates, _gates));
        }

        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, _gates, InputSize,
            1f, inputs, InputSize, parameters[.._recurrentOffset], InputSize, 1f, projections, _gates);
    }

    /// <inheritdoc />
    // Once per step, called through the interface (so never inlined): optimized from the first call like Step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(in CellForward step) =>
        Step(step.Matrix, step.BatchSize, step.Parameters, step.InputProjection, step.PreviousState, step.State, step.Cache);

    /// <inheritdoc />
    // Once per step, called through the interface (so never inlined): optimized from the first call like Step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Infer(in CellInference step) =>
        Step(step.Matrix, step.BatchSize, step.Parameters, step.InputProjection, step.PreviousState, step.State, step.Scratch);

    /// <inheritdoc />
    // Runs per step and row: optimized from the first call (tier-0 code here is slow, and on one CPU the JIT waits ~1 s to promote it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(in CellBackward step)
    {
        int batch = step.BatchSize, h = HiddenSize, state = StateSize, record = CacheSize;
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> cache = step.Cache.Slice(row * record, record);
            ReadOnlySpan<float> stateGradient = step.StateGradient.Slice(row * state, state);
            LstmMath.Backward(stateGradient[..h], stateGradient[h..], cache[.._gates], cache.Slice(_gates, h),
                step.PreviousState.Slice((row * state) + h, h), step.PreviousStateGradient.Slice((row * state) + h, h),
                step.StepGradient.Slice(row * _gates, _gates));
        }

        // dh_prev += dA·W_hh, written into the h part of every previous-state row.
        step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, h, _gates,
            1f, step.StepGradient, _gates, step.Parameters.Slice(_recurrentOffset, _gates * h), h, 1f, step.PreviousStateGradient, state);
    }

    /// <inheritdoc />
    public void FinishBackward(in CellSequenceBackward sequence)
    {
        int rows = sequence.Rows, h = HiddenSize;
        Span<float> gradients = sequence.ParameterGradients;
        ReadOnlySpan<float> preactivationGradients = sequence.StepGradients;

        // dW_ih += dAᵀ·X and dW_hh += dAᵀ·H_prev (the h part of every previous state), all steps at once.
        sequence.Matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, _gates, InputSize, rows,
            1f, preactivationGradients, _gates, sequence.Inputs, InputSize, 1f, gradients[.._recurrentOffset], InputSize);
        sequence.Matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, _gates, h, rows,
            1f, preactivationGradients, _gates, sequence.PreviousStates, StateSize, 1f, gradients.Slice(_recurrentOffset, _gates * h), h);

        // Both biases enter every pre-activation unscaled: each gets the sum of the pre-activation gradients.
        Span<float> inputBias = gradients.Slice(_inputBiasOffset, _gates), recurrentBias = gradients.Slice(_recurrentBiasOffset, _gates);
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> rowGradient = preactivationGradients.Slice(row * _gates, _gates);
            ElementwiseKernels.Add(inputBias, rowGradient, inputBias);
            ElementwiseKernels.Add(recurrentBias, rowGradient, recurrentBias);
        }

        if (!sequence.InputGradients.IsEmpty)
        {
            sequence.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, rows, InputSize, _gates,
                1f, preactivationGradients, _gates, sequence.Parameters[.._recurrentOffset], InputSize, 1f, sequence.InputGradients, InputSize);
        }
    }

    // Runs per step and row: optimized from the first call (tier-0 code here is slow, and on one CPU the JIT waits ~1 s to promote it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(IMatrixProvider matrix, int batch, ReadOnlySpan<float> parameters, ReadOnlySpan<float> projection,
        ReadOnlySpan<float> previousState, Span<float> state, Span<float> record)
    {
        int h = HiddenSize, width = StateSize, recordWidth = CacheSize;

        // Record row layout [i | f | g | o | tanh(c')]: the pre-activations are built in place, then squashed.
        for (int row = 0; row < batch; row++)
        {
            projection.Slice(row * _gates, _gates).CopyTo(record.Slice(row * recordWidth, _gates));
        }

        // a += h_prev·W_hhᵀ, reading the h part of every previous-state row.
        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, batch, _gates, h,
            1f, previousState, width, parameters.Slice(_recurrentOffset, _gates * h), h, 1f, record, recordWidth);
        for (int row = 0; row < batch; row++)
        {
            Span<float> cache = record.Slice(row * recordWidth, recordWidth);
            Span<float> next = state.Slice(row * width, width);
            LstmMath.Forward(cache[.._gates], previousState.Slice((row * width) + h, h), next[h..], next[..h], cache.Slice(_gates, h));
        }
    }

    /// <summary>Each gate's square <c>HiddenSize×HiddenSize</c> block of rows (PyTorch's layout stacks the gates by rows) orthogonal.</summary>
    private sealed class GateBlocksOrthogonal : ParameterInitializer
    {
        public static GateBlocksOrthogonal Instance { get; } = new();

        public override void Initialize(Span<float> values, int rows, int columns, Random random)
        {
            int block = columns * columns;
            for (int start = 0; start + block <= values.Length; start += block)
            {
                Orthogonal.Initialize(values.Slice(start, block), columns, columns, random);
            }
        }

        public override string ToString() => "Orthogonal per gate";
    }

    /// <summary>Zeros except the forget gate's block (the second of four), which is 1.</summary>
    private sealed class ForgetBlockOnes(int hiddenSize) : ParameterInitializer
    {
        public override void Initialize(Span<float> values, int rows, int columns, Random random)
        {
            values.Clear();
            values.Slice(hiddenSize, hiddenSize).Fill(1f);
        }

        public override string ToString() => "Zeros, forget block 1";
    }
}
