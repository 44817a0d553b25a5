using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// The handful of vector operations the GEMM kernels need, so that one generic kernel source serves every
/// <see cref="SimdLevel"/>. Implementations are empty structs: the JIT specializes generic code per struct and
/// inlines these static calls, producing the same machine code as hand-written intrinsics.
/// </summary>
/// <typeparam name="TVector">The vector type (<see cref="float"/> for the scalar level).</typeparam>
internal interface ISimdOps<TVector>
    where TVector : struct
{
    /// <summary>Number of <see cref="float"/> lanes.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TVector Zero { get; }

    /// <summary>All lanes set to <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(float value);

    /// <summary>Unaligned load of <see cref="Count"/> floats at <c>source[offset]</c>.</summary>
    static abstract TVector Load(ref float source, nint offset);

    /// <summary>Unaligned store of <see cref="Count"/> floats at <c>destination[offset]</c>.</summary>
    static abstract void Store(TVector value, ref float destination, nint offset);

    /// <summary><c>a·b + addend</c>, fused (one rounding) where the hardware has FMA.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

    /// <summary><c>a·b</c>.</summary>
    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary><c>a + b</c>.</summary>
    static abstract TVector Add(TVector a, TVector b);

    /// <summary><c>a − b</c> per lane.</summary>
    static abstract TVector Subtract(TVector a, TVector b);

    /// <summary>Sum of all lanes.</summary>
    static abstract float Sum(TVector value);

    /// <summary><c>1 / (1 + exp(−x))</c>: <see cref="SimdActivations.Sigmoid{TOps, TVector}"/> at vector widths (why not the runtime's exp: see there).</summary>
    static abstract TVector Sigmoid(TVector x);

    /// <summary><c>tanh(x)</c>: <see cref="SimdActivations.Tanh{TOps, TVector}"/> at vector widths.</summary>
    static abstract TVector Tanh(TVector x);

    /// <summary><c>a·(1 − t) + b·t</c>, as the runtime's <c>Lerp</c> at this width (what <c>TensorPrimitives.Lerp</c> calls).</summary>
    static abstract TVector Lerp(TVector a, TVector b, TVector t);

    /// <summary><c>a / b</c>.</summary>
    static abstract TVector Divide(TVector a, TVector b);

    /// <summary>Lane-wise square root, correctly rounded (IEEE 754), as <c>MathF.Sqrt</c>.</summary>
    static abstract TVector Sqrt(TVector x);

    /// <summary><c>|x|</c> per lane.</summary>
    static abstract TVector Abs(TVector x);

    /// <summary>The larger of <paramref name="a"/> and <paramref name="b"/> per lane; NaN in either gives NaN.</summary>
    static abstract TVector Max(TVector a, TVector b);

    /// <summary>x rounded to the nearest integer (ties to even).</summary>
    static abstract TVector Round(TVector x);

    /// <summary><c>2^k</c> for integral <paramref name="k"/> in [−126, 127], built from the exponent bits (no rounding).</summary>
    static abstract TVector PowerOfTwo(TVector k);

    /// <summary>Per lane: <paramref name="ifNegative"/> where <c>x &lt; 0</c>, else <paramref name="otherwise"/>.</summary>
    static abstract TVector SelectWhereNegative(TVector x, TVector ifNegative, TVector otherwise);
}

/// <summary>One lane: the reference path, also what runs where no vector unit is accelerated.</summary>
internal readonly struct ScalarOps : ISimdOps<float>
{
    public static int Count => 1;

    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source, nint offset) => Unsafe.Add(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination, nint offset) => Unsafe.Add(ref destination, offset) = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float addend) => float.MultiplyAddEstimate(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float a, float b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => MathF.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Lerp(float a, float b, float t) => float.Lerp(a, b, t);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float a, float b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sqrt(float x) => MathF.Sqrt(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Abs(float x) => MathF.Abs(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => MathF.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float x) => MathF.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float PowerOfTwo(float k) => BitConverter.Int32BitsToSingle(((int)k + 127) << 23);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SelectWhereNegative(float x, float ifNegative, float otherwise) => x < 0f ? ifNegative : otherwise;
}

/// <summary>128-bit vectors: SSE on x86, AdvSimd on Arm64.</summary>
internal readonly struct Vector128Ops : ISimdOps<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nint offset) => Vector128.LoadUnsafe(ref Unsafe.Add(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> addend) => Vector128.MultiplyAddEstimate(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> value) => Vector128.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) => SimdActivations.Sigmoid<Vector128Ops, Vector128<float>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x) => SimdActivations.Tanh<Vector128Ops, Vector128<float>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Lerp(Vector128<float> a, Vector128<float> b, Vector128<float> t) => Vector128.Lerp(a, b, t);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sqrt(Vector128<float> x) => Vector128.Sqrt(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Abs(Vector128<float> x) => Vector128.Abs(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Round(Vector128<float> x) => Vector128.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> PowerOfTwo(Vector128<float> k) => ((Vector128.ConvertToInt32Native(k) + Vector128.Create(127)) << 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SelectWhereNegative(Vector128<float> x, Vector128<float> ifNegative, Vector128<float> otherwise) =>
        Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), ifNegative, otherwise);
}

/// <summary>256-bit vectors (AVX, FMA3 where present).</summary>
internal readonly struct Vector256Ops : ISimdOps<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nint offset) => Vector256.LoadUnsafe(ref Unsafe.Add(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend) => Vector256.MultiplyAddEstimate(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => SimdActivations.Sigmoid<Vector256Ops, Vector256<float>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x) => SimdActivations.Tanh<Vector256Ops, Vector256<float>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Lerp(Vector256<float> a, Vector256<float> b, Vector256<float> t) => Vector256.Lerp(a, b, t);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sqrt(Vector256<float> x) => Vector256.Sqrt(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Abs(Vector256<float> x) => Vector256.Abs(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Round(Vector256<float> x) => Vector256.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> PowerOfTwo(Vector256<float> k) => ((Vector256.ConvertToInt32Native(k) + Vector256.Create(127)) << 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SelectWhereNegative(Vector256<float> x, Vector256<float> ifNegative, Vector256<float> otherwise) =>
        Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), ifNegative, otherwise);
}

/// <summary>512-bit vectors (AVX-512F, which always includes FMA).</summary>
internal readonly struct Vector512Ops : ISimdOps<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nint offset) => Vector512.LoadUnsafe(ref Unsafe.Add(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend) => Vector512.MultiplyAddEstimate(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => SimdActivations.Sigmoid<Vector512Ops, Vector512<float>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x) => SimdActivations.Tanh<Vector512Ops, Vector512<float>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Lerp(Vector512<float> a, Vector512<float> b, Vector512<float> t) => Vector512.Lerp(a, b, t);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sqrt(Vector512<float> x) => Vector512.Sqrt(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Abs(Vector512<float> x) => Vector512.Abs(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> x) => Vector512.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> PowerOfTwo(Vector512<float> k) => ((Vector512.ConvertToInt32Native(k) + Vector512.Create(127)) << 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SelectWhereNegative(Vector512<float> x, Vector512<float> ifNegative, Vector512<float> otherwise) =>
        Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), ifNegative, otherwise);
}
