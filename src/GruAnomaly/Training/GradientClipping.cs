using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace GruAnomaly.Training;

/// <summary>Gradient-norm clipping over the whole flat gradient vector, like <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Added to the norm in the scale factor <c>maxNorm / (norm + 1e-6)</c>, as PyTorch does, so the clipped norm
    /// lands just below <c>maxNorm</c>.
    /// </summary>
    public const float NormEpsilon = 1e-6f;

    /// <summary>The Euclidean norm <c>√(Σ gᵢ²)</c> of the gradients.</summary>
    /// <param name="gradients">The gradients.</param>
    /// <returns>
    /// The norm, accumulated in double so that it neither overflows for large finite gradients nor drops small terms;
    /// NaN if any gradient is NaN, infinity if any is infinite (or the norm exceeds <see cref="float.MaxValue"/>).
    /// </returns>
    public static float GlobalNorm(ReadOnlySpan<float> gradients)
    {
        return (float)Math.Sqrt(SumOfSquares(gradients));
    }

    /// <summary>
    /// Scales the gradients in place by <c>maxNorm / (norm + 1e-6)</c> when their global norm exceeds
    /// <paramref name="maxNorm"/>; otherwise leaves them untouched.
    /// </summary>
    /// <param name="gradients">The gradients to clip.</param>
    /// <param name="maxNorm">The largest allowed norm; positive (positive infinity never clips).</param>
    /// <returns>
    /// The norm before clipping. A non-finite norm is returned as is and the gradients are left untouched, so the
    /// caller can decide to skip the step.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive.</exception>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be positive.");
        }

        float norm = GlobalNorm(gradients);
        if (float.IsFinite(norm) && norm > maxNorm)
        {
            TensorPrimitives.Multiply(gradients, maxNorm / (norm + NormEpsilon), gradients);
        }

        return norm;
    }

    /// <summary>Σ xᵢ² in double precision.</summary>
    /// <remarks>
    /// TensorPrimitives offers this only in float; widening each vector to double keeps the loop vectorized. The
    /// order of additions depends on the vector width only, so results are reproducible on a given machine.
    /// </remarks>
    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double sum = 0;
        int done = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            Vector<double> lowerSum = Vector<double>.Zero;
            Vector<double> upperSum = Vector<double>.Zero;
            foreach (Vector<float> vector in vectors)
            {
                Vector.Widen(vector, out Vector<double> lower, out Vector<double> upper);
                lowerSum += lower * lower;
                upperSum += upper * upper;
            }

            sum = Vector.Sum(lowerSum + upperSum);
            done = vectors.Length * Vector<float>.Count;
        }

        for (int i = done; i < values.Length; i++)
        {
            double value = values[i];
            sum += value * value;
        }

        return sum;
    }
}