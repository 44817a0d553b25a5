using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// One whole GRU step for small hidden sizes in a single pass: the recurrent product <c>h·W_h</c> of all three gates is
/// accumulated in registers, tile by tile, and the gate non-linearities and the blend run on the tile before it
/// leaves the registers (the reset-before form, whose candidate product needs r first, in two passes per row tile).
/// Reset-after form (PyTorch's <c>nn.GRU</c>):
/// <c>r = σ(x_r + h·W_hr + b_hr)</c>, <c>z = σ(x_z + h·W_hz + b_hz)</c>, <c>n = tanh(x_n + r ⊙ (h·W_hn + b_hn))</c>,
/// <c>h' = (1 − z) ⊙ n + z ⊙ h</c>, where <c>x</c> is the precomputed input projection (input bias included).
/// </summary>
/// <remarks>
/// <para>Why: at hidden ≤ 64 a step is too small for the general GEMM to pay for itself. Profiled on the layer
/// forward pass at hidden 32 (batch 32), the product took ~1.4 µs of a ~7 µs step and the separate sigmoid and tanh
/// passes ~5.8 µs: the non-linearities, not the product, dominated. So the tile is finished in registers (no bias
/// copy, no second pass over the record) and the activations use <see cref="SimdActivations.Exp{TOps, TVector}"/>, a single-precision exp, instead
/// of the runtime's <c>Vector.Exp</c>, which computes in double precision.</para>
/// <para>Tile: 4 rows of h × one vector of columns in each of the three gate blocks (12 accumulators, 3 loads of
/// W_h and 4 broadcasts per step of the reduction). W_h is read in place (≤ 48 KiB at hidden 64, so it stays in
/// L1/L2 across the row tiles); a last partial column vector overlaps the previous one, and a last partial row
/// tile repeats its last row, so every shape runs whole vectors. Every lane sees the same operations whatever its
/// tile, so results do not depend on the batch size or a row's position in it.</para>
/// <para>Accuracy: the pre-activations are summed in the same order as the general GEMM at the same width, and the
/// activations are the ones every vector kernel uses (<see cref="ElementwiseKernels"/> too); results differ from the
/// unfused path only in the order of the additions around the product (bias, input projection).</para>
/// </remarks>
internal static class GruStepKernels
{
    /// <summary>
    /// Largest hidden size the cells send here: 64 with 512-bit vectors, 32 with narrower ones. Measured
    /// (benchmarks/results/fused-gru-step-2026-12-02.md): with AVX-512 the fused step is 0.40–0.73× the unfused one at
    /// hidden 32–64 and slower at 128; with AVX-512 switched off (the 256-bit path of a Zen 3) it wins at 32 but is
    /// no faster, or slower, at 64, where the packed GEMM reads W_h better than the in-place tile does.
    /// </summary>
    public static int MaxHidden => SimdLevels.Best >= SimdLevel.Vector512 ? 64 : 32;

    /// <summary>
    /// One reset-after step over <paramref name="batch"/> rows. <paramref name="record"/> (batch × 4·hidden, row layout
    /// <c>[r | z | n | h·W_hn + b_hn]</c>) is written when not empty, for backward.
    /// </summary>
    public static void ResetAfter(int batch, int hidden, ReadOnlySpan<float> previous, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> recurrentBias, ReadOnlySpan<float> projection, Span<float> state, Span<float> record) =>
        ResetAfter(SimdLevels.Best, batch, hidden, previous, recurrentWeights, recurrentBias, projection, state, record);

    /// <summary>As <see cref="ResetAfter(int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>, at exactly <paramref name="level"/> (tests reach every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ResetAfter(SimdLevel level, int batch, int hidden, ReadOnlySpan<float> previous, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> recurrentBias, ReadOnlySpan<float> projection, Span<float> state, Span<float> record)
    {
        if (batch <= 0 || hidden <= 0)
        {
            return;
        }

        // One bounds check per operand up front; the tiles index without checks.
        int gates = 3 * hidden;
        _ = previous[(batch * hidden) - 1] + recurrentWeights[(hidden * gates) - 1] + recurrentBias[gates - 1]
            + projection[(batch * gates) - 1] + state[(batch * hidden) - 1];
        bool recording = !record.IsEmpty;
        if (recording)
        {
            _ = record[(batch * 4 * hidden) - 1];
        }

        Span<float> tile = stackalloc float[StepOperands.TileLength];
        var o = new StepOperands(previous, recurrentWeights, recurrentBias, projection, state, record, hidden, recording, tile);
        Dispatch(level, o, batch, resetAfter: true);
    }

    /// <summary>
    /// One reset-before step (the classic GRU: <c>n = tanh(x_n + (r ⊙ h)·W_hn)</c>, biases inside the projection) over
    /// <paramref name="batch"/> rows. <paramref name="record"/> (batch × 4·hidden, row layout <c>[r | z | n | r ⊙ h]</c>)
    /// is needed either way, since the candidate's product reads <c>r ⊙ h</c> from it; <c>n</c> is stored only when
    /// <paramref name="recording"/>.
    /// </summary>
    public static void ResetBefore(int batch, int hidden, ReadOnlySpan<float> previous, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> projection, Span<float> state, Span<float> record, bool recording) =>
        ResetBefore(SimdLevels.Best, batch, hidden, previous, recurrentWeights, projection, state, record, recording);

    /// <summary>As <see cref="ResetBefore(int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, bool)"/>, at exactly <paramref name="level"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ResetBefore(SimdLevel level, int batch, int hidden, ReadOnlySpan<float> previous, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> projection, Span<float> state, Span<float> record, bool recording)
    {
        if (batch <= 0 || hidden <= 0)
        {
            return;
        }

        int gates = 3 * hidden;
        _ = previous[(batch * hidden) - 1] + recurrentWeights[(hidden * gates) - 1] + projection[(batch * gates) - 1]
            + state[(batch * hidden) - 1] + record[(batch * 4 * hidden) - 1];
        Span<float> tile = stackalloc float[StepOperands.TileLength];
        var o = new StepOperands(previous, recurrentWeights, default, projection, state, record, hidden, recording, tile);
        Dispatch(level, o, batch, resetAfter: false);
    }

    /// <summary>The widest width at or below <paramref name="level"/> that fits in the hidden size (a vector may not exceed a gate block).</summary>
    // Once per step: optimized from the first call like the kernels (it was left at tier-0 on one CPU, not being inlined).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dispatch(SimdLevel level, in StepOperands o, int batch, bool resetAfter)
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
    private static void Run<TOps, TVector>(in StepOperands o, int batch, bool resetAfter)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int w = TOps.Count, hidden = o.Hidden;
        Debug.Assert(hidden >= w);

        int i = 0;
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            // With 32 vector registers 8-row tiles fit (up to 24 accumulators): W_h is read half as often. Only while
            // more than 4 rows remain, so that a single streamed row does not pay for eight.
            for (; batch - i > 4; i += 8)
            {
                int rows = Math.Min(8, batch - i);
                if (resetAfter)
                {
                    for (int j = 0; j < hidden; j += w)
                    {
                        Tile8<TOps, TVector>(o, i, rows, Math.Min(j, hidden - w));
                    }

                    continue;
                }

                for (int j = 0; j < hidden; j += w)
                {
                    GatesTile8<TOps, TVector>(o, i, rows, Math.Min(j, hidden - w));
                }

                for (int j = 0; j < hidden; j += w)
                {
                    CandidateTile8<TOps, TVector>(o, i, rows, Math.Min(j, hidden - w));
                }
            }
        }

        for (; i < batch; i += 4)
        {
            // The last vector overlaps the one before rather than running a narrower tail.
            int rows = Math.Min(4, batch - i);
            if (resetAfter)
            {
                for (int j = 0; j < hidden; j += w)
                {
                    Tile<TOps, TVector>(o, i, rows, Math.Min(j, hidden - w));
                }

                continue;
            }

            // Reset-before: the candidate's product needs whole rows of r ⊙ h, so finish the gates of these rows first.
            for (int j = 0; j < hidden; j += w)
            {
                GatesTile<TOps, TVector>(o, i, rows, Math.Min(j, hidden - w));
            }

            for (int j = 0; j < hidden; j += w)
            {
                CandidateTile<TOps, TVector>(o, i, rows, Math.Min(j, hidden - w));
            }
        }
    }

    /// <summary>Reset-before, first half: r and z of rows <c>i..i+rows</c> at columns <c>j</c>, and r ⊙ h into the record.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatesTile<TOps, TVector>(in StepOperands o, int i, int rows, int j)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int hidden = o.Hidden;
        nint ld = 3 * hidden, zOffset = hidden;
        ref float h0 = ref Unsafe.Add(ref o.Previous, (nint)i * hidden);
        ref float h1 = ref rows > 1 ? ref Unsafe.Add(ref h0, hidden) : ref h0;
        ref float h2 = ref rows > 2 ? ref Unsafe.Add(ref h1, hidden) : ref h1;
        ref float h3 = ref rows > 3 ? ref Unsafe.Add(ref h2, hidden) : ref h2;
        ref float wRow = ref Unsafe.Add(ref o.Weights, j);
        TVector r0 = TOps.Zero, z0 = TOps.Zero, r1 = TOps.Zero, z1 = TOps.Zero;
        TVector r2 = TOps.Zero, z2 = TOps.Zero, r3 = TOps.Zero, z3 = TOps.Zero;
        for (nint p = 0; p < hidden; p++)
        {
            TVector br = TOps.Load(ref wRow, 0);
            TVector bz = TOps.Load(ref wRow, zOffset);
            TVector a = TOps.Broadcast(Unsafe.Add(ref h0, p));
            r0 = TOps.MultiplyAdd(a, br, r0);
            z0 = TOps.MultiplyAdd(a, bz, z0);
            a = TOps.Broadcast(Unsafe.Add(ref h1, p));
            r1 = TOps.MultiplyAdd(a, br, r1);
            z1 = TOps.MultiplyAdd(a, bz, z1);
            a = TOps.Broadcast(Unsafe.Add(ref h2, p));
            r2 = TOps.MultiplyAdd(a, br, r2);
            z2 = TOps.MultiplyAdd(a, bz, z2);
            a = TOps.Broadcast(Unsafe.Add(ref h3, p));
            r3 = TOps.MultiplyAdd(a, br, r3);
            z3 = TOps.MultiplyAdd(a, bz, z3);
            wRow = ref Unsafe.Add(ref wRow, ld);
        }

        nint w = TOps.Count;
        ref float t = ref o.Tile;
        TOps.Store(r0, ref t, 0);
        TOps.Store(z0, ref t, w);
        TOps.Store(r1, ref t, 2 * w);
        TOps.Store(z1, ref t, 3 * w);
        TOps.Store(r2, ref t, 4 * w);
        TOps.Store(z2, ref t, 5 * w);
        TOps.Store(r3, ref t, 6 * w);
        TOps.Store(z3, ref t, 7 * w);
        for (int q = 0; q < rows; q++)
        {
            FinishGates<TOps, TVector>(o, i + q, j, TOps.Load(ref t, 2 * q * w), TOps.Load(ref t, ((2 * q) + 1) * w));
        }
    }

    /// <summary>
    /// As <see cref="GatesTile{TOps, TVector}"/> for rows <c>i..i+rows</c> (4 &lt; rows ≤ 8), 512-bit vectors only (16
    /// accumulators); each element's sum runs in the same order as in the 4-row tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatesTile8<TOps, TVector>(in StepOperands o, int i, int rows, int j)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int hidden = o.Hidden;
        nint ld = 3 * hidden, zOffset = hidden;
        ref float h0 = ref Unsafe.Add(ref o.Previous, (nint)i * hidden);
        ref float h1 = ref Unsafe.Add(ref h0, hidden);
        ref float h2 = ref Unsafe.Add(ref h1, hidden);
        ref float h3 = ref Unsafe.Add(ref h2, hidden);
        ref float h4 = ref Unsafe.Add(ref h3, hidden);
        ref float h5 = ref rows > 5 ? ref Unsafe.Add(ref h4, hidden) : ref h4;
        ref float h6 = ref rows > 6 ? ref Unsafe.Add(ref h5, hidden) : ref h5;
        ref float h7 = ref rows > 7 ? ref Unsafe.Add(ref h6, hidden) : ref h6;
        ref float wRow = ref Unsafe.Add(ref o.Weights, j);
        TVector r0 = TOps.Zero, z0 = TOps.Zero, r1 = TOps.Zero, z1 = TOps.Zero, r2 = TOps.Zero, z2 = TOps.Zero, r3 = TOps.Zero, z3 = TOps.Zero;
        TVector r4 = TOps.Zero, z4 = TOps.Zero, r5 = TOps.Zero, z5 = TOps.Zero, r6 = TOps.Zero, z6 = TOps.Zero, r7 = TOps.Zero, z7 = TOps.Zero;
        for (nint p = 0; p < hidden; p++)
        {
            TVector br = TOps.Load(ref wRow, 0);
            TVector bz = TOps.Load(ref wRow, zOffset);
            TVector a = TOps.Broadcast(Unsafe.Add(ref h0, p));
            r0 = TOps.MultiplyAdd(a, br, r0);
            z0 = TOps.MultiplyAdd(a, bz, z0);
            a = TOps.Broadcast(Unsafe.Add(ref h1, p));
            r1 = TOps.MultiplyAdd(a, br, r1);
            z1 = TOps.MultiplyAdd(a, bz, z1);
            a = TOps.Broadcast(Unsafe.Add(ref h2, p));
            r2 = TOps.MultiplyAdd(a, br, r2);
            z2 = TOps.MultiplyAdd(a, bz, z2);
            a = TOps.Broadcast(Unsafe.Add(ref h3, p));
            r3 = TOps.MultiplyAdd(a, br, r3);
            z3 = TOps.MultiplyAdd(a, bz, z3);
            a = TOps.Broadcast(Unsafe.Add(ref h4, p));
            r4 = TOps.MultiplyAdd(a, br, r4);
            z4 = TOps.MultiplyAdd(a, bz, z4);
            a = TOps.Broadcast(Unsafe.Add(ref h5, p));
            r5 = TOps.MultiplyAdd(a, br, r5);
            z5 = TOps.MultiplyAdd(a, bz, z5);
            a = TOps.Broadcast(Unsafe.Add(ref h6, p));
            r6 = TOps.MultiplyAdd(a, br, r6);
            z6 = TOps.MultiplyAdd(a, bz, z6);
            a = TOps.Broadcast(Unsafe.Add(ref h7, p));
            r7 = TOps.MultiplyAdd(a, br, r7);
            z7 = TOps.MultiplyAdd(a, bz, z7);
            wRow = ref Unsafe.Add(ref wRow, ld);
        }

        nint w = TOps.Count;
        ref float t = ref o.Tile;
        TOps.Store(r0, ref t, 0);
        TOps.Store(z0, ref t, w);
        TOps.Store(r1, ref t, 2 * w);
        TOps.Store(z1, ref t, 3 * w);
        TOps.Store(r2, ref t, 4 * w);
        TOps.Store(z2, ref t, 5 * w);
        TOps.Store(r3, ref t, 6 * w);
        TOps.Store(z3, ref t, 7 * w);
        TOps.Store(r4, ref t, 8 * w);
        TOps.Store(z4, ref t, 9 * w);
        TOps.Store(r5, ref t, 10 * w);
        TOps.Store(z5, ref t, 11 * w);
        TOps.Store(r6, ref t, 12 * w);
        TOps.Store(z6, ref t, 13 * w);
        TOps.Store(r7, ref t, 14 * w);
        TOps.Store(z7, ref t, 15 * w);
        for (int q = 0; q < rows; q++)
        {
            FinishGates<TOps, TVector>(o, i + q, j, TOps.Load(ref t, 2 * q * w), TOps.Load(ref t, ((2 * q) + 1) * w));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishGates<TOps, TVector>(in StepOperands o, int row, int j, TVector accR, TVector accZ)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        nint hidden = o.Hidden;
        ref float x = ref Unsafe.Add(ref o.Projection, (row * 3 * hidden) + j);
        TVector r = SimdActivations.Sigmoid<TOps, TVector>(TOps.Add(accR, TOps.Load(ref x, 0)));
        TVector z = SimdActivations.Sigmoid<TOps, TVector>(TOps.Add(accZ, TOps.Load(ref x, hidden)));
        ref float cache = ref Unsafe.Add(ref o.Record, (row * 4 * hidden) + j);
        TOps.Store(r, ref cache, 0);
        TOps.Store(z, ref cache, hidden);
        TOps.Store(TOps.Multiply(r, TOps.Load(ref o.Previous, (row * hidden) + j)), ref cache, 3 * hidden);
    }

    /// <summary>
    /// Reset-before, second half: <c>(r ⊙ h)·W_hn</c> of rows <c>i..i+rows</c> at columns <c>j</c>, then the candidate
    /// and the blend. One vector per row, so the reduction is split into even and odd steps: eight independent chains.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CandidateTile<TOps, TVector>(in StepOperands o, int i, int rows, int j)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int hidden = o.Hidden;
        nint ld = 3 * hidden, width = 4 * hidden;
        ref float s0 = ref Unsafe.Add(ref o.Record, ((nint)i * width) + (3 * hidden));
        ref float s1 = ref rows > 1 ? ref Unsafe.Add(ref s0, width) : ref s0;
        ref float s2 = ref rows > 2 ? ref Unsafe.Add(ref s1, width) : ref s1;
        ref float s3 = ref rows > 3 ? ref Unsafe.Add(ref s2, width) : ref s2;
        ref float wRow = ref Unsafe.Add(ref o.Weights, (2 * hidden) + j);
        TVector c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero;
        TVector d0 = TOps.Zero, d1 = TOps.Zero, d2 = TOps.Zero, d3 = TOps.Zero;
        nint p = 0;
        for (; p + 1 < hidden; p += 2)
        {
            TVector b0 = TOps.Load(ref wRow, 0);
            TVector b1 = TOps.Load(ref wRow, ld);
            c0 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s0, p)), b0, c0);
            c1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s1, p)), b0, c1);
            c2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s2, p)), b0, c2);
            c3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s3, p)), b0, c3);
            d0 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s0, p + 1)), b1, d0);
            d1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s1, p + 1)), b1, d1);
            d2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s2, p + 1)), b1, d2);
            d3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s3, p + 1)), b1, d3);
            wRow = ref Unsafe.Add(ref wRow, 2 * ld);
        }

        if (p < hidden)
        {
            TVector b0 = TOps.Load(ref wRow, 0);
            c0 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s0, p)), b0, c0);
            c1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s1, p)), b0, c1);
            c2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s2, p)), b0, c2);
            c3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s3, p)), b0, c3);
        }

        FinishCandidate<TOps, TVector>(o, i, j, TOps.Add(c0, d0));
        if (rows > 1)
        {
            FinishCandidate<TOps, TVector>(o, i + 1, j, TOps.Add(c1, d1));
        }

        if (rows > 2)
        {
            FinishCandidate<TOps, TVector>(o, i + 2, j, TOps.Add(c2, d2));
        }

        if (rows > 3)
        {
            FinishCandidate<TOps, TVector>(o, i + 3, j, TOps.Add(c3, d3));
        }
    }

    /// <summary>
    /// As <see cref="CandidateTile{TOps, TVector}"/> for rows <c>i..i+rows</c> (4 &lt; rows ≤ 8), 512-bit vectors only (16
    /// accumulators), with the same even/odd split of the reduction, so each element's sum runs in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CandidateTile8<TOps, TVector>(in StepOperands o, int i, int rows, int j)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int hidden = o.Hidden;
        nint ld = 3 * hidden, width = 4 * hidden;
        ref float s0 = ref Unsafe.Add(ref o.Record, ((nint)i * width) + (3 * hidden));
        ref float s1 = ref Unsafe.Add(ref s0, width);
        ref float s2 = ref Unsafe.Add(ref s1, width);
        ref float s3 = ref Unsafe.Add(ref s2, width);
        ref float s4 = ref Unsafe.Add(ref s3, width);
        ref float s5 = ref rows > 5 ? ref Unsafe.Add(ref s4, width) : ref s4;
        ref float s6 = ref rows > 6 ? ref Unsafe.Add(ref s5, width) : ref s5;
        ref float s7 = ref rows > 7 ? ref Unsafe.Add(ref s6, width) : ref s6;
        ref float wRow = ref Unsafe.Add(ref o.Weights, (2 * hidden) + j);
        TVector c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero, c4 = TOps.Zero, c5 = TOps.Zero, c6 = TOps.Zero, c7 = TOps.Zero;
        TVector d0 = TOps.Zero, d1 = TOps.Zero, d2 = TOps.Zero, d3 = TOps.Zero, d4 = TOps.Zero, d5 = TOps.Zero, d6 = TOps.Zero, d7 = TOps.Zero;
        nint p = 0;
        for (; p + 1 < hidden; p += 2)
        {
            TVector b0 = TOps.Load(ref wRow, 0);
            TVector b1 = TOps.Load(ref wRow, ld);
            c0 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s0, p)), b0, c0);
            c1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s1, p)), b0, c1);
            c2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s2, p)), b0, c2);
            c3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s3, p)), b0, c3);
            c4 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s4, p)), b0, c4);
            c5 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s5, p)), b0, c5);
            c6 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s6, p)), b0, c6);
            c7 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s7, p)), b0, c7);
            d0 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s0, p + 1)), b1, d0);
            d1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s1, p + 1)), b1, d1);
            d2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s2, p + 1)), b1, d2);
            d3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s3, p + 1)), b1, d3);
            d4 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s4, p + 1)), b1, d4);
            d5 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s5, p + 1)), b1, d5);
            d6 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s6, p + 1)), b1, d6);
            d7 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s7, p + 1)), b1, d7);
            wRow = ref Unsafe.Add(ref wRow, 2 * ld);
        }

        if (p < hidden)
        {
            TVector b0 = TOps.Load(ref wRow, 0);
            c0 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s0, p)), b0, c0);
            c1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s1, p)), b0, c1);
            c2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s2, p)), b0, c2);
            c3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s3, p)), b0, c3);
            c4 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s4, p)), b0, c4);
            c5 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s5, p)), b0, c5);
            c6 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s6, p)), b0, c6);
            c7 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref s7, p)), b0, c7);
        }

        nint w = TOps.Count;
        ref float t = ref o.Tile;
        TOps.Store(TOps.Add(c0, d0), ref t, 0);
        TOps.Store(TOps.Add(c1, d1), ref t, w);
        TOps.Store(TOps.Add(c2, d2), ref t, 2 * w);
        TOps.Store(TOps.Add(c3, d3), ref t, 3 * w);
        TOps.Store(TOps.Add(c4, d4), ref t, 4 * w);
        TOps.Store(TOps.Add(c5, d5), ref t, 5 * w);
        TOps.Store(TOps.Add(c6, d6), ref t, 6 * w);
        TOps.Store(TOps.Add(c7, d7), ref t, 7 * w);
        for (int q = 0; q < rows; q++)
        {
            FinishCandidate<TOps, TVector>(o, i + q, j, TOps.Load(ref t, q * w));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishCandidate<TOps, TVector>(in StepOperands o, int row, int j, TVector acc)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        nint hidden = o.Hidden;
        ref float cache = ref Unsafe.Add(ref o.Record, (row * 4 * hidden) + j);
        TVector n = SimdActivations.Tanh<TOps, TVector>(TOps.Add(acc, TOps.Load(ref o.Projection, (row * 3 * hidden) + (2 * hidden) + j)));
        nint at = (row * hidden) + j;
        TOps.Store(TOps.Lerp(n, TOps.Load(ref o.Previous, at), TOps.Load(ref cache, hidden)), ref o.State, at);
        if (o.Recording)
        {
            TOps.Store(n, ref cache, 2 * hidden);
        }
    }

    /// <summary>Rows <c>i..i+rows</c> (rows ≤ 4) × one vector of columns at <c>j</c> in each gate block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TOps, TVector>(in StepOperands o, int i, int rows, int j)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int hidden = o.Hidden;
        nint ld = 3 * hidden;
        ref float h0 = ref Unsafe.Add(ref o.Previous, (nint)i * hidden);
        ref float h1 = ref rows > 1 ? ref Unsafe.Add(ref h0, hidden) : ref h0;
        ref float h2 = ref rows > 2 ? ref Unsafe.Add(ref h1, hidden) : ref h1;
        ref float h3 = ref rows > 3 ? ref Unsafe.Add(ref h2, hidden) : ref h2;
        ref float wRow = ref Unsafe.Add(ref o.Weights, j);
        nint zOffset = hidden, nOffset = 2 * hidden;

        TVector r0 = TOps.Zero, z0 = TOps.Zero, n0 = TOps.Zero;
        TVector r1 = TOps.Zero, z1 = TOps.Zero, n1 = TOps.Zero;
        TVector r2 = TOps.Zero, z2 = TOps.Zero, n2 = TOps.Zero;
        TVector r3 = TOps.Zero, z3 = TOps.Zero, n3 = TOps.Zero;
        for (nint p = 0; p < hidden; p++)
        {
            TVector br = TOps.Load(ref wRow, 0);
            TVector bz = TOps.Load(ref wRow, zOffset);
            TVector bn = TOps.Load(ref wRow, nOffset);
            TVector a = TOps.Broadcast(Unsafe.Add(ref h0, p));
            r0 = TOps.MultiplyAdd(a, br, r0);
            z0 = TOps.MultiplyAdd(a, bz, z0);
            n0 = TOps.MultiplyAdd(a, bn, n0);
            a = TOps.Broadcast(Unsafe.Add(ref h1, p));
            r1 = TOps.MultiplyAdd(a, br, r1);
            z1 = TOps.MultiplyAdd(a, bz, z1);
            n1 = TOps.MultiplyAdd(a, bn, n1);
            a = TOps.Broadcast(Unsafe.Add(ref h2, p));
            r2 = TOps.MultiplyAdd(a, br, r2);
            z2 = TOps.MultiplyAdd(a, bz, z2);
            n2 = TOps.MultiplyAdd(a, bn, n2);
            a = TOps.Broadcast(Unsafe.Add(ref h3, p));
            r3 = TOps.MultiplyAdd(a, br, r3);
            z3 = TOps.MultiplyAdd(a, bz, z3);
            n3 = TOps.MultiplyAdd(a, bn, n3);
            wRow = ref Unsafe.Add(ref wRow, ld);
        }

        // Through memory rather than four inlined epilogues: with all twelve accumulators live, the activations spilled
        // heavily at 16 vector registers (AVX2), and the step at hidden 64 was slower than the unfused path there.
        nint w = TOps.Count;
        ref float t = ref o.Tile;
        TOps.Store(r0, ref t, 0);
        TOps.Store(z0, ref t, w);
        TOps.Store(n0, ref t, 2 * w);
        TOps.Store(r1, ref t, 3 * w);
        TOps.Store(z1, ref t, 4 * w);
        TOps.Store(n1, ref t, 5 * w);
        TOps.Store(r2, ref t, 6 * w);
        TOps.Store(z2, ref t, 7 * w);
        TOps.Store(n2, ref t, 8 * w);
        TOps.Store(r3, ref t, 9 * w);
        TOps.Store(z3, ref t, 10 * w);
        TOps.Store(n3, ref t, 11 * w);
        for (int q = 0; q < rows; q++)
        {
            nint at = 3 * q * w;
            Finish<TOps, TVector>(o, i + q, j, TOps.Load(ref t, at), TOps.Load(ref t, at + w), TOps.Load(ref t, at + (2 * w)));
        }
    }

    /// <summary>
    /// As <see cref="Tile{TOps, TVector}"/> for rows <c>i..i+rows</c> (4 &lt; rows ≤ 8), for 512-bit vectors only: 24
    /// accumulators and 3 weight vectors do not fit AVX2's 16 registers. Every element's sum runs in the same order as
    /// in the 4-row tile, so the bits do not depend on which tile a row falls in.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8<TOps, TVector>(in StepOperands o, int i, int rows, int j)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int hidden = o.Hidden;
        nint ld = 3 * hidden;
        ref float h0 = ref Unsafe.Add(ref o.Previous, (nint)i * hidden);
        ref float h1 = ref Unsafe.Add(ref h0, hidden);
        ref float h2 = ref Unsafe.Add(ref h1, hidden);
        ref float h3 = ref Unsafe.Add(ref h2, hidden);
        ref float h4 = ref Unsafe.Add(ref h3, hidden);
        ref float h5 = ref rows > 5 ? ref Unsafe.Add(ref h4, hidden) : ref h4;
        ref float h6 = ref rows > 6 ? ref Unsafe.Add(ref h5, hidden) : ref h5;
        ref float h7 = ref rows > 7 ? ref Unsafe.Add(ref h6, hidden) : ref h6;
        ref float wRow = ref Unsafe.Add(ref o.Weights, j);
        nint zOffset = hidden, nOffset = 2 * hidden;

        TVector r0 = TOps.Zero, z0 = TOps.Zero, n0 = TOps.Zero, r1 = TOps.Zero, z1 = TOps.Zero, n1 = TOps.Zero;
        TVector r2 = TOps.Zero, z2 = TOps.Zero, n2 = TOps.Zero, r3 = TOps.Zero, z3 = TOps.Zero, n3 = TOps.Zero;
        TVector r4 = TOps.Zero, z4 = TOps.Zero, n4 = TOps.Zero, r5 = TOps.Zero, z5 = TOps.Zero, n5 = TOps.Zero;
        TVector r6 = TOps.Zero, z6 = TOps.Zero, n6 = TOps.Zero, r7 = TOps.Zero, z7 = TOps.Zero, n7 = TOps.Zero;
        for (nint p = 0; p < hidden; p++)
        {
            TVector br = TOps.Load(ref wRow, 0);
            TVector bz = TOps.Load(ref wRow, zOffset);
            TVector bn = TOps.Load(ref wRow, nOffset);
            TVector a = TOps.Broadcast(Unsafe.Add(ref h0, p));
            r0 = TOps.MultiplyAdd(a, br, r0);
            z0 = TOps.MultiplyAdd(a, bz, z0);
            n0 = TOps.MultiplyAdd(a, bn, n0);
            a = TOps.Broadcast(Unsafe.Add(ref h1, p));
            r1 = TOps.MultiplyAdd(a, br, r1);
            z1 = TOps.MultiplyAdd(a, bz, z1);
            n1 = TOps.MultiplyAdd(a, bn, n1);
            a = TOps.Broadcast(Unsafe.Add(ref h2, p));
            r2 = TOps.MultiplyAdd(a, br, r2);
            z2 = TOps.MultiplyAdd(a, bz, z2);
            n2 = TOps.MultiplyAdd(a, bn, n2);
            a = TOps.Broadcast(Unsafe.Add(ref h3, p));
            r3 = TOps.MultiplyAdd(a, br, r3);
            z3 = TOps.MultiplyAdd(a, bz, z3);
            n3 = TOps.MultiplyAdd(a, bn, n3);
            a = TOps.Broadcast(Unsafe.Add(ref h4, p));
            r4 = TOps.MultiplyAdd(a, br, r4);
            z4 = TOps.MultiplyAdd(a, bz, z4);
            n4 = TOps.MultiplyAdd(a, bn, n4);
            a = TOps.Broadcast(Unsafe.Add(ref h5, p));
            r5 = TOps.MultiplyAdd(a, br, r5);
            z5 = TOps.MultiplyAdd(a, bz, z5);
            n5 = TOps.MultiplyAdd(a, bn, n5);
            a = TOps.Broadcast(Unsafe.Add(ref h6, p));
            r6 = TOps.MultiplyAdd(a, br, r6);
            z6 = TOps.MultiplyAdd(a, bz, z6);
            n6 = TOps.MultiplyAdd(a, bn, n6);
            a = TOps.Broadcast(Unsafe.Add(ref h7, p));
            r7 = TOps.MultiplyAdd(a, br, r7);
            z7 = TOps.MultiplyAdd(a, bz, z7);
            n7 = TOps.MultiplyAdd(a, bn, n7);
            wRow = ref Unsafe.Add(ref wRow, ld);
        }

        nint w = TOps.Count;
        ref float t = ref o.Tile;
        TOps.Store(r0, ref t, 0);
        TOps.Store(z0, ref t, w);
        TOps.Store(n0, ref t, 2 * w);
        TOps.Store(r1, ref t, 3 * w);
        TOps.Store(z1, ref t, 4 * w);
        TOps.Store(n1, ref t, 5 * w);
        TOps.Store(r2, ref t, 6 * w);
        TOps.Store(z2, ref t, 7 * w);
        TOps.Store(n2, ref t, 8 * w);
        TOps.Store(r3, ref t, 9 * w);
        TOps.Store(z3, ref t, 10 * w);
        TOps.Store(n3, ref t, 11 * w);
        TOps.Store(r4, ref t, 12 * w);
        TOps.Store(z4, ref t, 13 * w);
        TOps.Store(n4, ref t, 14 * w);
        TOps.Store(r5, ref t, 15 * w);
        TOps.Store(z5, ref t, 16 * w);
        TOps.Store(n5, ref t, 17 * w);
        TOps.Store(r6, ref t, 18 * w);
        TOps.Store(z6, ref t, 19 * w);
        TOps.Store(n6, ref t, 20 * w);
        TOps.Store(r7, ref t, 21 * w);
        TOps.Store(z7, ref t, 22 * w);
        TOps.Store(n7, ref t, 23 * w);
        for (int q = 0; q < rows; q++)
        {
            nint at = 3 * q * w;
            Finish<TOps, TVector>(o, i + q, j, TOps.Load(ref t, at), TOps.Load(ref t, at + w), TOps.Load(ref t, at + (2 * w)));
        }
    }

    /// <summary>The gates, the candidate and the blend of one row's vector, from its three accumulated products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TOps, TVector>(in StepOperands o, int row, int j, TVector accR, TVector accZ, TVector accN)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        nint hidden = o.Hidden;
        ref float x = ref Unsafe.Add(ref o.Projection, (row * 3 * hidden) + j);
        ref float bias = ref Unsafe.Add(ref o.Bias, j);

        // Same association as the unfused path: (product + recurrent bias) + input projection.
        TVector r = SimdActivations.Sigmoid<TOps, TVector>(TOps.Add(TOps.Add(accR, TOps.Load(ref bias, 0)), TOps.Load(ref x, 0)));
        TVector z = SimdActivations.Sigmoid<TOps, TVector>(TOps.Add(TOps.Add(accZ, TOps.Load(ref bias, hidden)), TOps.Load(ref x, hidden)));
        TVector recurrentN = TOps.Add(accN, TOps.Load(ref bias, 2 * hidden));
        TVector n = SimdActivations.Tanh<TOps, TVector>(TOps.Add(TOps.Multiply(r, recurrentN), TOps.Load(ref x, 2 * hidden)));
        nint at = (row * hidden) + j;
        TOps.Store(TOps.Lerp(n, TOps.Load(ref o.Previous, at), z), ref o.State, at);
        if (o.Recording)
        {
            ref float cache = ref Unsafe.Add(ref o.Record, (row * 4 * hidden) + j);
            TOps.Store(r, ref cache, 0);
            TOps.Store(z, ref cache, hidden);
            TOps.Store(n, ref cache, 2 * hidden);
            TOps.Store(recurrentN, ref cache, 3 * hidden);
        }
    }

    /// <summary>The operands of one step as references, so one generic tile serves every width.</summary>
    private readonly ref struct StepOperands(ReadOnlySpan<float> previous, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> projection, Span<float> state, Span<float> record, int hidden, bool recording, Span<float> tile)
    {
        /// <summary>Room for a tile's accumulators: 24 of the widest vector (the 8-row tile).</summary>
        public const int TileLength = 24 * 16;

        /// <summary>Where a tile parks its accumulators so that its rows are finished one at a time.</summary>
        public readonly ref float Tile = ref MemoryMarshal.GetReference(tile);
        public readonly ref float Previous = ref MemoryMarshal.GetReference(previous);
        public readonly ref float Weights = ref MemoryMarshal.GetReference(weights);
        public readonly ref float Bias = ref MemoryMarshal.GetReference(bias);
        public readonly ref float Projection = ref MemoryMarshal.GetReference(projection);
        public readonly ref float State = ref MemoryMarshal.GetReference(state);
        public readonly ref float Record = ref MemoryMarshal.GetReference(record);
        public readonly int Hidden = hidden;
        public readonly bool Recording = recording;
    }
}
