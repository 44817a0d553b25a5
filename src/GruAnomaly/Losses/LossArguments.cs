using System.Numerics.Tensors;

namespace GruAnomaly.Losses;

/// <summary>Argument checks and the masked residual shared by the loss implementations.</summary>
internal static class LossArguments
{
    /// <summary>Checks the layout of <see cref="ILoss.Evaluate"/>.</summary>
    public static void ValidateEvaluate(
        ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, int predictionsPerTarget, Span<float> predictionGradient)
    {
        ValidateInputs(predictions, targets, targetWidth, predictionsPerTarget);
        if (predictionGradient.Length != predictions.Length)
        {
            throw new ArgumentException(
                $"predictionGradient must have the same length as predictions ({predictions.Length}); got {predictionGradient.Length}.",
                nameof(predictionGradient));
        }
    }

    /// <summary>Checks the layout of <see cref="ILoss.PointLosses"/>.</summary>
    public static void ValidatePointLosses(
        ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, int predictionsPerTarget, Span<float> losses)
    {
        ValidateInputs(predictions, targets, targetWidth, predictionsPerTarget);
        if (losses.Length != targets.Length)
        {
            throw new ArgumentException(
                $"losses must have one entry per target ({targets.Length}); got {losses.Length}.", nameof(losses));
        }
    }

    /// <summary>
    /// Writes <c>prediction − target</c> into <paramref name="residuals"/>, with 0 where the target is missing, and
    /// returns the number of observed targets.
    /// </summary>
    /// <remarks>
    /// Every point loss here is a function f of the residual with f(0) = 0 and f′(0) = 0, so zeroing the residual of a
    /// missing target removes it from both the sum and the gradient without further masking.
    /// </remarks>
    public static int MaskedResiduals(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> residuals)
    {
        TensorPrimitives.Subtract(predictions, targets, residuals);
        if (!TensorPrimitives.IsNaNAny(targets))
        {
            return targets.Length;
        }

        int observed = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            if (float.IsNaN(targets[i]))
            {
                residuals[i] = 0f;
            }
            else
            {
                observed++;
            }
        }

        return observed;
    }

    private static void ValidateInputs(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, int predictionsPerTarget)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetWidth);
        if (targets.Length % targetWidth != 0)
        {
            throw new ArgumentException(
                $"targets must hold whole rows of targetWidth {targetWidth} values; got {targets.Length} values.", nameof(targets));
        }

        long expected = (long)targets.Length * predictionsPerTarget;
        if (predictions.Length != expected)
        {
            throw new ArgumentException(
                $"predictions must have {expected} values ({targets.Length} targets × {predictionsPerTarget} predictions per target); got {predictions.Length}.",
                nameof(predictions));
        }
    }
}