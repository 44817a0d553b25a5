using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace GruAnomaly.Numerics;

/// <summary>
/// Calls <c>cblas_sgemm</c> in a BLAS library installed on the machine (OpenBLAS, Intel MKL's <c>mkl_rt</c>, the
/// reference BLAS or Apple Accelerate), loaded at run time: nothing needs to be referenced at build time, and a
/// machine without one simply gets <see langword="false"/> from <see cref="TryCreate"/>.
/// </summary>
/// <remarks>
/// <para>CBLAS accepts row-major operands with leading dimensions directly, so no data is copied and nothing is
/// allocated per call. The function is called through an unmanaged function pointer (no delegate marshalling), which
/// works under Native AOT.</para>
/// <para>The library stays loaded for the life of the process: unloading it while another thread may still be inside
/// a product would crash, and a BLAS is small next to the process. Creating several providers on the same library
/// loads it once.</para>
/// <para>Threading and kernels are the library's own business. OpenBLAS may start one thread per core and, in
/// version 0.3.21, picks a slow generic kernel for CPUs it does not recognise unless <c>OPENBLAS_CORETYPE</c> is set
/// (for example <c>Haswell</c> for AVX2, <c>SkylakeX</c> for AVX-512); <c>OPENBLAS_NUM_THREADS=1</c> keeps it on the
/// calling thread. Concurrent calls are safe with the thread-safe builds that distributions ship.</para>
/// </remarks>
public sealed unsafe class NativeBlasMatrixProvider : IMatrixProvider
{
    private const int CblasRowMajor = 101;
    private const int CblasNoTrans = 111;
    private const int CblasTrans = 112;

    private readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

    private NativeBlasMatrixProvider(string libraryName, nint sgemm, string? configuration)
    {
        _sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
        LibraryName = libraryName;
        Name = configuration is null ? $"Native BLAS: {libraryName}" : $"Native BLAS: {libraryName} ({configuration})";
    }

    /// <summary>
    /// Gets the library names tried, in order, when <see cref="TryCreate"/> is given no path: Intel MKL first, then
    /// OpenBLAS, then the system's generic BLAS (on Linux often an alternative that points to OpenBLAS or the reference
    /// implementation).
    /// </summary>
    public static IReadOnlyList<string> DefaultLibraryNames { get; } =
        OperatingSystem.IsWindows() ? ["mkl_rt.2.dll", "mkl_rt.dll", "libopenblas.dll", "openblas.dll"]
        : OperatingSystem.IsMacOS() ? ["libmkl_rt.2.dylib", "libmkl_rt.dylib", "libopenblas.0.dylib", "libopenblas.dylib",
            "/System/Library/Frameworks/Accelerate.framework/Accelerate"]
        : ["libmkl_rt.so.2", "libmkl_rt.so", "libopenblas.so.0", "libopenblas.so", "libblas.so.3"];

    /// <summary>Gets the name or path the library was loaded by.</summary>
    public string LibraryName { get; }

    /// <summary>Gets the description: the library, and for OpenBLAS its build configuration and the kernel it chose.</summary>
    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>Loads a BLAS library that exports <c>cblas_sgemm</c>.</summary>
    /// <param name="provider">The provider, or <see langword="null"/> when no library could be loaded.</param>
    /// <param name="libraryPath">
    /// A library file name or path to load; <see langword="null"/> tries <see cref="DefaultLibraryNames"/> in order.
    /// </param>
    /// <returns>Whether a library was loaded and exports <c>cblas_sgemm</c>.</returns>
    public static bool TryCreate([NotNullWhen(true)] out NativeBlasMatrixProvider? provider, string? libraryPath = null)
    {
        IReadOnlyList<string> candidates = libraryPath is null ? DefaultLibraryNames : [libraryPath];
        foreach (string candidate in candidates)
        {
            if (string.IsNullOrWhiteSpace(candidate) || !NativeLibrary.TryLoad(candidate, out nint handle))
            {
                continue;
            }

            if (NativeLibrary.TryGetExport(handle, "cblas_sgemm", out nint sgemm))
            {
                provider = new NativeBlasMatrixProvider(candidate, sgemm, OpenBlasConfiguration(handle));
                return true;
            }

            NativeLibrary.Free(handle);
        }

        provider = null;
        return false;
    }

    /// <inheritdoc />
    public void Multiply(
        MatrixTranspose transposeA, MatrixTranspose transposeB,
        int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        // BLAS implementations differ on whether they read a and b when there is nothing to multiply; Gemm reads neither.
        if (Gemm.ValidateOrFinishWithoutProduct(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))
        {
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            _sgemm(
                CblasRowMajor,
                transposeA == MatrixTranspose.Transpose ? CblasTrans : CblasNoTrans,
                transposeB == MatrixTranspose.Transpose ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>OpenBLAS reports its version, build options and chosen kernel; other libraries return null.</summary>
    private static string? OpenBlasConfiguration(nint handle)
    {
        if (!NativeLibrary.TryGetExport(handle, "openblas_get_config", out nint getConfig))
        {
            return null;
        }

        byte* text = ((delegate* unmanaged[Cdecl]<byte*>)getConfig)();
        string? configuration = Marshal.PtrToStringUTF8((nint)text)?.Trim();
        if (NativeLibrary.TryGetExport(handle, "openblas_get_corename", out nint getCoreName))
        {
            string? core = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged[Cdecl]<byte*>)getCoreName)())?.Trim();
            if (!string.IsNullOrEmpty(core) && configuration?.Contains(core, StringComparison.OrdinalIgnoreCase) != true)
            {
                configuration = $"{configuration}, kernel {core}";
            }
        }

        return string.IsNullOrEmpty(configuration) ? null : configuration;
    }
}
