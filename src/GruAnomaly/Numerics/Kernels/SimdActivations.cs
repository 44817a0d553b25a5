using System.Runtime.CompilerServices;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// Exp, sigmoid and tanh at any vector width, in single precision, for every kernel that squashes gates (the vector
/// <see cref="ISimdOps{TVector}"/> and the fused <see cref="GruStepKernels"/>). Ours rather than the runtime's
/// <c>Vector.Exp</c>: that one lives in CoreLib, where it cannot be marked for full optimization, and on a one-CPU
/// machine it stayed in tier-0 code for the whole of a benchmark.
/// </summary>
internal static class SimdActivations
{
    /// <summary>
    /// <c>exp(x)</c> for <c>x ≤ 0</c> in single precision (Cephes' <c>expf</c>: Cody–Waite reduction by ln 2 and a
    /// degree-7 polynomial, within 2 ulp). Arguments below −87.3 give about 1e−38 instead of smaller values, which
    /// the callers only ever add to 1. NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector Exp<TOps, TVector>(TVector x)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        x = TOps.Max(x, TOps.Broadcast(-87.33654f));
        TVector k = TOps.Round(TOps.Multiply(x, TOps.Broadcast(1.44269504f)));
        TVector r = TOps.MultiplyAdd(k, TOps.Broadcast(-0.693359375f), x);
        r = TOps.MultiplyAdd(k, TOps.Broadcast(2.12194440e-4f), r);
        TVector p = TOps.Broadcast(1.9875691500e-4f);
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.3981999507e-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(8.3334519073e-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(4.1665795894e-2f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.6666665459e-1f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(5.0000001201e-1f));
        p = TOps.MultiplyAdd(p, TOps.Multiply(r, r), TOps.Add(r, TOps.Broadcast(1f)));
        return TOps.Multiply(p, TOps.PowerOfTwo(k));
    }

    /// <summary>
    /// <c>1 / (1 + exp(−x))</c>, as <c>1 / (1 + e)</c> for x ≥ 0 and <c>e / (1 + e)</c> for x &lt; 0 with
    /// <c>e = exp(−|x|)</c>: nothing overflows, and one division rounds once in either case.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector Sigmoid<TOps, TVector>(TVector x)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        TVector one = TOps.Broadcast(1f);
        TVector e = Exp<TOps, TVector>(TOps.Subtract(TOps.Zero, TOps.Abs(x)));
        return TOps.Divide(TOps.SelectWhereNegative(x, e, one), TOps.Add(one, e));
    }

    /// <summary>
    /// <c>tanh(x)</c>: Cephes' odd polynomial <c>x + x³·P(x²)</c> for |x| &lt; 0.625, where <c>(1 − e) / (1 + e)</c> would
    /// lose the relative accuracy of e to cancellation; <c>sign(x)·(1 − e) / (1 + e)</c> with <c>e = exp(−2|x|)</c> above.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector Tanh<TOps, TVector>(TVector x)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        TVector one = TOps.Broadcast(1f);
        TVector magnitude = TOps.Abs(x);
        TVector e = Exp<TOps, TVector>(TOps.Multiply(TOps.Broadcast(-2f), magnitude));
        TVector t = TOps.Divide(TOps.Subtract(one, e), TOps.Add(one, e));
        TVector large = TOps.SelectWhereNegative(x, TOps.Subtract(TOps.Zero, t), t);

        TVector z = TOps.Multiply(x, x);
        TVector p = TOps.Broadcast(-5.70498872745e-3f);
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(2.06390887954e-2f));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(-5.37397155531e-2f));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.33314422036e-1f));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(-3.33332819422e-1f));
        TVector small = TOps.MultiplyAdd(TOps.Multiply(p, z), x, x);
        return TOps.SelectWhereNegative(TOps.Subtract(magnitude, TOps.Broadcast(0.625f)), small, large);
    }
}
