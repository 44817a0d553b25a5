using GruAnomaly.Numerics;

namespace GruAnomaly.Tests.Numerics.Providers;

/// <summary>
/// One GEMM problem whose operands sit at an offset inside larger arrays: NaN before, after and in the padding of a
/// and b (a provider that reads outside op(a) or op(b) poisons its result), and a finite sentinel around and inside the
/// padding of c (a provider that writes outside c is caught).
/// </summary>
internal sealed class ProviderProblem
{
    public const float CSentinel = 777f;

    /// <summary>Unit roundoff of float32, 2⁻²⁴.</summary>
    private const double UnitRoundoff = 5.9604644775390625e-8;

    private readonly float[] _a;
    private readonly float[] _b;
    private readonly float[] _cOld;
    private readonly int _offset;

    private ProviderProblem(MatrixTranspose ta, MatrixTranspose tb, int m, int n, int k, int offset,
        float[] a, int lda, float[] b, int ldb, float[] c, int ldc)
    {
        (TransposeA, TransposeB, M, N, K, _offset) = (ta, tb, m, n, k, offset);
        (_a, Lda, _b, Ldb, C, Ldc) = (a, lda, b, ldb, c, ldc);
        _cOld = (float[])c.Clone();
    }

    public MatrixTranspose TransposeA { get; }

    public MatrixTranspose TransposeB { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public int Lda { get; }

    public int Ldb { get; }

    public int Ldc { get; }

    public float[] C { get; }

    /// <param name="padding">Extra elements per row beyond each operand's width (0: tightly packed).</param>
    /// <param name="offset">Where each operand starts inside its array (0: the span starts at the array's start).</param>
    public static ProviderProblem Create(int seed, int m, int n, int k, MatrixTranspose ta, MatrixTranspose tb,
        int padding, int offset, bool nanC)
    {
        var random = new Random(seed);
        (int aRows, int aCols) = ta == MatrixTranspose.None ? (m, k) : (k, m);
        (int bRows, int bCols) = tb == MatrixTranspose.None ? (k, n) : (n, k);
        int lda = Math.Max(1, aCols + padding), ldb = Math.Max(1, bCols + (2 * padding)), ldc = Math.Max(1, n + (3 * padding));
        float[] a = Fill(aRows, aCols, lda, offset, float.NaN, () => Uniform(random));
        float[] b = Fill(bRows, bCols, ldb, offset, float.NaN, () => Uniform(random));
        float[] c = Fill(m, n, ldc, offset, CSentinel, nanC ? () => float.NaN : () => Uniform(random));
        return new ProviderProblem(ta, tb, m, n, k, offset, a, lda, b, ldb, c, ldc);
    }

    public void Run(IMatrixProvider provider, float alpha, float beta) =>
        provider.Multiply(
            TransposeA, TransposeB, M, N, K, alpha,
            _a.AsSpan(_offset, Required(TransposeA == MatrixTranspose.None ? M : K, TransposeA == MatrixTranspose.None ? K : M, Lda)), Lda,
            _b.AsSpan(_offset, Required(TransposeB == MatrixTranspose.None ? K : N, TransposeB == MatrixTranspose.None ? N : K, Ldb)), Ldb,
            beta,
            C.AsSpan(_offset, Required(M, N, Ldc)), Ldc);

    /// <summary>
    /// Checks every element of c against a double-precision reference, and that nothing outside c changed.
    /// </summary>
    /// <remarks>
    /// Bound: a float dot product of k terms in any summation order errs by at most γ_k·Σ|aₚbₚ|, where
    /// γ_n = n·u/(1 − n·u) and u = 2⁻²⁴ (Higham, Accuracy and Stability of Numerical Algorithms, §3.1). Scaling by
    /// alpha, scaling the old c by beta and the final addition add up to three more roundings, so
    /// |c − exact| ≤ γ_{k+3}·(|alpha|·Σₚ|op(a)[i,p]·op(b)[p,j]| + |beta·c_old[i,j]|). The double reference's own error
    /// is about 2⁻⁵³ relative and is ignored. Fused multiply-adds only remove roundings, so every correct
    /// implementation meets this bound; it is the rigorous worst case, not a tuned tolerance.
    /// </remarks>
    public void AssertMatchesReference(float alpha, float beta, string label)
    {
        double gamma = (K + 3) * UnitRoundoff / (1 - ((K + 3) * UnitRoundoff));
        for (int index = 0; index < C.Length; index++)
        {
            int local = index - _offset;
            int i = local >= 0 ? local / Ldc : -1;
            int j = local >= 0 ? local % Ldc : -1;
            if (i < 0 || i >= M || j >= N)
            {
                if (C[index].CompareTo(_cOld[index]) != 0)
                {
                    Assert.Fail($"{label}: wrote outside c at array index {index} ({C[index]} instead of {_cOld[index]}).");
                }

                continue;
            }

            double sum = 0, magnitude = 0;
            for (int p = 0; p < K; p++)
            {
                double product = (double)ElementA(i, p) * ElementB(p, j);
                sum += product;
                magnitude += Math.Abs(product);
            }

            double expected = alpha * sum;
            double bound = Math.Abs(alpha) * magnitude;
            if (beta != 0f)
            {
                expected += beta * (double)_cOld[index];
                bound += Math.Abs(beta * (double)_cOld[index]);
            }

            double actual = C[index];
            if (!(Math.Abs(actual - expected) <= gamma * bound))
            {
                Assert.Fail($"{label}: c[{i},{j}] = {actual:R}, expected {expected:R} (error {Math.Abs(actual - expected):E3} > γ_{K + 3} {gamma:E3} × {bound:E3}).");
            }
        }
    }

    private float ElementA(int i, int p) =>
        TransposeA == MatrixTranspose.None ? _a[_offset + (i * Lda) + p] : _a[_offset + (p * Lda) + i];

    private float ElementB(int p, int j) =>
        TransposeB == MatrixTranspose.None ? _b[_offset + (p * Ldb) + j] : _b[_offset + (j * Ldb) + p];

    private static int Required(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : ((rows - 1) * ld) + cols;

    private static float[] Fill(int rows, int cols, int ld, int offset, float padding, Func<float> value)
    {
        float[] storage = new float[offset + (rows * ld) + 16];
        Array.Fill(storage, padding);
        for (int r = 0; r < rows; r++)
        {
            for (int col = 0; col < cols; col++)
            {
                storage[offset + (r * ld) + col] = value();
            }
        }

        return storage;
    }

    private static float Uniform(Random random) => (float)((random.NextDouble() * 2) - 1);
}
