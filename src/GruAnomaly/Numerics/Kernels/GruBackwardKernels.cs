using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// One whole GRU backward step for small hidden sizes (the counterpart of <see cref="GruStepKernels"/>): per tile of 4
/// rows, the element-wise gate backward writes the rows' pre-activation gradients, and the product of those gradients
/// with <c>W_hᵀ</c> (the gradient of the previous state) is accumulated in registers and added once, together with the
/// blend's own term <c>dh ⊙ z</c>. Reset-after form: <c>dz̃ = dh ⊙ (h − n) ⊙ z(1 − z)</c>, <c>dñ = dh ⊙ (1 − z) ⊙ (1 − n²)</c>,
/// <c>d(h·W_hn + b_hn) = dñ ⊙ r</c>, <c>dr̃ = dñ ⊙ (h·W_hn + b_hn) ⊙ r(1 − r)</c>, <c>dh_prev += dh ⊙ z + [dr̃ dz̃ d(h·W_hn)]·W_hᵀ</c>.
/// Reset-before form: the same dz̃ and dñ, <c>s = dñ·W_hnᵀ</c> (the gradient of r ⊙ h), <c>dr̃ = s ⊙ h ⊙ r(1 − r)</c>,
/// <c>dh_prev += dh ⊙ z + s ⊙ r + [dr̃ dz̃]·W_hrzᵀ</c>.
/// </summary>
/// <remarks>
/// <para>Why: profiled at batch 32 (benchmarks/results/fused-backward-2026-12-02.md), the unfused step spent two thirds
/// of its time in the general GEMM for <c>G·W_hᵀ</c>, which packs W_h transposed on every call, and the rest in row-by-row
/// element-wise passes. Here W_hᵀ is transposed once per backward pass by the caller (<see cref="TransposeRecurrentWeights"/>),
/// so the product reads it in place like the forward kernel reads W_h.</para>
/// <para>Tile: 4 rows × four vectors of columns of dh_prev with 512-bit vectors (16 accumulators of the 32 registers:
/// 4 loads of W_hᵀ and 4 broadcasts per step of the reduction, the whole of hidden 64 in one tile), two vectors at
/// narrower widths, whose 16 registers would spill 16 accumulators. Each output sums its products in the order of the reduction index, one accumulator each, as the
/// GEMM's micro-kernel does; the element-wise operations are those of <c>GateMath</c> and <c>ElementwiseKernels</c>
/// in the same order. A last partial column vector overlaps the previous one; since dh_prev is added to, the lanes
/// already finished are masked to add exact zeros. A partial row tile repeats its last row.</para>
/// </remarks>
internal static class GruBackwardKernels
{
    /// <summary>Lane masks: loading a vector at <c>16 − k</c> gives k zeros, then ones.</summary>
    private static ReadOnlySpan<float> Masks =>
    [
        0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
        1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f,
    ];

    /// <summary><c>transposed</c> (3·hidden × hidden) = <c>weightsᵀ</c>, for weights hidden × 3·hidden.</summary>
    /// <remarks>
    /// In square blocks, so that the strided side of the copy stays within a few cache lines: done naively, one write per
    /// cache line, it took about 5 % of a layer's forward+backward at hidden 512. Once per backward pass, so optimized
    /// from the first call.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposeRecurrentWeights(int hidden, ReadOnlySpan<float> weights, Span<float> transposed)
    {
        const int Block = 16;
        int gates = 3 * hidden;
        Debug.Assert(weights.Length >= hidden * gates && transposed.Length >= hidden * gates);
        for (int p0 = 0; p0 < hidden; p0 += Block)
        {
            int pEnd = Math.Min(p0 + Block, hidden);
            for (int c0 = 0; c0 < gates; c0 += Block)
            {
                int cEnd = Math.Min(c0 + Block, gates);
                for (int c = c0; c < cEnd; c++)
                {
                    Span<float> column = transposed.Slice(c * hidden, hidden);
                    for (int p = p0; p < pEnd; p++)
                    {
                        column[p] = weights[(p * gates) + c];
                    }
                }
            }
        }
    }

    /// <summary>
    /// One reset-after backward step over <paramref name="batch"/> rows. <paramref name="record"/> is the forward's
    /// (row layout <c>[r | z | n | h·W_hn + b_hn]</c>); <paramref name="stepGradient"/> (row layout
    /// <c>[dr̃ | dz̃ | d(h·W_hn + b_hn) | dñ]</c>) is overwritten; <paramref name="previousGradient"/> is added to.
    /// </summary>
    public static void ResetAfter(int batch, int hidden, ReadOnlySpan<float> stateGradient, ReadOnlySpan<float> previous,
        ReadOnlySpan<float> record, ReadOnlySpan<float> transposedWeights, Span<float> previousGradient, Span<float> stepGradient) =>
        ResetAfter(SimdLevels.Best, batch, hidden, stateGradient, previous, record, transposedWeights, previousGradient, stepGradient);

    /// <summary>As <see cref="ResetAfter(int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>, at exactly <paramref name="level"/> (tests reach every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ResetAfter(SimdLevel level, int batch, int hidden, ReadOnlySpan<float> stateGradient, ReadOnlySpan<float> previous,
        ReadOnlySpan<float> record, ReadOnlySpan<float> transposedWeights, Span<float> previousGradient, Span<float> stepGradient)
    {
        if (batch <= 0 || hidden <= 0)
        {
            return;
        }

        // One bounds check per operand up front; the tiles index without checks.
        int states = batch * hidden;
        _ = stateGradient[states - 1] + previous[states - 1] + record[(4 * states) - 1] + transposedWeights[(3 * hidden * hidden) - 1]
            + previousGradient[states - 1] + stepGradient[(4 * states) - 1];
        Span<float> tile = stackalloc float[BackwardOperands.TileLength];
        var o = new BackwardOperands(stateGradient, previous, record, transposedWeights, previousGradient, stepGradient, default, hidden, tile);
        Dispatch(level, o, batch, resetAfter: true);
    }

    /// <summary>
    /// One reset-before backward step over <paramref name="batch"/> rows. <paramref name="record"/> is the forward's
    /// (row layout <c>[r | z | n | r ⊙ h]</c>); <paramref name="stepGradient"/> (row layout <c>[dr̃ | dz̃ | dñ]</c>) is
    /// overwritten; <paramref name="previousGradient"/> is added to; <paramref name="scratch"/> (batch × hidden) receives
    /// the gradient of r ⊙ h.
    /// </summary>
    public static void ResetBefore(int batch, int hidden, ReadOnlySpan<float> stateGradient, ReadOnlySpan<float> previous,
        ReadOnlySpan<float> record, ReadOnlySpan<float> transposedWeights, Span<float> previousGradient, Span<float> stepGradient,
        Span<float> scratch) =>
        ResetBefore(SimdLevels.Best, batch, hidden, stateGradient, previous, record, transposedWeights, previousGradient, stepGradient, scratch);

    /// <summary>As <see cref="ResetBefore(int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float})"/>, at exactly <paramref name="level"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ResetBefore(SimdLevel level, int batch, int hidden, ReadOnlySpan<float> stateGradient, ReadOnlySpan<float> previous,
        ReadOnlySpan<float> record, ReadOnlySpan<float> transposedWeights, Span<float> previousGradient, Span<float> stepGradient,
        Span<float> scratch)
    {
        if (batch <= 0 || hidden <= 0)
        {
            return;
        }

        int states = batch * hidden;
        _ = stateGradient[states - 1] + previous[states - 1] + record[(4 * states) - 1] + transposedWeights[(3 * hidden * hidden) - 1]
            + previousGradient[states - 1] + stepGradient[(3 * states) - 1] + scratch[states - 1];
        Span<float> tile = stackalloc float[BackwardOperands.TileLength];
        var o = new BackwardOperands(stateGradient, previous, record, transposedWeights, previousGradient, stepGradient, scratch, hidden, tile);
        Dispatch(level, o, batch, resetAfter: false);
    }

    /// <summary>The widest width at or below <paramref name="level"/> that fits in the hidden size (a vector may not exceed a gate block).</summary>
    // Once per step: optimized from the first call, as GruStepKernels.Dispatch (which a pinned run left at tier-0, not inlined).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dispatch(SimdLevel level, in BackwardOperands o, int batch, bool resetAfter)
    {
        switch (SimdLevels.Fitting(level, o.Hidden))
        {
            case SimdLevel.Vector512:
                Run<Vector512Ops, Vector512<float>>(o, batch, resetAfter);
                break;
            case SimdLevel.Vector256:
                Run<Vector256Ops, Vector256<float>>(o, batch, resetAfter);
                break;
            case SimdLevel.Vector128:
                Run<Vector128Ops, Vector128<float>>(o, batch, resetAfter);
                break;
            default:
                Run<ScalarOps, float>(o, batch, resetAfter);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TOps, TVector>(in BackwardOperands o, int batch, bool resetAfter)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int w = TOps.Count, hidden = o.Hidden, vectors = TileVectors<TVector>(hidden);
        nint gradientWidth = resetAfter ? 4 * hidden : 3 * hidden;
        Debug.Assert(hidden >= w);

        for (int i = 0; i < batch; i += 4)
        {
            int rows = Math.Min(4, batch - i);
            for (int q = 0; q < rows; q++)
            {
                // The last vector overlaps the one before; these writes depend only on the inputs, so overlapping is harmless.
                for (int j = 0; j < hidden; j += w)
                {
                    GateGradients<TOps, TVector>(o, i + q, Math.Min(j, hidden - w), resetAfter);
                }
            }

            if (!resetAfter)
            {
                // Reset-before: dr̃ needs s = dñ·W_hnᵀ over whole rows before the product with [dr̃ dz̃] can start.
                for (int j = 0; j < hidden; j += vectors * w)
                {
                    Product<TOps, TVector>(o, i, rows, j, 2 * hidden, gradientWidth, hidden);
                    for (int v = 0; v < vectors; v++)
                    {
                        int start = Math.Min(j + (v * w), hidden - w);
                        for (int q = 0; q < rows; q++)
                        {
                            FinishReset<TOps, TVector>(o, i + q, start, TOps.Load(ref o.Tile, ((q * vectors) + v) * w));
                        }
                    }
                }
            }

            int reduction = resetAfter ? 3 * hidden : 2 * hidden;
            for (int j = 0; j < hidden; j += vectors * w)
            {
                Product<TOps, TVector>(o, i, rows, j, 0, gradientWidth, reduction);
                int finished = j;
                for (int v = 0; v < vectors; v++)
                {
                    int start = Math.Min(j + (v * w), hidden - w);
                    TVector mask = Mask<TOps, TVector>(start, finished);
                    for (int q = 0; q < rows; q++)
                    {
                        FinishPrevious<TOps, TVector>(o, i + q, start, TOps.Load(ref o.Tile, ((q * vectors) + v) * w), mask, resetAfter);
                    }

                    finished = Math.Max(finished, start + w);
                }
            }
        }
    }

    /// <summary>Ones in the lanes of the vector at <paramref name="start"/> past the first <paramref name="finished"/> columns, zeros before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Mask<TOps, TVector>(int start, int finished)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int overlap = Math.Clamp(finished - start, 0, TOps.Count);
        return TOps.Load(ref MemoryMarshal.GetReference(Masks), 16 - overlap);
    }

    /// <summary>The element-wise gate backward of one row's vector at column <paramref name="j"/> (the formulas of <c>GateMath</c>, same order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GateGradients<TOps, TVector>(in BackwardOperands o, int row, int j, bool resetAfter)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        nint hidden = o.Hidden, at = (row * hidden) + j;
        ref float cache = ref Unsafe.Add(ref o.Record, (row * 4 * hidden) + j);
        ref float gradient = ref Unsafe.Add(ref o.StepGradient, (row * (resetAfter ? 4 : 3) * hidden) + j);
        TVector one = TOps.Broadcast(1f);
        TVector g = TOps.Load(ref o.StateGradient, at), z = TOps.Load(ref cache, hidden), n = TOps.Load(ref cache, 2 * hidden);
        TVector oneMinusZ = TOps.Subtract(one, z);
        TVector update = TOps.Multiply(TOps.Multiply(TOps.Multiply(g, TOps.Subtract(TOps.Load(ref o.Previous, at), n)), z), oneMinusZ);
        TVector candidate = TOps.Multiply(TOps.Multiply(g, oneMinusZ), TOps.Subtract(one, TOps.Multiply(n, n)));
        TOps.Store(update, ref gradient, hidden);
        if (!resetAfter)
        {
            TOps.Store(candidate, ref gradient, 2 * hidden);
            return;
        }

        TVector r = TOps.Load(ref cache, 0);
        TOps.Store(candidate, ref gradient, 3 * hidden);
        TOps.Store(TOps.Multiply(candidate, r), ref gradient, 2 * hidden);
        TVector reset = TOps.Multiply(candidate, TOps.Load(ref cache, 3 * hidden));
        TOps.Store(TOps.Multiply(TOps.Multiply(reset, r), TOps.Subtract(one, r)), ref gradient, 0);
    }

    /// <summary>
    /// Accumulates <c>G·W_hᵀ</c> for rows <c>i..i+rows</c> at the <see cref="TileVectors"/> V column vectors from
    /// <paramref name="j"/> (the last ones moved back to end at hidden) over the gradient columns
    /// <c>first..first+reduction</c> (rows of W_hᵀ), and parks the accumulators in the tile (row q's vector v at (q·V + v)·w).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Product<TOps, TVector>(in BackwardOperands o, int i, int rows, int j, int first, nint gradientWidth, int reduction)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int w = TOps.Count, last = o.Hidden - w;
        if (TileVectors<TVector>(o.Hidden) == 4)
        {
            Product4<TOps, TVector>(o, i, rows, Math.Min(j, last), Math.Min(j + w, last), Math.Min(j + (2 * w), last), Math.Min(j + (3 * w), last),
                first, gradientWidth, reduction);
        }
        else
        {
            Product2<TOps, TVector>(o, i, rows, Math.Min(j, last), Math.Min(j + w, last), first, gradientWidth, reduction);
        }
    }

    /// <summary>
    /// Column vectors per product tile: 4 with 512-bit vectors when the hidden size needs more than 2 (16 accumulators of
    /// 32 registers), else 2 (8 accumulators, within 16 registers; 4 would only repeat vectors).
    /// </summary>
    private static int TileVectors<TVector>(int hidden) => typeof(TVector) == typeof(Vector512<float>) && hidden > 32 ? 4 : 2;

    /// <summary>4 rows × 2 column vectors (row q's accumulators at 2q·w and (2q + 1)·w).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Product2<TOps, TVector>(in BackwardOperands o, int i, int rows, int j0, int j1, int first, nint gradientWidth, int reduction)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        nint hidden = o.Hidden;
        ref float g0 = ref Unsafe.Add(ref o.StepGradient, (i * gradientWidth) + first);
        ref float g1 = ref rows > 1 ? ref Unsafe.Add(ref g0, gradientWidth) : ref g0;
        ref float g2 = ref rows > 2 ? ref Unsafe.Add(ref g1, gradientWidth) : ref g1;
        ref float g3 = ref rows > 3 ? ref Unsafe.Add(ref g2, gradientWidth) : ref g2;
        ref float wRow = ref Unsafe.Add(ref o.Weights, first * hidden);
        nint offset0 = j0, offset1 = j1;
        TVector a0 = TOps.Zero, b0 = TOps.Zero, a1 = TOps.Zero, b1 = TOps.Zero;
        TVector a2 = TOps.Zero, b2 = TOps.Zero, a3 = TOps.Zero, b3 = TOps.Zero;
        for (nint c = 0; c < reduction; c++)
        {
            TVector w0 = TOps.Load(ref wRow, offset0);
            TVector w1 = TOps.Load(ref wRow, offset1);
            TVector x = TOps.Broadcast(Unsafe.Add(ref g0, c));
            a0 = TOps.MultiplyAdd(x, w0, a0);
            b0 = TOps.MultiplyAdd(x, w1, b0);
            x = TOps.Broadcast(Unsafe.Add(ref g1, c));
            a1 = TOps.MultiplyAdd(x, w0, a1);
            b1 = TOps.MultiplyAdd(x, w1, b1);
            x = TOps.Broadcast(Unsafe.Add(ref g2, c));
            a2 = TOps.MultiplyAdd(x, w0, a2);
            b2 = TOps.MultiplyAdd(x, w1, b2);
            x = TOps.Broadcast(Unsafe.Add(ref g3, c));
            a3 = TOps.MultiplyAdd(x, w0, a3);
            b3 = TOps.MultiplyAdd(x, w1, b3);
            wRow = ref Unsafe.Add(ref wRow, hidden);
        }

        nint w = TOps.Count;
        ref float t = ref o.Tile;
        TOps.Store(a0, ref t, 0);
        TOps.Store(b0, ref t, w);
        TOps.Store(a1, ref t, 2 * w);
        TOps.Store(b1, ref t, 3 * w);
        TOps.Store(a2, ref t, 4 * w);
        TOps.Store(b2, ref t, 5 * w);
        TOps.Store(a3, ref t, 6 * w);
        TOps.Store(b3, ref t, 7 * w);
    }

    /// <summary>As <see cref="Product2"/>, 4 rows × 4 column vectors (row q's accumulators at (4q + v)·w).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Product4<TOps, TVector>(in BackwardOperands o, int i, int rows, int j0, int j1, int j2, int j3, int first,
        nint gradientWidth, int reduction)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        nint hidden = o.Hidden;
        ref float g0 = ref Unsafe.Add(ref o.StepGradient, (i * gradientWidth) + first);
        ref float g1 = ref rows > 1 ? ref Unsafe.Add(ref g0, gradientWidth) : ref g0;
        ref float g2 = ref rows > 2 ? ref Unsafe.Add(ref g1, gradientWidth) : ref g1;
        ref float g3 = ref rows > 3 ? ref Unsafe.Add(ref g2, gradientWidth) : ref g2;
        ref float wRow = ref Unsafe.Add(ref o.Weights, first * hidden);
        nint offset0 = j0, offset1 = j1, offset2 = j2, offset3 = j3;
        TVector a0 = TOps.Zero, b0 = TOps.Zero, c0 = TOps.Zero, d0 = TOps.Zero;
        TVector a1 = TOps.Zero, b1 = TOps.Zero, c1 = TOps.Zero, d1 = TOps.Zero;
        TVector a2 = TOps.Zero, b2 = TOps.Zero, c2 = TOps.Zero, d2 = TOps.Zero;
        TVector a3 = TOps.Zero, b3 = TOps.Zero, c3 = TOps.Zero, d3 = TOps.Zero;
        for (nint c = 0; c < reduction; c++)
        {
            TVector w0 = TOps.Load(ref wRow, offset0);
            TVector w1 = TOps.Load(ref wRow, offset1);
            TVector w2 = TOps.Load(ref wRow, offset2);
            TVector w3 = TOps.Load(ref wRow, offset3);
            TVector x = TOps.Broadcast(Unsafe.Add(ref g0, c));
            a0 = TOps.MultiplyAdd(x, w0, a0);
            b0 = TOps.MultiplyAdd(x, w1, b0);
            c0 = TOps.MultiplyAdd(x, w2, c0);
            d0 = TOps.MultiplyAdd(x, w3, d0);
            x = TOps.Broadcast(Unsafe.Add(ref g1, c));
            a1 = TOps.MultiplyAdd(x, w0, a1);
            b1 = TOps.MultiplyAdd(x, w1, b1);
            c1 = TOps.MultiplyAdd(x, w2, c1);
            d1 = TOps.MultiplyAdd(x, w3, d1);
            x = TOps.Broadcast(Unsafe.Add(ref g2, c));
            a2 = TOps.MultiplyAdd(x, w0, a2);
            b2 = TOps.MultiplyAdd(x, w1, b2);
            c2 = TOps.MultiplyAdd(x, w2, c2);
            d2 = TOps.MultiplyAdd(x, w3, d2);
            x = TOps.Broadcast(Unsafe.Add(ref g3, c));
            a3 = TOps.MultiplyAdd(x, w0, a3);
            b3 = TOps.MultiplyAdd(x, w1, b3);
            c3 = TOps.MultiplyAdd(x, w2, c3);
            d3 = TOps.MultiplyAdd(x, w3, d3);
            wRow = ref Unsafe.Add(ref wRow, hidden);
        }

        nint w = TOps.Count;
        ref float t = ref o.Tile;
        TOps.Store(a0, ref t, 0);
        TOps.Store(b0, ref t, w);
        TOps.Store(c0, ref t, 2 * w);
        TOps.Store(d0, ref t, 3 * w);
        TOps.Store(a1, ref t, 4 * w);
        TOps.Store(b1, ref t, 5 * w);
        TOps.Store(c1, ref t, 6 * w);
        TOps.Store(d1, ref t, 7 * w);
        TOps.Store(a2, ref t, 8 * w);
        TOps.Store(b2, ref t, 9 * w);
        TOps.Store(c2, ref t, 10 * w);
        TOps.Store(d2, ref t, 11 * w);
        TOps.Store(a3, ref t, 12 * w);
        TOps.Store(b3, ref t, 13 * w);
        TOps.Store(c3, ref t, 14 * w);
        TOps.Store(d3, ref t, 15 * w);
    }

    /// <summary>Reset-before: s (the gradient of r ⊙ h) into the scratch, and <c>dr̃ = (s ⊙ h) ⊙ r(1 − r)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishReset<TOps, TVector>(in BackwardOperands o, int row, int j, TVector s)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        nint hidden = o.Hidden, at = (row * hidden) + j;
        TVector r = TOps.Load(ref o.Record, (row * 4 * hidden) + j);
        TOps.Store(s, ref o.Scratch, at);
        TVector reset = TOps.Multiply(s, TOps.Load(ref o.Previous, at));
        TOps.Store(TOps.Multiply(TOps.Multiply(reset, r), TOps.Subtract(TOps.Broadcast(1f), r)), ref o.StepGradient, (row * 3 * hidden) + j);
    }

    /// <summary>
    /// <c>dh_prev += dh ⊙ z (+ s ⊙ r) + product</c>, in the unfused path's order; lanes where <paramref name="mask"/> is 0
    /// were finished by an overlapping vector and get exact zeros added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishPrevious<TOps, TVector>(in BackwardOperands o, int row, int j, TVector product, TVector mask, bool resetAfter)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        nint hidden = o.Hidden, at = (row * hidden) + j;
        TVector z = TOps.Load(ref o.Record, (row * 4 * hidden) + hidden + j);
        TVector total = TOps.Add(TOps.Load(ref o.PreviousGradient, at), TOps.Multiply(mask, TOps.Multiply(TOps.Load(ref o.StateGradient, at), z)));
        if (!resetAfter)
        {
            TVector r = TOps.Load(ref o.Record, (row * 4 * hidden) + j);
            total = TOps.Add(TOps.Multiply(TOps.Multiply(mask, TOps.Load(ref o.Scratch, at)), r), total);
        }

        TOps.Store(TOps.Add(TOps.Multiply(mask, product), total), ref o.PreviousGradient, at);
    }

    /// <summary>The operands of one backward step as references, so one generic tile serves every width.</summary>
    private readonly ref struct BackwardOperands(ReadOnlySpan<float> stateGradient, ReadOnlySpan<float> previous, ReadOnlySpan<float> record,
        ReadOnlySpan<float> weights, Span<float> previousGradient, Span<float> stepGradient, Span<float> scratch, int hidden, Span<float> tile)
    {
        /// <summary>Room for a tile's accumulators: 16 of the widest vector.</summary>
        public const int TileLength = 16 * 16;

        /// <summary>Where a tile parks its accumulators so that its rows are finished one at a time.</summary>
        public readonly ref float Tile = ref MemoryMarshal.GetReference(tile);
        public readonly ref float StateGradient = ref MemoryMarshal.GetReference(stateGradient);
        public readonly ref float Previous = ref MemoryMarshal.GetReference(previous);
        public readonly ref float Record = ref MemoryMarshal.GetReference(record);
        public readonly ref float Weights = ref MemoryMarshal.GetReference(weights);
        public readonly ref float PreviousGradient = ref MemoryMarshal.GetReference(previousGradient);
        public readonly ref float StepGradient = ref MemoryMarshal.GetReference(stepGradient);
        public readonly ref float Scratch = ref MemoryMarshal.GetReference(scratch);
        public readonly int Hidden = hidden;
    }
}
