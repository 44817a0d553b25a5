using GruAnomaly.Numerics;
using MathNet.Numerics.Providers.LinearAlgebra;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Tests.Numerics.Providers;

/// <summary>
/// The factory and the provider-specific behaviour. The test project references none of MathNet's MKL packages, so MKL
/// can never load here: these tests pin down the fallback path on every machine.
/// </summary>
public sealed class MatrixProvidersTests
{
    [Fact]
    public void Managed_IsTheSimdKernelSingleton()
    {
        Assert.Same(ManagedMatrixProvider.Instance, MatrixProviders.Managed);
        Assert.StartsWith("Managed SIMD GEMM", MatrixProviders.Managed.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void MathNet_UsesMathNetsManagedProviderAndSaysSo()
    {
        MathNetMatrixProvider provider = MatrixProviders.MathNet();

        Assert.Same(ManagedLinearAlgebraProvider.Instance, provider.LinearAlgebraProvider);
        Assert.Equal("MathNet.Numerics: Managed", provider.Name);
    }

    [Fact]
    public void MathNetMatrixProvider_NullProvider_Throws()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new MathNetMatrixProvider(null!));
        Assert.Equal("linearAlgebraProvider", error.ParamName);
    }

    [Fact]
    public void TryUseNativeMkl_WithoutMklPackages_ReturnsFalseLogsTheFallbackAndReturnsAWorkingProvider()
    {
        var logger = new ListLogger();

        bool loaded = MatrixProviders.TryUseNativeMkl(logger, out IMatrixProvider provider);

        Assert.False(loaded);
        Assert.Same(ManagedMatrixProvider.Instance, provider);
        var entry = Assert.Single(logger.Events);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal(8, entry.EventId);
        Assert.Contains("Intel MKL is not available", entry.Message, StringComparison.Ordinal);
        Assert.Contains(provider.Name, entry.Message, StringComparison.Ordinal);
        Assert.Equal("Managed", LinearAlgebraControl.Provider.ToString());

        float[] c = new float[1];
        provider.Multiply(MatrixTranspose.None, MatrixTranspose.None, 1, 1, 2, 1f, [2f, 3f], 2, [5f, 7f], 1, 0f, c, 1);
        Assert.Equal(31f, c[0]);
    }

    [Fact]
    public void TryUseNativeMkl_WithoutLogger_StillFallsBack()
    {
        Assert.False(MatrixProviders.TryUseNativeMkl(null, out IMatrixProvider provider));
        Assert.Same(ManagedMatrixProvider.Instance, provider);
    }

    [Fact]
    public void UseNativeMkl_WithoutMklPackages_ThrowsNotSupportedSayingHowToEnableIt()
    {
        var logger = new ListLogger();

        var error = Assert.Throws<NotSupportedException>(() => MatrixProviders.UseNativeMkl(logger));

        Assert.Contains("MathNet.Numerics.Providers.MKL", error.Message, StringComparison.Ordinal);
        Assert.Contains("MathNet.Numerics.MKL.Linux-x64", error.Message, StringComparison.Ordinal);
        Assert.Contains("MathNet.Numerics.MKL.Win-x64", error.Message, StringComparison.Ordinal);
        Assert.Contains("MatrixProviders.Managed", error.Message, StringComparison.Ordinal);
        Assert.IsType<NotSupportedException>(error.InnerException);
        Assert.Empty(logger.Events);
        Assert.Equal("Managed", LinearAlgebraControl.Provider.ToString());
    }

    [Fact]
    public void NativeBlas_WhenAvailable_NamesTheLibraryItLoaded()
    {
        Assert.SkipUnless(NativeBlasMatrixProvider.TryCreate(out NativeBlasMatrixProvider? provider), "No BLAS exporting cblas_sgemm loads on this machine.");

        Assert.Contains(provider.LibraryName, NativeBlasMatrixProvider.DefaultLibraryNames);
        Assert.StartsWith($"Native BLAS: {provider.LibraryName}", provider.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void NativeBlas_MissingLibrary_ReturnsFalse()
    {
        Assert.False(NativeBlasMatrixProvider.TryCreate(out NativeBlasMatrixProvider? provider, "libno-such-blas-library.so.42"));
        Assert.Null(provider);
    }

    [Fact]
    public void NativeBlas_LibraryWithoutSgemm_ReturnsFalse()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Uses the C library of glibc-based Linux as a library that loads but has no cblas_sgemm.");

        Assert.False(NativeBlasMatrixProvider.TryCreate(out NativeBlasMatrixProvider? provider, "libc.so.6"));
        Assert.Null(provider);
    }

    [Theory]
    [InlineData("managed")]
    [InlineData("native")]
    public void Multiply_AfterWarmUp_DoesNotAllocate(string which)
    {
        IMatrixProvider provider = ManagedMatrixProvider.Instance;
        if (which == "native")
        {
            Assert.SkipUnless(NativeBlasMatrixProvider.TryCreate(out NativeBlasMatrixProvider? native), "No BLAS exporting cblas_sgemm loads on this machine.");
            provider = native;
        }

        var problem = ProviderProblem.Create(3, 32, 192, 64, MatrixTranspose.None, MatrixTranspose.Transpose, padding: 2, offset: 5, nanC: false);
        for (int i = 0; i < 3; i++)
        {
            problem.Run(provider, 1f, 1f);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        problem.Run(provider, 1f, 1f);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ExactLengthArrayPool_ReusesReturnedArraysOfTheSameLengthOnly()
    {
        var pool = new ExactLengthArrayPool();
        float[] first = pool.Rent(10), second = pool.Rent(10);
        Assert.NotSame(first, second);
        Assert.Equal(10, first.Length);

        pool.Return(first);
        pool.Return(second);

        Assert.Equal(11, pool.Rent(11).Length);
        float[] again = pool.Rent(10), againToo = pool.Rent(10);
        Assert.Same(second, again);
        Assert.Same(first, againToo);
        Assert.NotSame(first, pool.Rent(10));
    }
}

[Collection(typeof(AllocationMeasurementCollection))]
public sealed class MathNetMatrixProviderAllocationTests
{
    /// <summary>
    /// MathNet needs exact-length arrays, which this provider pools per instance. MathNet's managed provider itself
    /// allocates tens of kilobytes per product (it copies operands internally), so the check is relative: after warm-up
    /// the provider allocates no more than a direct MathNet call on the same arrays, give or take less than the smallest
    /// operand copy (32·64 floats = 8,192 bytes). MathNet allocates on its worker threads too, so allocations are
    /// counted process-wide, in a collection that runs alone.
    /// </summary>
    [Fact]
    public void MathNet_AfterWarmUp_AllocatesNoOperandCopiesOfItsOwn()
    {
        const int M = 32, N = 192, K = 64;
        MathNetMatrixProvider provider = MatrixProviders.MathNet();
        var problem = ProviderProblem.Create(3, M, N, K, MatrixTranspose.None, MatrixTranspose.Transpose, padding: 2, offset: 5, nanC: false);
        float[] a = new float[M * K], b = new float[N * K], c = new float[M * N];
        for (int i = 0; i < 3; i++)
        {
            problem.Run(provider, 1f, 1f);
            DirectMathNet();
        }

        long before = GC.GetTotalAllocatedBytes(precise: true);
        DirectMathNet();
        long direct = GC.GetTotalAllocatedBytes(precise: true) - before;
        before = GC.GetTotalAllocatedBytes(precise: true);
        problem.Run(provider, 1f, 1f);
        long viaProvider = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(viaProvider - direct < M * K * sizeof(float), $"provider allocated {viaProvider} bytes, MathNet alone {direct}");
        TestContext.Current.TestOutputHelper?.WriteLine($"provider allocated {viaProvider} bytes, MathNet alone {direct}");

        // The same product the provider issues: Cᵀ (n×m) = B (stored n×k, read column-major as k×n, transposed)·Aᵀ.
        void DirectMathNet() => ManagedLinearAlgebraProvider.Instance.MatrixMultiplyWithUpdate(
            Transpose.Transpose, Transpose.DontTranspose, 1f, b, K, N, a, K, M, 1f, c);
    }
}
