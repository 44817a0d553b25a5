using System.Runtime.CompilerServices;

namespace GruAnomaly.Numerics;

/// <summary>
/// The default provider: the library's own register-blocked SIMD kernel, <see cref="Gemm"/>. Needs no native library,
/// allocates nothing once its scratch pool is warm, and is the fastest choice at the GRU's small shapes.
/// </summary>
public sealed class ManagedMatrixProvider : IMatrixProvider
{
    private ManagedMatrixProvider()
    {
    }

    /// <summary>Gets the single instance (the provider is stateless).</summary>
    public static ManagedMatrixProvider Instance { get; } = new();

    /// <summary>Gets the provider's description, which names the widest instruction set the kernel uses on this machine.</summary>
    public string Name { get; } = $"Managed SIMD GEMM ({SimdLevels.Best})";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    // Once per product, and a layer makes one per step: optimized from the first call (see Gemm.Multiply).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Multiply(
        MatrixTranspose transposeA, MatrixTranspose transposeB,
        int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc) =>
        Gemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
