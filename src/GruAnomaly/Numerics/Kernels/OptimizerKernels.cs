using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// Adam's update of every parameter in one pass over the parameters, the gradient and both moments.
/// </summary>
/// <remarks>
/// <para>Why: the update used to be ten <c>TensorPrimitives</c> passes. That library lives in another assembly, so its
/// loops cannot be marked for optimization, and a process that sees one CPU keeps them as tier-0 code for a whole
/// training run (the runtime multiplies its tiering delay by ten there). This loop is optimized from the first call,
/// and it reads each array once instead of several times.</para>
/// <para>Exactness: every element goes through the same operations in the same order as those passes, each rounded
/// once (no fused multiply-add; division and square root are correctly rounded at every width), so the results are
/// the same bits at every vector width and in the scalar tail.</para>
/// </remarks>
internal static class OptimizerKernels
{
    /// <summary>One Adam step at the widest accelerated vector width.</summary>
    public static void AdamStep(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment, Span<float> secondMoment,
        in AdamCoefficients coefficients) =>
        AdamStep(SimdLevels.Best, parameters, gradients, firstMoment, secondMoment, coefficients);

    /// <summary>As <see cref="AdamStep(Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, in AdamCoefficients)"/>, at exactly <paramref name="level"/> (tests reach every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AdamStep(SimdLevel level, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment,
        Span<float> secondMoment, in AdamCoefficients coefficients)
    {
        int length = parameters.Length;
        if (gradients.Length != length || firstMoment.Length != length || secondMoment.Length != length)
        {
            throw new ArgumentException(
                $"Adam's spans differ in length: {length} parameters, {gradients.Length} gradients, {firstMoment.Length} and {secondMoment.Length} moments.");
        }

        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetReference(firstMoment);
        ref float v = ref MemoryMarshal.GetReference(secondMoment);
        int done = SimdLevels.Fitting(level, length) switch
        {
            SimdLevel.Vector512 => Adam<Vector512Ops, Vector512<float>>(ref p, ref g, ref m, ref v, 0, length, coefficients),
            SimdLevel.Vector256 => Adam<Vector256Ops, Vector256<float>>(ref p, ref g, ref m, ref v, 0, length, coefficients),
            SimdLevel.Vector128 => Adam<Vector128Ops, Vector128<float>>(ref p, ref g, ref m, ref v, 0, length, coefficients),
            _ => 0,
        };

        // The tail element by element: an overlapping last vector would update its overlap twice.
        Adam<ScalarOps, float>(ref p, ref g, ref m, ref v, done, length, coefficients);
    }

    /// <summary>Updates whole vectors from <paramref name="start"/> while they fit; returns where it stopped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Adam<TOps, TVector>(ref float parameters, ref float gradients, ref float firstMoment, ref float secondMoment,
        int start, int length, in AdamCoefficients c)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        int w = TOps.Count;
        TVector beta1 = TOps.Broadcast(c.Beta1), oneMinusBeta1 = TOps.Broadcast(c.OneMinusBeta1);
        TVector beta2 = TOps.Broadcast(c.Beta2), oneMinusBeta2 = TOps.Broadcast(c.OneMinusBeta2);
        TVector biasCorrection2Sqrt = TOps.Broadcast(c.BiasCorrection2Sqrt), epsilon = TOps.Broadcast(c.Epsilon);
        TVector negativeStepSize = TOps.Broadcast(-c.StepSize);
        TVector l2 = TOps.Broadcast(c.L2WeightDecay), decay = TOps.Broadcast(c.DecoupledDecayFactor);
        bool coupled = c.L2WeightDecay != 0f, decoupled = c.DecoupledDecayFactor != 1f;
        Debug.Assert(!(coupled && decoupled), "Adam decays weights one way or the other.");
        int i = start;
        for (; i + w <= length; i += w)
        {
            TVector p = TOps.Load(ref parameters, i);
            TVector g = TOps.Load(ref gradients, i);
            if (coupled)
            {
                g = TOps.Add(TOps.Multiply(p, l2), g);
            }
            else if (decoupled)
            {
                p = TOps.Multiply(p, decay);
            }

            TVector m = TOps.Add(TOps.Multiply(g, oneMinusBeta1), TOps.Multiply(TOps.Load(ref firstMoment, i), beta1));
            TVector v = TOps.Add(TOps.Multiply(TOps.Multiply(g, g), oneMinusBeta2), TOps.Multiply(TOps.Load(ref secondMoment, i), beta2));

            // PyTorch's denominator: sqrt(v) / sqrt(1 − β₂ᵗ) + ε, so ε is not bias-corrected.
            TVector denominator = TOps.Add(TOps.Divide(TOps.Sqrt(v), biasCorrection2Sqrt), epsilon);
            p = TOps.Add(TOps.Multiply(TOps.Divide(m, denominator), negativeStepSize), p);
            TOps.Store(m, ref firstMoment, i);
            TOps.Store(v, ref secondMoment, i);
            TOps.Store(p, ref parameters, i);
        }

        return i;
    }
}

/// <summary>The scalars of one Adam step, each already rounded to single precision as the update uses it.</summary>
/// <param name="Beta1">β₁.</param>
/// <param name="OneMinusBeta1">1 − β₁, formed in double.</param>
/// <param name="Beta2">β₂.</param>
/// <param name="OneMinusBeta2">1 − β₂, formed in double.</param>
/// <param name="BiasCorrection2Sqrt">√(1 − β₂ᵗ).</param>
/// <param name="Epsilon">ε, added after the bias correction.</param>
/// <param name="StepSize">learning rate / (1 − β₁ᵗ).</param>
/// <param name="L2WeightDecay">The coupled (L2) weight decay added to the gradient, or 0.</param>
/// <param name="DecoupledDecayFactor">1 − learning rate · decay for decoupled weight decay (AdamW), or 1.</param>
internal readonly record struct AdamCoefficients(
    float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float BiasCorrection2Sqrt, float Epsilon, float StepSize,
    float L2WeightDecay, float DecoupledDecayFactor);
