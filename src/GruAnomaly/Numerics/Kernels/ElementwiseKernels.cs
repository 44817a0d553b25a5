using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// The element-wise operations of the per-step hot loops (gate activations, blends, bias sums, optimizer updates),
/// shaped like their <see cref="TensorPrimitives"/> namesakes (the arithmetic ones equal to them bit for bit), but
/// compiled fully optimized from the first call.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="TensorPrimitives"/> itself: its loops live in another assembly, so the tiered JIT first runs
/// them as unoptimized tier-0 code, and promotes them only after a call-counting delay that restarts whenever a new
/// method is jitted. The delay is 100 ms, but ten times that when the process sees a single CPU (pinned with
/// <c>taskset</c>, a one-CPU container): a first fit or forward pass on one core then spends most of its time in tier-0
/// vector code, up to 10× slower. Our loops carry <see cref="MethodImplOptions.AggressiveOptimization"/>, which skips
/// tier-0 (and, the trade-off, tiered PGO, which these straight-line loops do not need).</para>
/// <para>Bit for bit (add, multiply, multiply-add, lerp): every lane runs the same operations as
/// <see cref="TensorPrimitives"/> at the same vector width (the widest accelerated one, as it chooses); the last partial
/// vector is an overlapping full vector whose inputs are read before anything is written, so in-place calls stay
/// correct; spans shorter than one vector go to <see cref="TensorPrimitives"/> itself. Tests compare both for every
/// length 0…256 at every width.</para>
/// <para>Sigmoid and tanh use the library's own single-precision exp (<see cref="SimdActivations.Sigmoid{TOps, TVector}"/>,
/// within 3 ulp of double precision, tested), not the runtime's <c>Vector512.Exp</c>: that one lives in CoreLib, where
/// it cannot be marked, and on one CPU it stayed in tier-0 code for a whole benchmark, halving the speed of every layer
/// above hidden 64.</para>
/// </remarks>
internal static class ElementwiseKernels
{
    /// <summary><c>destination = 1 / (1 + exp(−x))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (!TryUnary<SigmoidOp>(x, destination))
        {
            TensorPrimitives.Sigmoid(x, destination);
        }
    }

    /// <summary><c>destination = tanh(x)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (!TryUnary<TanhOp>(x, destination))
        {
            TensorPrimitives.Tanh(x, destination);
        }
    }

    /// <summary><c>destination = x + y</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        if (!TryTernary<AddOp>(x, y, y, destination))
        {
            TensorPrimitives.Add(x, y, destination);
        }
    }

    /// <summary><c>destination = x · y</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        if (!TryTernary<MultiplyOp>(x, y, y, destination))
        {
            TensorPrimitives.Multiply(x, y, destination);
        }
    }

    /// <summary><c>destination = (x · y) + addend</c>, two roundings as <see cref="TensorPrimitives.MultiplyAdd(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> addend, Span<float> destination)
    {
        if (!TryTernary<MultiplyAddOp>(x, y, addend, destination))
        {
            TensorPrimitives.MultiplyAdd(x, y, addend, destination);
        }
    }

    /// <summary><c>destination = x·(1 − amount) + y·amount</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Lerp(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> amount, Span<float> destination)
    {
        if (!TryTernary<LerpOp>(x, y, amount, destination))
        {
            TensorPrimitives.Lerp(x, y, amount, destination);
        }
    }

    /// <summary>Runs a unary operation at <paramref name="level"/> (tests reach every width); false when the span is shorter than one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryUnary<TOp>(SimdLevel level, ReadOnlySpan<float> x, Span<float> destination)
        where TOp : IElementwiseOp
    {
        int length = x.Length;
        if (destination.Length < length)
        {
            // Same message path as TensorPrimitives: let it throw.
            return false;
        }

        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float d = ref MemoryMarshal.GetReference(destination);
        return level switch
        {
            SimdLevel.Vector512 when length >= Vector512<float>.Count => Run<TOp, Vector512Ops, Vector512<float>>(ref xr, ref xr, ref xr, ref d, length),
            SimdLevel.Vector256 when length >= Vector256<float>.Count => Run<TOp, Vector256Ops, Vector256<float>>(ref xr, ref xr, ref xr, ref d, length),
            SimdLevel.Vector128 when length >= Vector128<float>.Count => Run<TOp, Vector128Ops, Vector128<float>>(ref xr, ref xr, ref xr, ref d, length),
            _ => false,
        };
    }

    /// <summary>Runs a ternary operation (binary ones ignore the third operand) at <paramref name="level"/>; false when the span is shorter than one vector or lengths differ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryTernary<TOp>(SimdLevel level, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination)
        where TOp : IElementwiseOp
    {
        int length = x.Length;
        if (y.Length != length || z.Length != length || destination.Length < length)
        {
            // TensorPrimitives reports the mismatch.
            return false;
        }

        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float d = ref MemoryMarshal.GetReference(destination);
        return level switch
        {
            SimdLevel.Vector512 when length >= Vector512<float>.Count => Run<TOp, Vector512Ops, Vector512<float>>(ref xr, ref yr, ref zr, ref d, length),
            SimdLevel.Vector256 when length >= Vector256<float>.Count => Run<TOp, Vector256Ops, Vector256<float>>(ref xr, ref yr, ref zr, ref d, length),
            SimdLevel.Vector128 when length >= Vector128<float>.Count => Run<TOp, Vector128Ops, Vector128<float>>(ref xr, ref yr, ref zr, ref d, length),
            _ => false,
        };
    }

    private static bool TryUnary<TOp>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : IElementwiseOp => TryUnary<TOp>(SimdLevels.Best, x, destination);

    private static bool TryTernary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination)
        where TOp : IElementwiseOp => TryTernary<TOp>(SimdLevels.Best, x, y, z, destination);

    /// <summary>Whole vectors, then one overlapping vector for the rest, whose inputs are read first (in-place safe).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Run<TOp, TOps, TVector>(ref float x, ref float y, ref float z, ref float destination, int length)
        where TOp : IElementwiseOp
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int w = TOps.Count;
        Debug.Assert(length >= w);
        nint last = length - w;
        TVector tail = TOp.Invoke<TOps, TVector>(TOps.Load(ref x, last), TOps.Load(ref y, last), TOps.Load(ref z, last));
        nint i = 0;
        for (; i + (2 * w) <= length; i += 2 * w)
        {
            TVector a = TOp.Invoke<TOps, TVector>(TOps.Load(ref x, i), TOps.Load(ref y, i), TOps.Load(ref z, i));
            TVector b = TOp.Invoke<TOps, TVector>(TOps.Load(ref x, i + w), TOps.Load(ref y, i + w), TOps.Load(ref z, i + w));
            TOps.Store(a, ref destination, i);
            TOps.Store(b, ref destination, i + w);
        }

        if (i + w <= length)
        {
            TOps.Store(TOp.Invoke<TOps, TVector>(TOps.Load(ref x, i), TOps.Load(ref y, i), TOps.Load(ref z, i)), ref destination, i);
        }

        TOps.Store(tail, ref destination, last);
        return true;
    }

    /// <summary>One lane-wise operation of up to three operands, for every width.</summary>
    internal interface IElementwiseOp
    {
        /// <summary>Computes one vector of results.</summary>
        static abstract TVector Invoke<TOps, TVector>(TVector x, TVector y, TVector z)
            where TOps : ISimdOps<TVector>
            where TVector : struct;
    }

    /// <summary>1 / (1 + exp(−x))</summary>
    internal readonly struct SigmoidOp : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x, TVector y, TVector z)
            where TOps : ISimdOps<TVector>
            where TVector : struct => TOps.Sigmoid(x);
    }

    /// <summary>tanh(x)</summary>
    internal readonly struct TanhOp : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x, TVector y, TVector z)
            where TOps : ISimdOps<TVector>
            where TVector : struct => TOps.Tanh(x);
    }

    /// <summary>x + y</summary>
    internal readonly struct AddOp : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x, TVector y, TVector z)
            where TOps : ISimdOps<TVector>
            where TVector : struct => TOps.Add(x, y);
    }

    /// <summary>x · y</summary>
    internal readonly struct MultiplyOp : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x, TVector y, TVector z)
            where TOps : ISimdOps<TVector>
            where TVector : struct => TOps.Multiply(x, y);
    }

    /// <summary>(x · y) + z, not fused</summary>
    internal readonly struct MultiplyAddOp : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x, TVector y, TVector z)
            where TOps : ISimdOps<TVector>
            where TVector : struct => TOps.Add(TOps.Multiply(x, y), z);
    }

    /// <summary>x·(1 − z) + y·z</summary>
    internal readonly struct LerpOp : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x, TVector y, TVector z)
            where TOps : ISimdOps<TVector>
            where TVector : struct => TOps.Lerp(x, y, z);
    }
}
