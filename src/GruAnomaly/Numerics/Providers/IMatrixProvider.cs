namespace GruAnomaly.Numerics;

/// <summary>
/// A source of single-precision matrix products on row-major storage, <c>c = alpha·op(a)·op(b) + beta·c</c>: the one
/// BLAS routine (sgemm) that the recurrent cells need. The network takes one in its constructor, so a process can run
/// networks on different providers side by side without any global switch.
/// </summary>
/// <remarks>
/// Every implementation follows the contract of <see cref="Gemm.Multiply(MatrixTranspose, MatrixTranspose, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
/// exactly, including its argument checks: row-major operands with leading dimensions, <c>op(a)</c> m×k, <c>op(b)</c>
/// k×n, <c>c</c> m×n; beta = 0 overwrites c without reading it (NaN in c does not survive); k = 0 or
/// alpha = 0 leaves <c>c = beta·c</c> without reading a or b. Implementations are immutable and safe to call from
/// several threads at once. Results agree with each other to float rounding, not bit for bit.
/// </remarks>
public interface IMatrixProvider
{
    /// <summary>Gets a human-readable description of what computes the products (for logs and benchmark reports).</summary>
    string Name { get; }

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
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, a leading dimension is too small, or a transpose flag is undefined.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its matrix needs.</exception>
    void Multiply(
        MatrixTranspose transposeA, MatrixTranspose transposeB,
        int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);
}
