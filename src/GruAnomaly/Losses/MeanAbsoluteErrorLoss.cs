using System.Numerics.Tensors;

namespace GruAnomaly.Losses;

/// <summary>Mean absolute error: per value <c>|p − t|</c>, gradient of the mean <c>sign(p − t) / Count</c> (0 where p = t).</summary>
/// <remarks>Equivalent to PyTorch's <c>L1Loss(reduction='mean')</c> over the observed values, including its zero subgradient at p = t.</remarks>
public sealed class MeanAbsoluteErrorLoss : ILoss
{
    /// <inheritdoc/>
    /// <value>Always <c>"MeanAbsoluteError"</c>.</value>
    public string Name => "MeanAbsoluteError";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    /// <value>Always 1.</value>
    public int PredictionsPerTarget => 1;

    /// <inheritdoc/>
    public LossValue Evaluate(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> predictionGradient)
    {
        LossArguments.ValidateEvaluate(predictions, targets, targetWidth, PredictionsPerTarget, predictionGradient);
        int observed = LossArguments.MaskedResiduals(predictions, targets, predictionGradient);
        if (observed == 0)
        {
            predictionGradient.Clear();
            return default;
        }

        // TensorPrimitives has no float-valued sign with sign(0) = 0, so the sum and the sign share one scalar pass.
        float scale = (float)(1.0 / observed);
        double sum = 0;
        for (int i = 0; i < predictionGradient.Length; i++)
        {
            float residual = predictionGradient[i];
            sum += MathF.Abs(residual);
            predictionGradient[i] = residual > 0f ? scale
                : residual < 0f ? -scale
                : residual * scale; // 0 stays 0; a NaN prediction keeps a NaN gradient
        }

        return new LossValue(sum, observed);
    }

    /// <inheritdoc/>
    public void PointLosses(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> losses)
    {
        LossArguments.ValidatePointLosses(predictions, targets, targetWidth, PredictionsPerTarget, losses);
        TensorPrimitives.Subtract(predictions, targets, losses);
        TensorPrimitives.Abs(losses, losses);
    }
}