using GruAnomaly.Numerics;

namespace GruAnomaly.Tests.Numerics;

/// <summary>
/// Hands every product to the managed GEMM, but is not <see cref="ManagedMatrixProvider"/>: the GRU cells take their
/// fused small-hidden step only on the managed provider, so on this one they run the GEMM + element-wise path.
/// </summary>
internal sealed class GemmForwardingProvider : IMatrixProvider
{
    public string Name => "managed GEMM";

    public void Multiply(MatrixTranspose transposeA, MatrixTranspose transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Gemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
