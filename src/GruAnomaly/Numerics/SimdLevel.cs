using System.Runtime.Intrinsics;

namespace GruAnomaly.Numerics;

/// <summary>Widest vector instruction set a numeric kernel may use; ordered from narrowest to widest.</summary>
internal enum SimdLevel
{
    /// <summary>Plain scalar code, the reference every vector path must agree with.</summary>
    Scalar = 0,

    /// <summary>128-bit vectors (SSE, Arm64 AdvSimd).</summary>
    Vector128 = 1,

    /// <summary>256-bit vectors (AVX2; fused multiply-add where FMA3 is present).</summary>
    Vector256 = 2,

    /// <summary>512-bit vectors (AVX-512F).</summary>
    Vector512 = 3,
}

/// <summary>Which <see cref="SimdLevel"/>s the running hardware accelerates.</summary>
internal static class SimdLevels
{
    /// <summary>The widest level the hardware accelerates; a JIT-time constant, so dispatch on it costs nothing.</summary>
    public static SimdLevel Best =>
        Vector512.IsHardwareAccelerated ? SimdLevel.Vector512
        : Vector256.IsHardwareAccelerated ? SimdLevel.Vector256
        : Vector128.IsHardwareAccelerated ? SimdLevel.Vector128
        : SimdLevel.Scalar;

    /// <summary>Whether <paramref name="level"/> runs in hardware rather than in the runtime's slow software fallback.</summary>
    public static bool IsAccelerated(SimdLevel level) => level <= Best;

    /// <summary>The widest level at or below <paramref name="level"/> whose vector fits in <paramref name="length"/> floats.</summary>
    public static SimdLevel Fitting(SimdLevel level, int length) =>
        level >= SimdLevel.Vector512 && length >= Vector512<float>.Count ? SimdLevel.Vector512
        : level >= SimdLevel.Vector256 && length >= Vector256<float>.Count ? SimdLevel.Vector256
        : level >= SimdLevel.Vector128 && length >= Vector128<float>.Count ? SimdLevel.Vector128
        : SimdLevel.Scalar;
}
