using GruAnomaly.Diagnostics;
using MathNet.Numerics.Providers.LinearAlgebra;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Numerics;

/// <summary>
/// Where to get an <see cref="IMatrixProvider"/> for <see cref="Recurrent.RecurrentNetwork"/>: the built-in SIMD kernel
/// (the default), Math.NET Numerics' managed provider, or Intel MKL through Math.NET Numerics. For a BLAS installed on
/// the machine (OpenBLAS, MKL) without MathNet's packages, see <see cref="NativeBlasMatrixProvider.TryCreate"/>.
/// </summary>
/// <remarks>
/// Nothing here changes state of this library: each call returns a provider that the caller passes to the networks
/// that should use it. The MKL members, however, go through MathNet's only public way to load MKL, which installs it
/// as MathNet's process-wide linear algebra provider (<see cref="LinearAlgebraControl.Provider"/>): after a successful
/// call, every MathNet matrix in the process computes with MKL too. MathNet's Fourier transform and sparse solver
/// providers are not touched.
/// </remarks>
public static class MatrixProviders
{
    private const string HowToEnableMkl =
        "To use Intel MKL through MathNet.Numerics, add the NuGet packages MathNet.Numerics.Providers.MKL and the native "
        + "MKL package for your platform (MathNet.Numerics.MKL.Linux-x64 or MathNet.Numerics.MKL.Win-x64) to the application. "
        + "Otherwise use MatrixProviders.Managed (the built-in SIMD kernel, the default), MatrixProviders.TryUseNativeMkl, which "
        + "falls back to it, or NativeBlasMatrixProvider.TryCreate for a BLAS installed on the machine such as OpenBLAS.";

    /// <summary>Gets the built-in SIMD kernel, <see cref="ManagedMatrixProvider.Instance"/>: the default and the fastest at GRU shapes.</summary>
    public static IMatrixProvider Managed => ManagedMatrixProvider.Instance;

    /// <summary>Creates a provider on Math.NET Numerics' managed provider (mainly to cross-check results; it is slow).</summary>
    /// <returns>A new provider; it does not change MathNet's global settings.</returns>
    public static MathNetMatrixProvider MathNet() => new(ManagedLinearAlgebraProvider.Instance);

    /// <summary>
    /// Tries to load Intel MKL through Math.NET Numerics (<see cref="LinearAlgebraControl.TryUseNativeMKL"/>) and
    /// falls back to <see cref="Managed"/> when it is not available.
    /// </summary>
    /// <param name="logger">Receives which provider was chosen and, on fallback, a warning that MKL is absent; may be null.</param>
    /// <param name="provider">MKL behind a <see cref="MathNetMatrixProvider"/> on success; otherwise <see cref="Managed"/>.</param>
    /// <returns>Whether MKL was loaded.</returns>
    /// <remarks>On success MKL becomes MathNet's process-wide linear algebra provider (see <see cref="MatrixProviders"/>).</remarks>
    public static bool TryUseNativeMkl(ILogger? logger, out IMatrixProvider provider)
    {
        if (LinearAlgebraControl.TryUseNativeMKL())
        {
            provider = new MathNetMatrixProvider(LinearAlgebraControl.Provider);
            logger?.MatrixProviderSelected(provider.Name);
            return true;
        }

        provider = Managed;
        logger?.NativeMklUnavailable(provider.Name);
        return false;
    }

    /// <summary>Loads Intel MKL through Math.NET Numerics (<see cref="LinearAlgebraControl.UseNativeMKL"/>) or fails.</summary>
    /// <param name="logger">Receives which provider was chosen; may be null.</param>
    /// <returns>MKL behind a <see cref="MathNetMatrixProvider"/>.</returns>
    /// <remarks>MKL becomes MathNet's process-wide linear algebra provider (see <see cref="MatrixProviders"/>).</remarks>
    /// <exception cref="NotSupportedException">
    /// MKL could not be loaded; the message says which packages enable it, and the inner exception is MathNet's.
    /// </exception>
    public static IMatrixProvider UseNativeMkl(ILogger? logger = null)
    {
        try
        {
            LinearAlgebraControl.UseNativeMKL();
        }
        catch (Exception ex) when (ex is NotSupportedException or DllNotFoundException or EntryPointNotFoundException
            or BadImageFormatException or TypeLoadException or InvalidOperationException)
        {
            throw new NotSupportedException($"Intel MKL could not be loaded through MathNet.Numerics ({ex.Message}). {HowToEnableMkl}", ex);
        }

        var provider = new MathNetMatrixProvider(LinearAlgebraControl.Provider);
        logger?.MatrixProviderSelected(provider.Name);
        return provider;
    }
}
