namespace GruAnomaly.Numerics;

/// <summary>
/// Single-precision general matrix multiply on row-major storage:
/// <c>c = alpha·op(a)·op(b) + beta·c</c>, where <c>op(a)</c> is m×k, <c>op(b)</c> is k×n and <c>c</c> is m×n.
/// </summary>
public static class Gemm
{
    /// <summary>Computes <c>c = alpha·op(a)·op(b) + beta·c</c> (row-major, leading dimensions in elements).</summary>
    /// <remarks>When <paramref name="beta"/> is 0, <paramref name="c"/> is overwritten and its old contents (even NaN) are ignored.</remarks>
    public static void Multiply(
        MatrixTranspose transposeA, MatrixTranspose transposeB,
        int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        // Reference implementation until the blocked SIMD kernel lands.
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transposeA == MatrixTranspose.None ? a[i * lda + p] : a[p * lda + i];
                    float bv = transposeB == MatrixTranspose.None ? b[p * ldb + j] : b[j * ldb + p];
                    sum += av * bv;
                }

                c[i * ldc + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i * ldc + j];
            }
        }
    }
}
