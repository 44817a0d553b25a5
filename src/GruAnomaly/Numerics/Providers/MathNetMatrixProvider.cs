using MathNet.Numerics.Providers.LinearAlgebra;

namespace GruAnomaly.Numerics;

/// <summary>
/// Routes matrix products through a Math.NET Numerics linear algebra provider: its managed provider, or Intel MKL when
/// the application references MathNet's MKL packages (see <see cref="MatrixProviders.TryUseNativeMkl"/>).
/// </summary>
/// <remarks>
/// <para>The MathNet provider is fixed at construction: a later change of MathNet's process-wide
/// <see cref="LinearAlgebraControl.Provider"/> does not affect this object.</para>
/// <para>MathNet multiplies column-major matrices held in whole arrays of exactly the matrix's size, while this
/// library's operands are row-major spans with leading dimensions. A row-major r×c block read as column-major is the
/// c×r transpose, so the row-major product <c>C = op(A)·op(B)</c> is computed as the column-major
/// <c>Cᵀ = op(B)ᵀ·op(A)ᵀ</c>: the operands swap places and keep their transpose flags, with no transposition of
/// data. Because a span cannot be handed to MathNet as an array, each call copies a and b (and c when beta ≠ 0) into
/// contiguous arrays and copies the result back. Those arrays are reused through a small pool of exact-length arrays
/// owned by this instance, so repeated products of the same shapes stop allocating after the first call. The copies
/// cost O(mk + kn + mn) against the O(mnk) product.</para>
/// <para>MathNet's managed provider is far slower than <see cref="ManagedMatrixProvider"/> at the GRU's shapes; this
/// provider exists to use MKL where it is installed and to cross-check results.</para>
/// </remarks>
public sealed class MathNetMatrixProvider : IMatrixProvider
{
    private readonly ExactLengthArrayPool _buffers = new();

    /// <summary>Creates a provider that uses <paramref name="linearAlgebraProvider"/> for every product.</summary>
    /// <param name="linearAlgebraProvider">
    /// The MathNet provider, for example <see cref="ManagedLinearAlgebraProvider.Instance"/> or the current
    /// <see cref="LinearAlgebraControl.Provider"/>; it is initialized here (<see cref="ILinearAlgebraProvider.InitializeVerify"/>).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="linearAlgebraProvider"/> is null.</exception>
    /// <exception cref="NotSupportedException">The provider is not available on this machine (MathNet's own exception).</exception>
    public MathNetMatrixProvider(ILinearAlgebraProvider linearAlgebraProvider)
    {
        ArgumentNullException.ThrowIfNull(linearAlgebraProvider);
        linearAlgebraProvider.InitializeVerify();
        LinearAlgebraProvider = linearAlgebraProvider;
        Name = $"MathNet.Numerics: {linearAlgebraProvider}";
    }

    /// <summary>Gets the MathNet provider that computes the products.</summary>
    public ILinearAlgebraProvider LinearAlgebraProvider { get; }

    /// <summary>Gets the description, which names the MathNet provider in force: "MathNet.Numerics: Managed", or MKL's version string.</summary>
    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public void Multiply(
        MatrixTranspose transposeA, MatrixTranspose transposeB,
        int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        if (Gemm.ValidateOrFinishWithoutProduct(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))
        {
            return;
        }

        bool ta = transposeA == MatrixTranspose.Transpose, tb = transposeB == MatrixTranspose.Transpose;
        (int aRows, int aCols) = ta ? (k, m) : (m, k);
        (int bRows, int bCols) = tb ? (n, k) : (k, n);
        float[] packedA = _buffers.Rent(aRows * aCols);
        float[] packedB = _buffers.Rent(bRows * bCols);
        float[] packedC = _buffers.Rent(m * n);
        try
        {
            Pack(a, aRows, aCols, lda, packedA);
            Pack(b, bRows, bCols, ldb, packedB);
            if (beta == 0f)
            {
                // A recycled array may hold NaN from an earlier product, and 0·NaN is NaN.
                Array.Clear(packedC);
            }
            else
            {
                Pack(c, m, n, ldc, packedC);
            }

            // Stored row-major r×c = column-major c×r; MathNet takes the stored (not transposed) dimensions.
            LinearAlgebraProvider.MatrixMultiplyWithUpdate(
                tb ? Transpose.Transpose : Transpose.DontTranspose,
                ta ? Transpose.Transpose : Transpose.DontTranspose,
                alpha,
                packedB, bCols, bRows,
                packedA, aCols, aRows,
                beta, packedC);

            Unpack(packedC, m, n, c, ldc);
        }
        finally
        {
            _buffers.Return(packedC);
            _buffers.Return(packedB);
            _buffers.Return(packedA);
        }
    }

    private static void Pack(ReadOnlySpan<float> source, int rows, int cols, int ld, float[] destination)
    {
        if (ld == cols)
        {
            source[..(rows * cols)].CopyTo(destination);
            return;
        }

        for (int row = 0; row < rows; row++)
        {
            source.Slice(row * ld, cols).CopyTo(destination.AsSpan(row * cols, cols));
        }
    }

    private static void Unpack(float[] source, int rows, int cols, Span<float> destination, int ld)
    {
        if (ld == cols)
        {
            source.AsSpan().CopyTo(destination);
            return;
        }

        for (int row = 0; row < rows; row++)
        {
            source.AsSpan(row * cols, cols).CopyTo(destination.Slice(row * ld, cols));
        }
    }
}
