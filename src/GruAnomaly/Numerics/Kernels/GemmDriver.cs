using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// Cache-blocked driver around <see cref="GemmKernels"/>: <c>c = alpha·op(a)·op(b) + beta·c</c> on row-major
/// storage. Arguments are trusted (validated by <see cref="Gemm"/>); m, n and k are positive and alpha is not 0.
/// </summary>
/// <remarks>
/// Blocking follows the GotoBLAS/BLIS scheme with the roles of A and B swapped to suit row-major C (vectors run
/// along rows of C, so B supplies vectors and A supplies broadcasts): a kc×nc block of op(b) is packed once into
/// panels and stays in L2, each row panel of op(a) (4 rows, or 8 on the 512-bit path: 4·kc or 8·kc floats) stays in
/// L1 while the kernel sweeps the block. Each k block of op(a) is packed once for all column blocks, and each panel
/// of b is packed right before its first use. Operands the kernel can stream directly are read in place: four rows
/// of a row-major A on the 256-bit and narrower paths, and a row-major B when too few rows of A would reuse a
/// packed copy.
/// </remarks>
internal static class GemmDriver
{
    /// <summary>Depth of a k block: a 4-row A panel is 4 KiB (8 rows: 8 KiB) and a 3-vector B panel 24–48 KiB.</summary>
    internal const int BlockK = 256;

    /// <summary>
    /// Below this many rows of op(a), a row-major b is read in place: the copy would be reused by too few
    /// row panels to pay for itself, and the in-place panel of a modest b stays cached anyway.
    /// </summary>
    internal const int PackRowMajorBMinRows = 4 * GemmKernels.TileRows + 1;

    /// <summary>
    /// Most floats of op(a) packed at once (512 KiB, one k block of up to 512 rows): the block is packed once and its
    /// panels are re-read from cache for every column block instead of being gathered again from a strided a.
    /// </summary>
    internal const int MaxPackedAFloats = 1 << 17;

    /// <summary>
    /// The same threshold for the 8-row panels of the 512-bit path, where a tile reuses each loaded vector of b for
    /// twice as many rows: at the per-step product (m = 32) reading b in place beat packing it at every hidden size
    /// measured (64–512), packing being a fifth of the product's time at hidden 64.
    /// </summary>
    internal const int PackRowMajorBMinRowsWide = 4 * GemmKernels.WideTileRows + 1;

    // The dispatch and the small-shape paths run once per product, a layer's product once per step: optimized from the
    // first call, because on one CPU the JIT waits a second or more before promoting tier-0 code (their loops are too
    // short for on-stack replacement).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(
        SimdLevel level, bool transA, bool transB, int m, int n, int k, float alpha,
        ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc)
    {
        switch (level)
        {
            case SimdLevel.Vector512:
                Multiply<Vector512Ops, Vector512<float>>(transA, transB, m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
                break;
            case SimdLevel.Vector256:
                Multiply<Vector256Ops, Vector256<float>>(transA, transB, m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
                break;
            case SimdLevel.Vector128:
                Multiply<Vector128Ops, Vector128<float>>(transA, transB, m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
                break;
            default:
                Multiply<ScalarOps, float>(transA, transB, m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply<TOps, TVector>(
        bool transA, bool transB, int m, int n, int k, float alpha,
        ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        Debug.Assert(m > 0 && n > 0 && k > 0 && alpha != 0f);
        if (m == 1)
        {
            RowTimesOpB<TOps, TVector>(transA, transB, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c);
        }
        else if (n == 1)
        {
            OpATimesColumn<TOps, TVector>(transA, transB, m, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
        }
        else
        {
            Blocked<TOps, TVector>(transA, transB, m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
        }
    }

    /// <summary>Columns of op(b) per block: 10 widest panels, which keeps a 256-deep block within half of L2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BlockN<TOps, TVector>()
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        int panel = GemmKernels.MaxTileVectors * TOps.Count;
        return panel >= 24 ? 10 * panel : 240 / panel * panel;
    }

    private static void Blocked<TOps, TVector>(
        bool transA, bool transB, int m, int n, int k, float alpha,
        ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        // With 32 vector registers (AVX-512) a row panel is 8 rows, packed, for the 8×3W kernel; with 16 it is 4.
        bool wide = TOps.Count >= 16;
        int mr = wide ? GemmKernels.WideTileRows : GemmKernels.TileRows;
        int w = TOps.Count;
        int nr = GemmKernels.MaxTileVectors * w;
        int blockN = BlockN<TOps, TVector>();
        int kcMax = Math.Min(k, BlockK);
        int ncMax = Math.Min(n, blockN);
        // A row-major a is read in place by the 4-row kernels: then only a ragged last panel is packed, into one slot.
        bool aRowsInPlace = !wide && !transA;
        int mcMax = aRowsInPlace ? m : Math.Min(RoundUp(m, mr), Math.Max(mr, MaxPackedAFloats / kcMax / mr * mr));
        bool packB = transB || m >= (wide ? PackRowMajorBMinRowsWide : PackRowMajorBMinRows);

        // Whole cache lines for the A block, so the B panels after it start on a line boundary too.
        int aBlockLength = RoundUp((aRowsInPlace ? mr : mcMax) * kcMax, 16);
        float[] buffer = PackingScratch.Rent(aBlockLength + (kcMax * RoundUp(ncMax, w)) + PackingScratch.AlignmentSlack);
        Span<float> tile = stackalloc float[GemmKernels.WideTileRows * GemmKernels.MaxTileVectors * 16];
        try
        {
            ref float aPacked = ref PackingScratch.AlignedStart(buffer);
            ref float bPacked = ref Unsafe.Add(ref aPacked, aBlockLength);
            ref float tileRef = ref MemoryMarshal.GetReference(tile);

            // Every operand is packed once: a k block of up to mcMax rows of op(a) during the first column block, each
            // panel of a kc×nc block of op(b) during the first row panel, just before the kernel reads it, so the copy's
            // memory traffic overlaps the arithmetic and the fresh panel is still cached.
            for (int pc = 0; pc < k; pc += BlockK)
            {
                int kc = Math.Min(BlockK, k - pc);

                // Later k blocks add onto what the first one stored.
                float blockBeta = pc == 0 ? beta : 1f;
                for (int ic = 0; ic < m; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic);
                    for (int jc = 0; jc < n; jc += blockN)
                    {
                        int nc = Math.Min(blockN, n - jc);
                        for (int ir = ic; ir < ic + mc; ir += mr)
                        {
                            int rows = Math.Min(mr, ic + mc - ir);
                            ref float aSource = ref transA
                                ? ref Unsafe.Add(ref a, ((nint)pc * lda) + ir)
                                : ref Unsafe.Add(ref a, ((nint)ir * lda) + pc);
                            bool aInPlace = aRowsInPlace && rows == mr;
                            ref float aPanel = ref aInPlace ? ref aSource : ref Unsafe.Add(ref aPacked, aRowsInPlace ? 0 : (nint)(ir - ic) * kc);
                            if (!aInPlace && jc == 0)
                            {
                                PackA(transA, ref aSource, lda, rows, mr, kc, ref aPanel);
                            }

                            nint aRowStride = aInPlace ? lda : 1;
                            nint aStride = aInPlace ? 1 : mr;

                            ref float cRow = ref Unsafe.Add(ref c, ((nint)ir * ldc) + jc);
                            for (int jr = 0; jr < nc; jr += nr)
                            {
                                int cols = Math.Min(nr, nc - jr);
                                int stride = RoundUp(cols, w);
                                int vectors = stride / w;

                                // A ragged panel is always packed: reading it in place would run past the end of b's last row.
                                bool bInPlace = !packB && cols == stride;
                                ref float bPanel = ref bInPlace
                                    ? ref Unsafe.Add(ref b, ((nint)pc * ldb) + jc + jr)
                                    : ref Unsafe.Add(ref bPacked, (nint)jr * kc);
                                if (!bInPlace && ir == ic)
                                {
                                    ref float source = ref transB
                                        ? ref Unsafe.Add(ref b, ((nint)(jc + jr) * ldb) + pc)
                                        : ref Unsafe.Add(ref b, ((nint)pc * ldb) + jc + jr);
                                    PackB<TOps, TVector>(transB, ref source, ldb, kc, cols, stride, ref bPanel);
                                }

                                nint bStride = bInPlace ? ldb : stride;
                                ref float cTile = ref Unsafe.Add(ref cRow, jr);
                                if (!wide)
                                {
                                    RunTile<TOps, TVector>(
                                        GemmKernels.TileRows, vectors, rows, cols, stride, kc, ref aPanel, aRowStride, aStride,
                                        ref bPanel, bStride, alpha, blockBeta, ref cTile, ldc, ref tileRef);
                                    continue;
                                }

                                if (vectors == GemmKernels.MaxTileVectors && rows > GemmKernels.TileRows)
                                {
                                    RunTile<TOps, TVector>(
                                        GemmKernels.WideTileRows, vectors, rows, cols, stride, kc, ref aPanel, aRowStride, aStride,
                                        ref bPanel, bStride, alpha, blockBeta, ref cTile, ldc, ref tileRef);
                                    continue;
                                }

                                // The narrow right edge of an 8-row panel (or a panel of at most 4 rows) as 4-row tiles.
                                for (int r = 0; r < rows; r += GemmKernels.TileRows)
                                {
                                    RunTile<TOps, TVector>(
                                        GemmKernels.TileRows, vectors, Math.Min(GemmKernels.TileRows, rows - r), cols, stride, kc,
                                        ref Unsafe.Add(ref aPanel, r * aRowStride), aRowStride, aStride,
                                        ref bPanel, bStride, alpha, blockBeta, ref Unsafe.Add(ref cTile, (nint)r * ldc), ldc, ref tileRef);
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            PackingScratch.Return(buffer);
        }
    }

    /// <summary>
    /// One micro-tile of <paramref name="tileRows"/> rows: written straight into c when it is whole, else (an edge tile;
    /// the kernel writes a whole tile) into <paramref name="scratch"/>, of which only the valid rows×cols reach c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunTile<TOps, TVector>(
        int tileRows, int vectors, int rows, int cols, int stride, int kc, ref float a, nint aRowStride, nint aStride,
        ref float b, nint bStride, float alpha, float beta, ref float c, nint ldc, ref float scratch)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        bool whole = rows == tileRows && cols == stride;
        ref float target = ref whole ? ref c : ref scratch;
        nint targetLd = whole ? ldc : stride;
        float targetBeta = whole ? beta : 0f;
        if (tileRows == GemmKernels.WideTileRows)
        {
            GemmKernels.Tile8x3<TOps, TVector>(kc, ref a, ref b, bStride, alpha, targetBeta, ref target, targetLd);
        }
        else
        {
            GemmKernels.Tile<TOps, TVector>(vectors, kc, ref a, aRowStride, aStride, ref b, bStride, alpha, targetBeta, ref target, targetLd);
        }

        if (!whole)
        {
            MergeTile(ref scratch, stride, rows, cols, beta, ref c, ldc);
        }
    }

    /// <summary>
    /// Copies a rows×kc block of op(a) into the kernel's panel layout <c>dst[p·mr + r]</c>, zero-filling rows past
    /// <paramref name="rows"/> so the padded lanes compute harmless zeros. A stored-transposed a is always packed:
    /// read in place, its mr useful floats per row of storage would sit lda apart, and a power-of-two lda maps a whole
    /// panel onto a few L1 sets. A row-major a is packed for the 8-row kernel (which reads one panel with one pointer)
    /// and for a ragged last panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool transA, ref float source, nint lda, int rows, int mr, int kc, ref float dst)
    {
        if (transA && rows == mr)
        {
            for (nint p = 0; p < kc; p++)
            {
                ref float src = ref Unsafe.Add(ref source, p * lda);
                ref float d = ref Unsafe.Add(ref dst, p * mr);
                if (mr == GemmKernels.WideTileRows)
                {
                    Vector256.LoadUnsafe(ref src).StoreUnsafe(ref d);
                }
                else
                {
                    Vector128.LoadUnsafe(ref src).StoreUnsafe(ref d);
                }
            }
        }
        else if (transA)
        {
            for (nint p = 0; p < kc; p++)
            {
                ref float src = ref Unsafe.Add(ref source, p * lda);
                ref float d = ref Unsafe.Add(ref dst, p * mr);
                for (int r = 0; r < mr; r++)
                {
                    Unsafe.Add(ref d, r) = r < rows ? Unsafe.Add(ref src, r) : 0f;
                }
            }
        }
        else if (rows == GemmKernels.WideTileRows && Avx.IsSupported)
        {
            PackTransposedColumns8(ref source, lda, kc, mr, ref dst);
        }
        else
        {
            for (int r = 0; r < mr; r++)
            {
                ref float src = ref Unsafe.Add(ref source, r * lda);
                for (nint p = 0; p < kc; p++)
                {
                    Unsafe.Add(ref dst, (p * mr) + r) = r < rows ? Unsafe.Add(ref src, p) : 0f;
                }
            }
        }
    }

    /// <summary>
    /// Copies a kc×cols block of op(b) into one kernel panel <c>dst[p·stride + j]</c>, zero-filling columns
    /// <paramref name="cols"/>..<paramref name="stride"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB<TOps, TVector>(bool transB, ref float source, nint ldb, int kc, int cols, int stride, ref float dst)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        if (transB)
        {
            int j = 0;
            if (Avx.IsSupported && TOps.Count >= 8)
            {
                for (; j + 8 <= cols; j += 8)
                {
                    PackTransposedColumns8(ref Unsafe.Add(ref source, j * ldb), ldb, kc, stride, ref Unsafe.Add(ref dst, j));
                }
            }

            for (; j < cols; j++)
            {
                ref float src = ref Unsafe.Add(ref source, j * ldb);
                ref float d = ref Unsafe.Add(ref dst, j);
                for (nint p = 0; p < kc; p++)
                {
                    Unsafe.Add(ref d, p * stride) = Unsafe.Add(ref src, p);
                }
            }

            for (; j < stride; j++)
            {
                ref float d = ref Unsafe.Add(ref dst, j);
                for (nint p = 0; p < kc; p++)
                {
                    Unsafe.Add(ref d, p * stride) = 0f;
                }
            }
        }
        else if (cols == stride)
        {
            nint w = TOps.Count;
            for (nint p = 0; p < kc; p++)
            {
                ref float src = ref Unsafe.Add(ref source, p * ldb);
                ref float d = ref Unsafe.Add(ref dst, p * stride);
                for (nint j = 0; j < stride; j += w)
                {
                    TOps.Store(TOps.Load(ref src, j), ref d, j);
                }
            }
        }
        else
        {
            for (nint p = 0; p < kc; p++)
            {
                ref float src = ref Unsafe.Add(ref source, p * ldb);
                ref float d = ref Unsafe.Add(ref dst, p * stride);
                for (nint j = 0; j < stride; j++)
                {
                    Unsafe.Add(ref d, j) = j < cols ? Unsafe.Add(ref src, j) : 0f;
                }
            }
        }
    }

    /// <summary>
    /// <c>dst[p·stride + j] = source[j·ldb + p]</c> for j &lt; 8, p &lt; kc: eight rows of a stored-transposed b
    /// become eight columns of a panel, in 8×8 blocks transposed in registers (24 shuffles per 64 floats instead of
    /// 64 scalar loads and stores, which made packing cost as much as the multiply at m = 32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposedColumns8(ref float source, nint ldb, int kc, nint stride, ref float dst)
    {
        Debug.Assert(Avx.IsSupported);
        ref float s0 = ref source;
        ref float s1 = ref Unsafe.Add(ref s0, ldb);
        ref float s2 = ref Unsafe.Add(ref s1, ldb);
        ref float s3 = ref Unsafe.Add(ref s2, ldb);
        ref float s4 = ref Unsafe.Add(ref s3, ldb);
        ref float s5 = ref Unsafe.Add(ref s4, ldb);
        ref float s6 = ref Unsafe.Add(ref s5, ldb);
        ref float s7 = ref Unsafe.Add(ref s6, ldb);
        nint p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Vector256<float> r0 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s0, p));
            Vector256<float> r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s1, p));
            Vector256<float> r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s2, p));
            Vector256<float> r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s3, p));
            Vector256<float> r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s4, p));
            Vector256<float> r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s5, p));
            Vector256<float> r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s6, p));
            Vector256<float> r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s7, p));

            Vector256<float> t0 = Avx.UnpackLow(r0, r1);
            Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3);
            Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5);
            Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7);
            Vector256<float> t7 = Avx.UnpackHigh(r6, r7);

            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44);
            Vector256<float> u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44);
            Vector256<float> u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44);
            Vector256<float> u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44);
            Vector256<float> u7 = Avx.Shuffle(t5, t7, 0xEE);

            ref float d = ref Unsafe.Add(ref dst, p * stride);
            Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref d);
            Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, stride));
            Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, 2 * stride));
            Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, 3 * stride));
            Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 4 * stride));
            Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 5 * stride));
            Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 6 * stride));
            Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 7 * stride));
        }

        for (; p < kc; p++)
        {
            ref float d = ref Unsafe.Add(ref dst, p * stride);
            d = Unsafe.Add(ref s0, p);
            Unsafe.Add(ref d, 1) = Unsafe.Add(ref s1, p);
            Unsafe.Add(ref d, 2) = Unsafe.Add(ref s2, p);
            Unsafe.Add(ref d, 3) = Unsafe.Add(ref s3, p);
            Unsafe.Add(ref d, 4) = Unsafe.Add(ref s4, p);
            Unsafe.Add(ref d, 5) = Unsafe.Add(ref s5, p);
            Unsafe.Add(ref d, 6) = Unsafe.Add(ref s6, p);
            Unsafe.Add(ref d, 7) = Unsafe.Add(ref s7, p);
        }
    }

    /// <summary><c>c = tile + beta·c</c> over the valid rows×cols of an edge tile (tile already holds alpha·A·B).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeTile(ref float tile, int tileStride, int rows, int cols, float beta, ref float c, nint ldc)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float t = ref Unsafe.Add(ref tile, r * tileStride);
            ref float cr = ref Unsafe.Add(ref c, r * ldc);
            for (int j = 0; j < cols; j++)
            {
                Unsafe.Add(ref cr, j) = beta == 0f
                    ? Unsafe.Add(ref t, j)
                    : Unsafe.Add(ref t, j) + (beta * Unsafe.Add(ref cr, j));
            }
        }
    }

    /// <summary>
    /// m = 1 (the streaming step): <c>c[0, ·] = alpha·x·op(b) + beta·c[0, ·]</c> with x the single row of op(a).
    /// Packing would only copy b once for one use, so b is read in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTimesOpB<TOps, TVector>(
        bool transA, bool transB, int n, int k, float alpha, ref float a, int lda, ref float b, int ldb, float beta, ref float c)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        // op(a)'s row is contiguous unless a is stored transposed with a real stride.
        float[]? gathered = null;
        try
        {
            ref float x = ref a;
            if (transA && lda != 1)
            {
                gathered = PackingScratch.Rent(k);
                x = ref MemoryMarshal.GetArrayDataReference(gathered);
                Gather(ref a, lda, k, ref x);
            }

            if (transB)
            {
                DotRows<TOps, TVector>(n, k, ref b, ldb, ref x, alpha, beta, ref c, 1);
            }
            else
            {
                VectorTimesMatrix<TOps, TVector>(k, n, ref x, ref b, ldb, alpha, beta, ref c);
            }
        }
        finally
        {
            if (gathered is not null)
            {
                PackingScratch.Return(gathered);
            }
        }
    }

    /// <summary>n = 1: <c>c[·, 0] = alpha·op(a)·x + beta·c[·, 0]</c> with x the single column of op(b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OpATimesColumn<TOps, TVector>(
        bool transA, bool transB, int m, int k, float alpha, ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        float[]? scratch = null;
        try
        {
            ref float x = ref b;
            bool gather = !transB && ldb != 1;
            bool strided = transA && ldc != 1;
            if (gather || strided)
            {
                scratch = PackingScratch.Rent((gather ? k : 0) + (strided ? m : 0));
            }

            if (gather)
            {
                x = ref MemoryMarshal.GetArrayDataReference(scratch!);
                Gather(ref b, ldb, k, ref x);
            }

            if (!transA)
            {
                DotRows<TOps, TVector>(m, k, ref a, lda, ref x, alpha, beta, ref c, ldc);
            }
            else if (!strided)
            {
                VectorTimesMatrix<TOps, TVector>(k, m, ref x, ref a, lda, alpha, beta, ref c);
            }
            else
            {
                // The vector form produces a contiguous result; c's column is strided, so go through scratch.
                ref float y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(scratch!), gather ? k : 0);
                VectorTimesMatrix<TOps, TVector>(k, m, ref x, ref a, lda, alpha, 0f, ref y);
                for (int i = 0; i < m; i++)
                {
                    ref float ci = ref Unsafe.Add(ref c, (nint)i * ldc);
                    ci = beta == 0f ? Unsafe.Add(ref y, i) : Unsafe.Add(ref y, i) + (beta * ci);
                }
            }
        }
        finally
        {
            if (scratch is not null)
            {
                PackingScratch.Return(scratch);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gather(ref float source, nint stride, int count, ref float destination)
    {
        for (nint i = 0; i < count; i++)
        {
            Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, i * stride);
        }
    }

    /// <summary>
    /// <c>y[j] = alpha·Σₚ x[p]·mat[p·ld + j] + beta·y[j]</c> for j &lt; n: axpy of mat's rows, accumulated in
    /// registers over column strips of 4 vectors. p is unrolled by two into separate accumulators, so eight
    /// independent FMA chains hide the latency while every element of mat is loaded exactly once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void VectorTimesMatrix<TOps, TVector>(
        int k, int n, ref float x, ref float mat, nint ld, float alpha, float beta, ref float y)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        nint w = TOps.Count;
        TVector va = TOps.Broadcast(alpha);
        TVector vb = TOps.Broadcast(beta);
        bool overwrite = beta == 0f;
        nint j = 0;
        for (; j + (4 * w) <= n; j += 4 * w)
        {
            TVector s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
            TVector t0 = TOps.Zero, t1 = TOps.Zero, t2 = TOps.Zero, t3 = TOps.Zero;
            ref float row = ref Unsafe.Add(ref mat, j);
            int p = 0;
            for (; p + 1 < k; p += 2)
            {
                ref float next = ref Unsafe.Add(ref row, ld);
                TVector x0 = TOps.Broadcast(Unsafe.Add(ref x, p));
                TVector x1 = TOps.Broadcast(Unsafe.Add(ref x, p + 1));
                s0 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 0), s0);
                s1 = TOps.MultiplyAdd(x0, TOps.Load(ref row, w), s1);
                s2 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 2 * w), s2);
                s3 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 3 * w), s3);
                t0 = TOps.MultiplyAdd(x1, TOps.Load(ref next, 0), t0);
                t1 = TOps.MultiplyAdd(x1, TOps.Load(ref next, w), t1);
                t2 = TOps.MultiplyAdd(x1, TOps.Load(ref next, 2 * w), t2);
                t3 = TOps.MultiplyAdd(x1, TOps.Load(ref next, 3 * w), t3);
                row = ref Unsafe.Add(ref next, ld);
            }

            if (p < k)
            {
                TVector x0 = TOps.Broadcast(Unsafe.Add(ref x, p));
                s0 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 0), s0);
                s1 = TOps.MultiplyAdd(x0, TOps.Load(ref row, w), s1);
                s2 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 2 * w), s2);
                s3 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 3 * w), s3);
            }

            ref float yj = ref Unsafe.Add(ref y, j);
            UpdateVector<TOps, TVector>(TOps.Add(s0, t0), ref yj, 0, va, vb, overwrite);
            UpdateVector<TOps, TVector>(TOps.Add(s1, t1), ref yj, w, va, vb, overwrite);
            UpdateVector<TOps, TVector>(TOps.Add(s2, t2), ref yj, 2 * w, va, vb, overwrite);
            UpdateVector<TOps, TVector>(TOps.Add(s3, t3), ref yj, 3 * w, va, vb, overwrite);
        }

        for (; j + w <= n; j += w)
        {
            TVector s = TOps.Zero, t = TOps.Zero;
            ref float row = ref Unsafe.Add(ref mat, j);
            int p = 0;
            for (; p + 1 < k; p += 2)
            {
                s = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref x, p)), TOps.Load(ref row, 0), s);
                t = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref x, p + 1)), TOps.Load(ref row, ld), t);
                row = ref Unsafe.Add(ref row, 2 * ld);
            }

            if (p < k)
            {
                s = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref x, p)), TOps.Load(ref row, 0), s);
            }

            UpdateVector<TOps, TVector>(TOps.Add(s, t), ref Unsafe.Add(ref y, j), 0, va, vb, overwrite);
        }

        for (; j < n; j++)
        {
            float s = 0f;
            ref float col = ref Unsafe.Add(ref mat, j);
            for (nint p = 0; p < k; p++)
            {
                s = float.MultiplyAddEstimate(Unsafe.Add(ref x, p), Unsafe.Add(ref col, p * ld), s);
            }

            ref float yj = ref Unsafe.Add(ref y, j);
            yj = overwrite ? alpha * s : (alpha * s) + (beta * yj);
        }
    }

    /// <summary>
    /// <c>y[i·incY] = alpha·Σₚ mat[i·ld + p]·x[p] + beta·y[i·incY]</c> for i &lt; rows: dot products of contiguous
    /// rows with x, four rows at a time so each load of x feeds four FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DotRows<TOps, TVector>(
        int rows, int k, ref float mat, nint ld, ref float x, float alpha, float beta, ref float y, nint incY)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        nint w = TOps.Count;
        bool overwrite = beta == 0f;
        int i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            ref float m0 = ref Unsafe.Add(ref mat, i * ld);
            ref float m1 = ref Unsafe.Add(ref m0, ld);
            ref float m2 = ref Unsafe.Add(ref m1, ld);
            ref float m3 = ref Unsafe.Add(ref m2, ld);
            TVector s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
            nint p = 0;
            for (; p + w <= k; p += w)
            {
                TVector xv = TOps.Load(ref x, p);
                s0 = TOps.MultiplyAdd(TOps.Load(ref m0, p), xv, s0);
                s1 = TOps.MultiplyAdd(TOps.Load(ref m1, p), xv, s1);
                s2 = TOps.MultiplyAdd(TOps.Load(ref m2, p), xv, s2);
                s3 = TOps.MultiplyAdd(TOps.Load(ref m3, p), xv, s3);
            }

            float d0 = TOps.Sum(s0), d1 = TOps.Sum(s1), d2 = TOps.Sum(s2), d3 = TOps.Sum(s3);
            for (; p < k; p++)
            {
                float xp = Unsafe.Add(ref x, p);
                d0 = float.MultiplyAddEstimate(Unsafe.Add(ref m0, p), xp, d0);
                d1 = float.MultiplyAddEstimate(Unsafe.Add(ref m1, p), xp, d1);
                d2 = float.MultiplyAddEstimate(Unsafe.Add(ref m2, p), xp, d2);
                d3 = float.MultiplyAddEstimate(Unsafe.Add(ref m3, p), xp, d3);
            }

            ref float yi = ref Unsafe.Add(ref y, i * incY);
            UpdateScalar(d0, ref yi, alpha, beta, overwrite);
            UpdateScalar(d1, ref Unsafe.Add(ref yi, incY), alpha, beta, overwrite);
            UpdateScalar(d2, ref Unsafe.Add(ref yi, 2 * incY), alpha, beta, overwrite);
            UpdateScalar(d3, ref Unsafe.Add(ref yi, 3 * incY), alpha, beta, overwrite);
        }

        for (; i < rows; i++)
        {
            ref float mi = ref Unsafe.Add(ref mat, i * ld);
            TVector s = TOps.Zero;
            nint p = 0;
            for (; p + w <= k; p += w)
            {
                s = TOps.MultiplyAdd(TOps.Load(ref mi, p), TOps.Load(ref x, p), s);
            }

            float d = TOps.Sum(s);
            for (; p < k; p++)
            {
                d = float.MultiplyAddEstimate(Unsafe.Add(ref mi, p), Unsafe.Add(ref x, p), d);
            }

            UpdateScalar(d, ref Unsafe.Add(ref y, i * incY), alpha, beta, overwrite);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateVector<TOps, TVector>(TVector acc, ref float y, nint offset, TVector alpha, TVector beta, bool overwrite)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        TVector result = overwrite
            ? TOps.Multiply(acc, alpha)
            : TOps.MultiplyAdd(acc, alpha, TOps.Multiply(beta, TOps.Load(ref y, offset)));
        TOps.Store(result, ref y, offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateScalar(float acc, ref float y, float alpha, float beta, bool overwrite)
    {
        y = overwrite ? alpha * acc : (alpha * acc) + (beta * y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
