using System.Runtime.CompilerServices;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// Register-blocked GEMM micro-kernels: <c>C[0..4, 0..v·W] = alpha·A·B + beta·C</c> for one 4-row tile, where
/// <c>W</c> is the vector width and <c>v ∈ {1, 2, 3}</c> the number of vectors per row. The widest (4×3W: 12
/// accumulators, 3 loads of B and 4 broadcasts of A per step of <c>p</c>) is the workhorse; the narrower two only
/// finish panels at the right edge of C, so that an n such as 64 does not pay for a 96-wide tile.
/// </summary>
/// <remarks>
/// <para>Operand layout: <c>A[r, p] = a[r·aRowStride + p·aStride]</c> (a packed panel has strides 1 and 4; a
/// row-major A is read in place with strides lda and 1) and <c>B[p, j] = b[p·bStride + j]</c> (a packed panel, or
/// a row-major B read in place with bStride = ldb).</para>
/// <para>When <c>beta</c> is 0, C is only written, never read, so NaN or garbage in it is ignored.</para>
/// </remarks>
internal static class GemmKernels
{
    /// <summary>Rows of C per micro-tile.</summary>
    public const int TileRows = 4;

    /// <summary>Most vectors per micro-tile row.</summary>
    public const int MaxTileVectors = 3;

    /// <summary>4 × 3W tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile4x3<TOps, TVector>(
        int kc, ref float a, nint aRowStride, nint aStride, ref float b, nint bStride, float alpha, float beta, ref float c, nint ldc)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        nint w = TOps.Count;
        TVector c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero;
        TVector c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero;
        TVector c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero;
        TVector c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero;
        ref float a1 = ref Unsafe.Add(ref a, aRowStride);
        ref float a2 = ref Unsafe.Add(ref a1, aRowStride);
        ref float a3 = ref Unsafe.Add(ref a2, aRowStride);
        for (int p = 0; p < kc; p++)
        {
            TVector b0 = TOps.Load(ref b, 0);
            TVector b1 = TOps.Load(ref b, w);
            TVector b2 = TOps.Load(ref b, 2 * w);
            TVector ar = TOps.Broadcast(a);
            c00 = TOps.MultiplyAdd(ar, b0, c00);
            c01 = TOps.MultiplyAdd(ar, b1, c01);
            c02 = TOps.MultiplyAdd(ar, b2, c02);
            ar = TOps.Broadcast(a1);
            c10 = TOps.MultiplyAdd(ar, b0, c10);
            c11 = TOps.MultiplyAdd(ar, b1, c11);
            c12 = TOps.MultiplyAdd(ar, b2, c12);
            ar = TOps.Broadcast(a2);
            c20 = TOps.MultiplyAdd(ar, b0, c20);
            c21 = TOps.MultiplyAdd(ar, b1, c21);
            c22 = TOps.MultiplyAdd(ar, b2, c22);
            ar = TOps.Broadcast(a3);
            c30 = TOps.MultiplyAdd(ar, b0, c30);
            c31 = TOps.MultiplyAdd(ar, b1, c31);
            c32 = TOps.MultiplyAdd(ar, b2, c32);
            a = ref Unsafe.Add(ref a, aStride);
            a1 = ref Unsafe.Add(ref a1, aStride);
            a2 = ref Unsafe.Add(ref a2, aStride);
            a3 = ref Unsafe.Add(ref a3, aStride);
            b = ref Unsafe.Add(ref b, bStride);
        }

        TVector va = TOps.Broadcast(alpha);
        TVector vb = TOps.Broadcast(beta);
        bool overwrite = beta == 0f;
        UpdateRow<TOps, TVector>(c00, c01, c02, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c10, c11, c12, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c20, c21, c22, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c30, c31, c32, ref c, va, vb, overwrite);
    }

    /// <summary>Rows of C per widest micro-tile on the 512-bit path (<see cref="Tile8x3{TOps, TVector}"/>).</summary>
    public const int WideTileRows = 2 * TileRows;

    /// <summary>
    /// 8 × 3W tile over a packed A panel <c>a[p·8 + r]</c>: 24 accumulators, so each vector of B loaded from L2 feeds
    /// eight FMAs instead of four. Only for 32 vector registers (AVX-512): at 16 the accumulators would spill. Every
    /// element is summed over p in the same order as <see cref="Tile4x3{TOps, TVector}"/>, so the two give the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x3<TOps, TVector>(int kc, ref float a, ref float b, nint bStride, float alpha, float beta, ref float c, nint ldc)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        nint w = TOps.Count;
        TVector c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero;
        TVector c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero;
        TVector c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero;
        TVector c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero;
        TVector c40 = TOps.Zero, c41 = TOps.Zero, c42 = TOps.Zero;
        TVector c50 = TOps.Zero, c51 = TOps.Zero, c52 = TOps.Zero;
        TVector c60 = TOps.Zero, c61 = TOps.Zero, c62 = TOps.Zero;
        TVector c70 = TOps.Zero, c71 = TOps.Zero, c72 = TOps.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVector b0 = TOps.Load(ref b, 0);
            TVector b1 = TOps.Load(ref b, w);
            TVector b2 = TOps.Load(ref b, 2 * w);
            TVector ar = TOps.Broadcast(a);
            c00 = TOps.MultiplyAdd(ar, b0, c00);
            c01 = TOps.MultiplyAdd(ar, b1, c01);
            c02 = TOps.MultiplyAdd(ar, b2, c02);
            ar = TOps.Broadcast(Unsafe.Add(ref a, 1));
            c10 = TOps.MultiplyAdd(ar, b0, c10);
            c11 = TOps.MultiplyAdd(ar, b1, c11);
            c12 = TOps.MultiplyAdd(ar, b2, c12);
            ar = TOps.Broadcast(Unsafe.Add(ref a, 2));
            c20 = TOps.MultiplyAdd(ar, b0, c20);
            c21 = TOps.MultiplyAdd(ar, b1, c21);
            c22 = TOps.MultiplyAdd(ar, b2, c22);
            ar = TOps.Broadcast(Unsafe.Add(ref a, 3));
            c30 = TOps.MultiplyAdd(ar, b0, c30);
            c31 = TOps.MultiplyAdd(ar, b1, c31);
            c32 = TOps.MultiplyAdd(ar, b2, c32);
            ar = TOps.Broadcast(Unsafe.Add(ref a, 4));
            c40 = TOps.MultiplyAdd(ar, b0, c40);
            c41 = TOps.MultiplyAdd(ar, b1, c41);
            c42 = TOps.MultiplyAdd(ar, b2, c42);
            ar = TOps.Broadcast(Unsafe.Add(ref a, 5));
            c50 = TOps.MultiplyAdd(ar, b0, c50);
            c51 = TOps.MultiplyAdd(ar, b1, c51);
            c52 = TOps.MultiplyAdd(ar, b2, c52);
            ar = TOps.Broadcast(Unsafe.Add(ref a, 6));
            c60 = TOps.MultiplyAdd(ar, b0, c60);
            c61 = TOps.MultiplyAdd(ar, b1, c61);
            c62 = TOps.MultiplyAdd(ar, b2, c62);
            ar = TOps.Broadcast(Unsafe.Add(ref a, 7));
            c70 = TOps.MultiplyAdd(ar, b0, c70);
            c71 = TOps.MultiplyAdd(ar, b1, c71);
            c72 = TOps.MultiplyAdd(ar, b2, c72);
            a = ref Unsafe.Add(ref a, WideTileRows);
            b = ref Unsafe.Add(ref b, bStride);
        }

        TVector va = TOps.Broadcast(alpha);
        TVector vb = TOps.Broadcast(beta);
        bool overwrite = beta == 0f;
        UpdateRow<TOps, TVector>(c00, c01, c02, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c10, c11, c12, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c20, c21, c22, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c30, c31, c32, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c40, c41, c42, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c50, c51, c52, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c60, c61, c62, ref c, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        UpdateRow<TOps, TVector>(c70, c71, c72, ref c, va, vb, overwrite);
    }

    /// <summary>4 × 2W tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile4x2<TOps, TVector>(
        int kc, ref float a, nint aRowStride, nint aStride, ref float b, nint bStride, float alpha, float beta, ref float c, nint ldc)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        nint w = TOps.Count;
        TVector c00 = TOps.Zero, c01 = TOps.Zero;
        TVector c10 = TOps.Zero, c11 = TOps.Zero;
        TVector c20 = TOps.Zero, c21 = TOps.Zero;
        TVector c30 = TOps.Zero, c31 = TOps.Zero;
        ref float a1 = ref Unsafe.Add(ref a, aRowStride);
        ref float a2 = ref Unsafe.Add(ref a1, aRowStride);
        ref float a3 = ref Unsafe.Add(ref a2, aRowStride);
        for (int p = 0; p < kc; p++)
        {
            TVector b0 = TOps.Load(ref b, 0);
            TVector b1 = TOps.Load(ref b, w);
            TVector ar = TOps.Broadcast(a);
            c00 = TOps.MultiplyAdd(ar, b0, c00);
            c01 = TOps.MultiplyAdd(ar, b1, c01);
            ar = TOps.Broadcast(a1);
            c10 = TOps.MultiplyAdd(ar, b0, c10);
            c11 = TOps.MultiplyAdd(ar, b1, c11);
            ar = TOps.Broadcast(a2);
            c20 = TOps.MultiplyAdd(ar, b0, c20);
            c21 = TOps.MultiplyAdd(ar, b1, c21);
            ar = TOps.Broadcast(a3);
            c30 = TOps.MultiplyAdd(ar, b0, c30);
            c31 = TOps.MultiplyAdd(ar, b1, c31);
            a = ref Unsafe.Add(ref a, aStride);
            a1 = ref Unsafe.Add(ref a1, aStride);
            a2 = ref Unsafe.Add(ref a2, aStride);
            a3 = ref Unsafe.Add(ref a3, aStride);
            b = ref Unsafe.Add(ref b, bStride);
        }

        TVector va = TOps.Broadcast(alpha);
        TVector vb = TOps.Broadcast(beta);
        bool overwrite = beta == 0f;
        Update<TOps, TVector>(c00, ref c, 0, va, vb, overwrite);
        Update<TOps, TVector>(c01, ref c, w, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        Update<TOps, TVector>(c10, ref c, 0, va, vb, overwrite);
        Update<TOps, TVector>(c11, ref c, w, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        Update<TOps, TVector>(c20, ref c, 0, va, vb, overwrite);
        Update<TOps, TVector>(c21, ref c, w, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        Update<TOps, TVector>(c30, ref c, 0, va, vb, overwrite);
        Update<TOps, TVector>(c31, ref c, w, va, vb, overwrite);
    }

    /// <summary>4 × W tile; p is unrolled by two so that eight independent chains hide the FMA latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile4x1<TOps, TVector>(
        int kc, ref float a, nint aRowStride, nint aStride, ref float b, nint bStride, float alpha, float beta, ref float c, nint ldc)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        TVector c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero;
        TVector d0 = TOps.Zero, d1 = TOps.Zero, d2 = TOps.Zero, d3 = TOps.Zero;
        ref float a1 = ref Unsafe.Add(ref a, aRowStride);
        ref float a2 = ref Unsafe.Add(ref a1, aRowStride);
        ref float a3 = ref Unsafe.Add(ref a2, aRowStride);
        int p = 0;
        for (; p + 1 < kc; p += 2)
        {
            TVector b0 = TOps.Load(ref b, 0);
            TVector b1 = TOps.Load(ref b, bStride);
            c0 = TOps.MultiplyAdd(TOps.Broadcast(a), b0, c0);
            c1 = TOps.MultiplyAdd(TOps.Broadcast(a1), b0, c1);
            c2 = TOps.MultiplyAdd(TOps.Broadcast(a2), b0, c2);
            c3 = TOps.MultiplyAdd(TOps.Broadcast(a3), b0, c3);
            d0 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a, aStride)), b1, d0);
            d1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a1, aStride)), b1, d1);
            d2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a2, aStride)), b1, d2);
            d3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a3, aStride)), b1, d3);
            a = ref Unsafe.Add(ref a, 2 * aStride);
            a1 = ref Unsafe.Add(ref a1, 2 * aStride);
            a2 = ref Unsafe.Add(ref a2, 2 * aStride);
            a3 = ref Unsafe.Add(ref a3, 2 * aStride);
            b = ref Unsafe.Add(ref b, 2 * bStride);
        }

        if (p < kc)
        {
            TVector b0 = TOps.Load(ref b, 0);
            c0 = TOps.MultiplyAdd(TOps.Broadcast(a), b0, c0);
            c1 = TOps.MultiplyAdd(TOps.Broadcast(a1), b0, c1);
            c2 = TOps.MultiplyAdd(TOps.Broadcast(a2), b0, c2);
            c3 = TOps.MultiplyAdd(TOps.Broadcast(a3), b0, c3);
        }

        TVector va = TOps.Broadcast(alpha);
        TVector vb = TOps.Broadcast(beta);
        bool overwrite = beta == 0f;
        Update<TOps, TVector>(TOps.Add(c0, d0), ref c, 0, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        Update<TOps, TVector>(TOps.Add(c1, d1), ref c, 0, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        Update<TOps, TVector>(TOps.Add(c2, d2), ref c, 0, va, vb, overwrite);
        c = ref Unsafe.Add(ref c, ldc);
        Update<TOps, TVector>(TOps.Add(c3, d3), ref c, 0, va, vb, overwrite);
    }

    /// <summary>Runs the tile kernel for <paramref name="vectors"/> vectors per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile<TOps, TVector>(
        int vectors, int kc, ref float a, nint aRowStride, nint aStride, ref float b, nint bStride, float alpha, float beta, ref float c, nint ldc)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        switch (vectors)
        {
            case 3:
                Tile4x3<TOps, TVector>(kc, ref a, aRowStride, aStride, ref b, bStride, alpha, beta, ref c, ldc);
                break;
            case 2:
                Tile4x2<TOps, TVector>(kc, ref a, aRowStride, aStride, ref b, bStride, alpha, beta, ref c, ldc);
                break;
            default:
                Tile4x1<TOps, TVector>(kc, ref a, aRowStride, aStride, ref b, bStride, alpha, beta, ref c, ldc);
                break;
        }
    }

    /// <summary>One row of a 3-vector tile: <see cref="Update{TOps, TVector}"/> of its three accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow<TOps, TVector>(TVector acc0, TVector acc1, TVector acc2, ref float c, TVector alpha, TVector beta, bool overwrite)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        nint w = TOps.Count;
        Update<TOps, TVector>(acc0, ref c, 0, alpha, beta, overwrite);
        Update<TOps, TVector>(acc1, ref c, w, alpha, beta, overwrite);
        Update<TOps, TVector>(acc2, ref c, 2 * w, alpha, beta, overwrite);
    }

    /// <summary><c>c[offset..] = alpha·acc + beta·c[offset..]</c>, without reading c when <paramref name="overwrite"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TOps, TVector>(TVector acc, ref float c, nint offset, TVector alpha, TVector beta, bool overwrite)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        TVector result = overwrite
            ? TOps.Multiply(acc, alpha)
            : TOps.MultiplyAdd(acc, alpha, TOps.Multiply(beta, TOps.Load(ref c, offset)));
        TOps.Store(result, ref c, offset);
    }
}
