using System.Runtime.CompilerServices;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>
/// One GRU layer's weights packed for a batch-1 step, for either formulation. The update and reset gates read
/// <c>[x | h]</c> through one stacked matrix; the candidate's input and recurrent parts stay separate because the
/// reset gate sits between them.
/// </summary>
internal sealed class PackedGruLayer
{
    private readonly bool _resetAfter;
    private readonly int _hidden;
    private readonly PackedMatrix _gates;
    private readonly PackedMatrix _inputCandidate;
    private readonly PackedMatrix _recurrentCandidate;

    private PackedGruLayer(bool resetAfter, int inputSize, int hidden, ReadOnlySpan<float> inputWeights,
        ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> recurrentBias)
    {
        _resetAfter = resetAfter;
        _hidden = hidden;
        int gates = 3 * hidden;
        _gates = new PackedMatrix(inputSize + hidden, 2 * hidden);
        _gates.SetRows(0, inputWeights, inputSize, gates, 0);
        _gates.SetRows(inputSize, recurrentWeights, hidden, gates, 0);
        _gates.AddBias(inputBias[..(2 * hidden)]);
        _inputCandidate = new PackedMatrix(inputSize, hidden);
        _inputCandidate.SetRows(0, inputWeights, inputSize, gates, 2 * hidden);
        _inputCandidate.AddBias(inputBias[(2 * hidden)..]);
        _recurrentCandidate = new PackedMatrix(hidden, hidden);
        _recurrentCandidate.SetRows(0, recurrentWeights, hidden, gates, 2 * hidden);
        if (resetAfter)
        {
            _gates.AddBias(recurrentBias[..(2 * hidden)]);
            _recurrentCandidate.AddBias(recurrentBias[(2 * hidden)..]);
        }
    }

    /// <summary>Gets the scratch floats <see cref="Step"/> needs for a layer of <paramref name="hidden"/> units.</summary>
    public static int ScratchSize(int hidden) => PackedMatrix.Pad(2 * hidden) + (2 * PackedMatrix.Pad(hidden)) + hidden;

    /// <summary>Packs a <see cref="GruCell"/> or <see cref="GruResetAfterCell"/>; null for any other cell.</summary>
    public static PackedGruLayer? TryCreate(IRecurrentCell cell, ReadOnlySpan<float> parameters)
    {
        // Exact types only: a subclass or wrapper could change the arithmetic, and then only its own Infer is right.
        bool resetAfter = cell.GetType() == typeof(GruResetAfterCell);
        if (!resetAfter && cell.GetType() != typeof(GruCell))
        {
            return null;
        }

        ReadOnlySpan<float> inputWeights = Find(cell, parameters, "input_weights");
        ReadOnlySpan<float> recurrentWeights = Find(cell, parameters, "recurrent_weights");
        return resetAfter
            ? new PackedGruLayer(true, cell.InputSize, cell.HiddenSize, inputWeights, recurrentWeights,
                Find(cell, parameters, "input_bias"), Find(cell, parameters, "recurrent_bias"))
            : new PackedGruLayer(false, cell.InputSize, cell.HiddenSize, inputWeights, recurrentWeights,
                Find(cell, parameters, "bias"), default);
    }

    /// <summary>Gets the floats per row of the input sums <see cref="ProjectInputs"/> writes: both gate sums and the candidate's.</summary>
    public int ProjectionStride => (2 * _gates.PaddedColumns) + _inputCandidate.PaddedColumns;

    /// <summary>
    /// One step: <paramref name="state"/> = the new state from <paramref name="input"/> and <paramref name="previous"/>
    /// (which must not overlap it).
    /// </summary>
    // Optimized at first call rather than after tiering: see NetworkStreamer.Step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(ReadOnlySpan<float> input, ReadOnlySpan<float> previous, Span<float> state, Span<float> scratch)
    {
        Span<float> gates = scratch[.._gates.PaddedColumns];
        Span<float> candidate = scratch.Slice(gates.Length, _inputCandidate.PaddedColumns);
        _gates.Multiply(input, previous, _gates.Bias, gates);
        _inputCandidate.Multiply(input, default, _inputCandidate.Bias, candidate);
        Finish(previous, state, scratch);
    }

    /// <summary>
    /// The input side of <paramref name="rows"/> steps at once (row r of <paramref name="inputs"/> into row r of
    /// <paramref name="projections"/>, <see cref="ProjectionStride"/> floats each): the gates' partial sums and the
    /// candidate's input part, exactly as <see cref="Step"/> computes them, for <see cref="StepProjected"/>.
    /// </summary>
    public void ProjectInputs(ReadOnlySpan<float> inputs, int rows, Span<float> projections)
    {
        int inputSize = _inputCandidate.Rows, gates = _gates.PaddedColumns, stride = ProjectionStride;
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> input = inputs.Slice(row * inputSize, inputSize);
            Span<float> projection = projections.Slice(row * stride, stride);
            _gates.MultiplyFirst(input, _gates.Bias, projection[..gates], projection.Slice(gates, gates));
            _inputCandidate.Multiply(input, default, _inputCandidate.Bias, projection[(2 * gates)..]);
        }
    }

    /// <summary>
    /// <see cref="Step"/> from the input side <see cref="ProjectInputs"/> computed for this step's input: the same
    /// operations in the same order, so the same state to the last bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void StepProjected(ReadOnlySpan<float> projection, ReadOnlySpan<float> previous, Span<float> state, Span<float> scratch)
    {
        int padded = _gates.PaddedColumns;
        Span<float> gates = scratch[..padded];
        Span<float> candidate = scratch.Slice(padded, _inputCandidate.PaddedColumns);
        _gates.MultiplySecond(_inputCandidate.Rows, previous, projection[..padded], projection.Slice(padded, padded), gates);
        projection.Slice(2 * padded, candidate.Length).CopyTo(candidate);
        Finish(previous, state, scratch);
    }

    /// <summary>The rest of a step once the gates' sums and the candidate's input part are in the scratch.</summary>
    // Once per streamed point (and layer): optimized from the first call, since on one CPU the JIT waits a second or more
    // before promoting tier-0 code, and a point is only a microsecond or two of work.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Finish(ReadOnlySpan<float> previous, Span<float> state, Span<float> scratch)
    {
        int h = _hidden;
        Span<float> gates = scratch[.._gates.PaddedColumns];
        Span<float> candidate = scratch.Slice(gates.Length, _inputCandidate.PaddedColumns);
        Span<float> recurrent = scratch.Slice(gates.Length + candidate.Length, _recurrentCandidate.PaddedColumns);
        Span<float> resetUpdate = gates[..(2 * h)];
        ElementwiseKernels.Sigmoid(resetUpdate, resetUpdate);
        ReadOnlySpan<float> reset = gates[..h], update = gates.Slice(h, h);
        Span<float> n = candidate[..h];
        if (_resetAfter)
        {
            // n = tanh(x·W_xn + b_xn + r ⊙ (h·W_hn + b_hn))
            _recurrentCandidate.Multiply(previous, default, _recurrentCandidate.Bias, recurrent);
            ElementwiseKernels.MultiplyAdd(reset, recurrent[..h], n, n);
        }
        else
        {
            // n = tanh(x·W_xn + b_n + (r ⊙ h)·W_hn): the product accumulates onto the input part in place.
            Span<float> resetState = scratch.Slice(gates.Length + candidate.Length + recurrent.Length, h);
            ElementwiseKernels.Multiply(reset, previous, resetState);
            _recurrentCandidate.Multiply(resetState, default, candidate, candidate);
        }

        ElementwiseKernels.Tanh(n, n);
        ElementwiseKernels.Lerp(n, previous, update, state);
    }

    private static ReadOnlySpan<float> Find(IRecurrentCell cell, ReadOnlySpan<float> parameters, string name)
    {
        int offset = 0;
        foreach (ParameterSpec spec in cell.Parameters)
        {
            if (spec.Name == name)
            {
                return parameters.Slice(offset, spec.Length);
            }

            offset += spec.Length;
        }

        throw new InvalidOperationException($"The cell {cell.GetType().Name} has no parameter named '{name}'.");
    }
}
