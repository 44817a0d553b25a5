using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Numerics;

/// <summary>
/// Single-precision general matrix multiply on row-major storage:
/// <c>c = alpha·op(a)·op(b) + beta·c</c>, where <c>op(a)</c> is m×k, <c>op(b)</c> is k×n and <c>c</c> is m×n.
/// </summary>
/// <remarks>
/// <para>Element (i, j) of a row-major matrix with leading dimension <c>ld</c> is <c>span[i·ld + j]</c>; a matrix
/// used transposed is stored as its transpose (so <c>op(a)</c> = aᵀ means <c>a</c> holds a k×m matrix).
/// A leading dimension larger than the row width describes a sub-matrix view.</para>
/// <para>The widest SIMD instruction set the hardware accelerates is used (AVX-512, AVX2/FMA, SSE or Arm64
/// AdvSimd), with a register-blocked micro-kernel and cache blocking. Scratch space is one buffer per
/// thread, kept between calls, so a thread's calls do not allocate once it has seen its largest shape. The method has
/// no shared state and is safe to call from several threads at once.</para>
/// <para>Results agree with a double-precision reference to rounding error, but the summation order depends on the
/// instruction set and on the shape, so different machines may differ in the last bits.</para>
/// </remarks>
internal static class Gemm
{
    /// <summary>Computes <c>c = alpha·op(a)·op(b) + beta·c</c> (row-major, leading dimensions in elements).</summary>
    /// <param name="transposeA">Whether <c>op(a)</c> is <paramref name="a"/> (m×k) or its transpose (a is k×m).</param>
    /// <param name="transposeB">Whether <c>op(b)</c> is <paramref name="b"/> (k×n) or its transpose (b is n×k).</param>
    /// <param name="m">Rows of <c>op(a)</c> and of <paramref name="c"/>.</param>
    /// <param name="n">Columns of <c>op(b)</c> and of <paramref name="c"/>.</param>
    /// <param name="k">Columns of <c>op(a)</c>, rows of <c>op(b)</c>; 0 leaves <c>c = beta·c</c>.</param>
    /// <param name="alpha">Scale of the product; 0 leaves <c>c = beta·c</c> without reading a or b.</param>
    /// <param name="a">Storage of a, row-major.</param>
    /// <param name="lda">Leading dimension of a: at least its stored row width (k, or m when transposed), and at least 1.</param>
    /// <param name="b">Storage of b, row-major.</param>
    /// <param name="ldb">Leading dimension of b: at least its stored row width (n, or k when transposed), and at least 1.</param>
    /// <param name="beta">Scale of the old <paramref name="c"/>; 0 overwrites c without reading it, 1 accumulates.</param>
    /// <param name="c">Storage of c (m×n), row-major; must not overlap <paramref name="a"/> or <paramref name="b"/>.</param>
    /// <param name="ldc">Leading dimension of c: at least n, and at least 1.</param>
    /// <remarks>When <paramref name="beta"/> is 0, <paramref name="c"/> is overwritten and its old contents (even NaN) are ignored.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, a leading dimension is too small, or a transpose flag is undefined.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its matrix needs.</exception>
    // This entry, the checks and the dispatch below run once per product, and a layer makes one product per step: they are
    // optimized from the first call, because on one CPU the JIT waits a second or more before promoting tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(
        MatrixTranspose transposeA, MatrixTranspose transposeB,
        int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        Multiply(SimdLevels.Best, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// <see cref="Multiply(MatrixTranspose, MatrixTranspose, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
    /// using no instruction set wider than <paramref name="maxLevel"/> (nor wider than the hardware accelerates),
    /// so tests and benchmarks can exercise every code path on one machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply(
        SimdLevel maxLevel,
        MatrixTranspose transposeA, MatrixTranspose transposeB,
        int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        SimdLevel best = SimdLevels.Best;
        MultiplyExact(maxLevel < best ? maxLevel : best, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// The same product at exactly <paramref name="level"/>, even one the hardware does not accelerate (the runtime
    /// then emulates the vectors, slowly): lets a machine without AVX-512 still check the 512-bit code for correctness.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MultiplyExact(
        SimdLevel level,
        MatrixTranspose transposeA, MatrixTranspose transposeB,
        int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        Validate(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0 || alpha == 0f)
        {
            Scale(m, n, beta, c, ldc);
            return;
        }

        GemmDriver.Multiply(
            level,
            transposeA == MatrixTranspose.Transpose,
            transposeB == MatrixTranspose.Transpose,
            m, n, k, alpha,
            ref MemoryMarshal.GetReference(a), lda,
            ref MemoryMarshal.GetReference(b), ldb,
            beta,
            ref MemoryMarshal.GetReference(c), ldc);
    }

    /// <summary><c>c = beta·c</c>, where beta = 0 clears (so NaN does not survive).</summary>
    private static void Scale(int m, int n, float beta, Span<float> c, int ldc)
    {
        if (beta == 1f)
        {
            return;
        }

        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else
            {
                TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    /// <summary>
    /// The prologue of every <see cref="IMatrixProvider"/>: Multiply's argument checks, then, when there is nothing to
    /// multiply (an empty dimension or alpha = 0), the remaining <c>c = beta·c</c> done here, reading neither operand and
    /// clearing NaN at beta = 0. Returns whether the call is complete.
    /// </summary>
    internal static bool ValidateOrFinishWithoutProduct(
        MatrixTranspose transposeA, MatrixTranspose transposeB,
        int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        Validate(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc);
        if (m != 0 && n != 0 && k != 0 && alpha != 0f)
        {
            return false;
        }

        Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return true;
    }

    /// <summary>The argument checks of Multiply, shared with every <see cref="IMatrixProvider"/> so that all of them reject the same inputs with the same messages.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Validate(
        MatrixTranspose transposeA, MatrixTranspose transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> c, int ldc)
    {
        if (transposeA is not (MatrixTranspose.None or MatrixTranspose.Transpose))
        {
            throw new ArgumentOutOfRangeException(nameof(transposeA), transposeA, "transposeA must be MatrixTranspose.None or MatrixTranspose.Transpose.");
        }

        if (transposeB is not (MatrixTranspose.None or MatrixTranspose.Transpose))
        {
            throw new ArgumentOutOfRangeException(nameof(transposeB), transposeB, "transposeB must be MatrixTranspose.None or MatrixTranspose.Transpose.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);

        bool ta = transposeA == MatrixTranspose.Transpose;
        bool tb = transposeB == MatrixTranspose.Transpose;
        CheckOperand(a, nameof(a), lda, nameof(lda), ta ? k : m, ta ? m : k, ta ? "k×m (transposeA)" : "m×k");
        CheckOperand(b, nameof(b), ldb, nameof(ldb), tb ? n : k, tb ? k : n, tb ? "n×k (transposeB)" : "k×n");
        CheckOperand(c, nameof(c), ldc, nameof(ldc), m, n, "m×n");
    }

    /// <summary>Checks the leading dimension and length of a stored rows×cols matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckOperand(
        ReadOnlySpan<float> span, string name, int ld, string ldName, int rows, int cols, string shape)
    {
        int minLd = Math.Max(1, cols);
        if (ld < minLd)
        {
            throw new ArgumentOutOfRangeException(
                ldName, ld, $"{ldName} must be at least {minLd}: {name} is stored {shape} = {rows}×{cols}, so each row needs {cols} elements.");
        }

        long required = rows == 0 || cols == 0 ? 0 : ((long)(rows - 1) * ld) + cols;
        if (span.Length < required)
        {
            throw new ArgumentException(
                $"{name} is too short: a stored {shape} = {rows}×{cols} matrix with {ldName} = {ld} needs at least {required} elements, but {name} has {span.Length}.",
                name);
        }
    }
}
