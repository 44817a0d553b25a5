using System.Numerics.Tensors;

namespace GruAnomaly.Losses;

/// <summary>Mean squared error: per value <c>(p − t)²</c>, gradient of the mean <c>2(p − t) / Count</c>.</summary>
/// <remarks>Equivalent to PyTorch's <c>MSELoss(reduction='mean')</c> over the observed values.</remarks>
public sealed class MeanSquaredErrorLoss : ILoss
{
    /// <inheritdoc/>
    /// <value>Always <c>"MeanSquaredError"</c>.</value>
    public string Name => "MeanSquaredError";

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

        // Per-value squares in float, exactly as PointLosses reports them, accumulated in double so that the sum
        // neither loses small terms on large batches nor depends on the machine's vector width.
        double sum = 0;
        foreach (float residual in predictionGradient)
        {
            sum += residual * residual;
        }

        TensorPrimitives.Multiply(predictionGradient, (float)(2.0 / observed), predictionGradient);
        return new LossValue(sum, observed);
    }

    /// <inheritdoc/>
    public void PointLosses(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> losses)
    {
        LossArguments.ValidatePointLosses(predictions, targets, targetWidth, PredictionsPerTarget, losses);
        TensorPrimitives.Subtract(predictions, targets, losses);
        TensorPrimitives.Multiply(losses, losses, losses);
    }
}