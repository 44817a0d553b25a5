using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>Fused element-wise pieces shared by the gated cells; one pass over memory instead of several.</summary>
internal static class GateMath
{
    /// <summary>
    /// Whether a GRU layer of <paramref name="hidden"/> units runs its steps through the fused small-hidden kernels
    /// (<see cref="GruStepKernels"/>, <see cref="GruBackwardKernels"/>): the library's own kernels, so only on its own provider.
    /// </summary>
    public static bool UsesFusedSteps(int hidden, IMatrixProvider matrix) => hidden <= GruStepKernels.MaxHidden && matrix is ManagedMatrixProvider;

    /// <summary>
    /// What the GRU cells prepare for a backward pass on the library's own provider: W_hᵀ (3·hidden × hidden), which the
    /// fused steps read in place and the larger layers' per-step products take as a row-major operand. Transposed once
    /// per pass, it is no longer packed from W_h at every step: that packing was 7–9 % of a layer's forward+backward at
    /// hidden 256–512 (benchmarks/results/comparison-2026-12-03-tiles.md). Other providers transpose in their own GEMM.
    /// </summary>
    public static int BackwardPreparationSize(int hidden, IMatrixProvider matrix) => matrix is ManagedMatrixProvider ? 3 * hidden * hidden : 0;

    /// <summary><c>projections[row] = bias + inputs[row]·weights</c> for every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ProjectWithBias(IMatrixProvider matrix, ReadOnlySpan<float> inputs, int rows, int inputSize,
        ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> projections, int width)
    {
        for (int row = 0; row < rows; row++)
        {
            bias.CopyTo(projections.Slice(row * width, width));
        }

        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, rows, width, inputSize,
            1f, inputs, inputSize, weights, width, 1f, projections, width);
    }

    /// <summary>
    /// Gradients of <c>x·W + b</c> over all rows: <c>dW += xᵀ·dA</c>, <c>db += Σ_rows dA</c>, for a block of
    /// <paramref name="width"/> columns of dA (leading dimension <paramref name="stride"/>) and of W (leading dimension
    /// <paramref name="weightStride"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateProjectionGradients(IMatrixProvider matrix, ReadOnlySpan<float> inputs, int rows, int inputSize,
        ReadOnlySpan<float> preactivationGradients, int width, int stride,
        Span<float> weightGradients, int weightStride, Span<float> biasGradients)
    {
        matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, inputSize, width, rows,
            1f, inputs, inputSize, preactivationGradients, stride, 1f, weightGradients, weightStride);
        for (int row = 0; row < rows; row++)
        {
            ElementwiseKernels.Add(biasGradients[..width], preactivationGradients.Slice(row * stride, width), biasGradients[..width]);
        }
    }

    /// <summary><c>state = (1 − z) ⊙ n + z ⊙ previous</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Blend(ReadOnlySpan<float> z, ReadOnlySpan<float> n, ReadOnlySpan<float> previous, Span<float> state) =>
        ElementwiseKernels.Lerp(n, previous, z, state);

    /// <summary>
    /// Backward of the blend and of both squashing functions:
    /// <c>dPrevious += dh ⊙ z</c>, <c>dz̃ = dh ⊙ (previous − n) ⊙ z(1 − z)</c>, <c>dñ = dh ⊙ (1 − z) ⊙ (1 − n²)</c>,
    /// where dz̃ and dñ are gradients of the pre-activations.
    /// </summary>
    public static void BackwardBlend(ReadOnlySpan<float> stateGradient, ReadOnlySpan<float> z, ReadOnlySpan<float> n,
        ReadOnlySpan<float> previous, Span<float> previousGradient, Span<float> updatePreactivationGradient,
        Span<float> candidatePreactivationGradient) =>
        BackwardBlend(SimdLevels.Best, stateGradient, z, n, previous, previousGradient, updatePreactivationGradient, candidatePreactivationGradient);

    /// <summary>As <see cref="BackwardBlend(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float})"/>, at a chosen vector width (tests reach every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BackwardBlend(SimdLevel level, ReadOnlySpan<float> stateGradient, ReadOnlySpan<float> z, ReadOnlySpan<float> n,
        ReadOnlySpan<float> previous, Span<float> previousGradient, Span<float> updatePreactivationGradient,
        Span<float> candidatePreactivationGradient)
    {
        int length = stateGradient.Length;
        if (length == 0)
        {
            return;
        }

        // One bounds check per operand up front; the loops below index without checks.
        _ = previousGradient[length - 1] + updatePreactivationGradient[length - 1] + candidatePreactivationGradient[length - 1]
            + z[length - 1] + n[length - 1] + previous[length - 1];
        var operands = new BlendOperands(stateGradient, z, n, previous, previousGradient, updatePreactivationGradient, candidatePreactivationGradient);
        int done = level switch
        {
            SimdLevel.Vector512 => BackwardBlend<Vector512Ops, Vector512<float>>(operands, length),
            SimdLevel.Vector256 => BackwardBlend<Vector256Ops, Vector256<float>>(operands, length),
            SimdLevel.Vector128 => BackwardBlend<Vector128Ops, Vector128<float>>(operands, length),
            _ => 0,
        };

        BackwardBlend<ScalarOps, float>(operands, length, done);
    }

    /// <summary><c>gradient ⊙= s(1 − s)</c>: turns the gradient of a sigmoid's output into that of its input.</summary>
    public static void SigmoidDerivativeInPlace(Span<float> gradient, ReadOnlySpan<float> sigmoid) =>
        SigmoidDerivativeInPlace(SimdLevels.Best, gradient, sigmoid);

    /// <summary>As <see cref="SigmoidDerivativeInPlace(Span{float}, ReadOnlySpan{float})"/>, at a chosen vector width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SigmoidDerivativeInPlace(SimdLevel level, Span<float> gradient, ReadOnlySpan<float> sigmoid)
    {
        int length = gradient.Length;
        if (length == 0)
        {
            return;
        }

        _ = sigmoid[length - 1];
        ref float g = ref MemoryMarshal.GetReference(gradient);
        ref float s = ref MemoryMarshal.GetReference(sigmoid);
        int done = level switch
        {
            SimdLevel.Vector512 => SigmoidDerivative<Vector512Ops, Vector512<float>>(ref g, ref s, length, 0),
            SimdLevel.Vector256 => SigmoidDerivative<Vector256Ops, Vector256<float>>(ref g, ref s, length, 0),
            SimdLevel.Vector128 => SigmoidDerivative<Vector128Ops, Vector128<float>>(ref g, ref s, length, 0),
            _ => 0,
        };

        SigmoidDerivative<ScalarOps, float>(ref g, ref s, length, done);
    }

    /// <summary>Runs whole vectors of <typeparamref name="TOps"/> from <paramref name="start"/>; returns where it stopped.</summary>
    /// <remarks>Fully optimized from the first call: tier-0 vector code is many times slower, and on one CPU the tiered JIT waits about a second before promoting it.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardBlend<TOps, TVector>(in BlendOperands o, int length, int start = 0)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        TVector one = TOps.Broadcast(1f);
        int i = start;
        for (; i <= length - TOps.Count; i += TOps.Count)
        {
            TVector g = TOps.Load(ref o.StateGradient, i), zv = TOps.Load(ref o.Z, i), nv = TOps.Load(ref o.N, i);
            TVector pv = TOps.Load(ref o.Previous, i), oneMinusZ = TOps.Subtract(one, zv);
            TOps.Store(TOps.Add(TOps.Load(ref o.PreviousGradient, i), TOps.Multiply(g, zv)), ref o.PreviousGradient, i);
            TOps.Store(TOps.Multiply(TOps.Multiply(TOps.Multiply(g, TOps.Subtract(pv, nv)), zv), oneMinusZ), ref o.UpdateGradient, i);
            TOps.Store(TOps.Multiply(TOps.Multiply(g, oneMinusZ), TOps.Subtract(one, TOps.Multiply(nv, nv))), ref o.CandidateGradient, i);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SigmoidDerivative<TOps, TVector>(ref float gradient, ref float sigmoid, int length, int start)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        TVector one = TOps.Broadcast(1f);
        int i = start;
        for (; i <= length - TOps.Count; i += TOps.Count)
        {
            TVector sv = TOps.Load(ref sigmoid, i);
            TOps.Store(TOps.Multiply(TOps.Multiply(TOps.Load(ref gradient, i), sv), TOps.Subtract(one, sv)), ref gradient, i);
        }

        return i;
    }

    /// <summary>The operands of <see cref="BackwardBlend(SimdLevel, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float})"/> as references, so one generic loop serves every width.</summary>
    private readonly ref struct BlendOperands(ReadOnlySpan<float> stateGradient, ReadOnlySpan<float> z, ReadOnlySpan<float> n,
        ReadOnlySpan<float> previous, Span<float> previousGradient, Span<float> updateGradient, Span<float> candidateGradient)
    {
        public readonly ref float StateGradient = ref MemoryMarshal.GetReference(stateGradient);
        public readonly ref float Z = ref MemoryMarshal.GetReference(z);
        public readonly ref float N = ref MemoryMarshal.GetReference(n);
        public readonly ref float Previous = ref MemoryMarshal.GetReference(previous);
        public readonly ref float PreviousGradient = ref MemoryMarshal.GetReference(previousGradient);
        public readonly ref float UpdateGradient = ref MemoryMarshal.GetReference(updateGradient);
        public readonly ref float CandidateGradient = ref MemoryMarshal.GetReference(candidateGradient);
    }
}
