using System.Numerics.Tensors;

namespace GruAnomaly.Losses;

/// <summary>
/// Gaussian negative log-likelihood with a predicted mean and log-variance per target value:
/// per value <c>0.5·(s + (t − μ)²·exp(−s) + log 2π)</c>, where <c>σ² = exp(s)</c>.
/// </summary>
/// <remarks>
/// <para>
/// For a row of <c>w</c> targets the model outputs <c>2w</c> values: the first <c>w</c> are the means μ and the next
/// <c>w</c> are the log-variances s. Predicting <c>s = log σ²</c> instead of σ² keeps the variance positive without a
/// constraint on the head.
/// </para>
/// <para>
/// s is clamped to [−20, 20] before use, so a runaway head cannot make the variance underflow to 0 or overflow; outside
/// that range the gradient with respect to s is 0 (inside and at the bounds it is the unclamped gradient).
/// </para>
/// <para>
/// Unlike PyTorch's <c>GaussianNLLLoss</c> (which takes σ², clamps it at 1e-6 and by default omits the constant), the
/// constant <c>0.5·log 2π</c> is included, so the value is the true negative log-density of the target.
/// </para>
/// </remarks>
public sealed class GaussianNegativeLogLikelihoodLoss : ILoss
{
    /// <summary>The smallest log-variance used; smaller predictions are clamped.</summary>
    public const float MinimumLogVariance = -20f;

    /// <summary>The largest log-variance used; larger predictions are clamped.</summary>
    public const float MaximumLogVariance = 20f;

    private const float LogTwoPi = 1.83787706640934548356f;

    /// <inheritdoc/>
    /// <value>Always <c>"GaussianNegativeLogLikelihood"</c>.</value>
    public string Name => "GaussianNegativeLogLikelihood";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    /// <value>Always 2: a mean and a log-variance per target value.</value>
    public int PredictionsPerTarget => 2;

    /// <inheritdoc/>
    public LossValue Evaluate(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> predictionGradient)
    {
        LossArguments.ValidateEvaluate(predictions, targets, targetWidth, PredictionsPerTarget, predictionGradient);

        // Masking here covers two prediction columns per target and the loss has a non-zero value at zero residual,
        // so the residual trick of the point losses does not apply; one scalar pass computes loss and gradient.
        int observed = 0;
        double sum = 0;
        int rows = targets.Length / targetWidth;
        for (int row = 0; row < rows; row++)
        {
            int meanOffset = row * 2 * targetWidth;
            int logVarianceOffset = meanOffset + targetWidth;
            int targetOffset = row * targetWidth;
            for (int j = 0; j < targetWidth; j++)
            {
                float target = targets[targetOffset + j];
                if (float.IsNaN(target))
                {
                    predictionGradient[meanOffset + j] = 0f;
                    predictionGradient[logVarianceOffset + j] = 0f;
                    continue;
                }

                observed++;
                float logVariance = predictions[logVarianceOffset + j];
                float residual = predictions[meanOffset + j] - target;
                float clamped = Math.Clamp(logVariance, MinimumLogVariance, MaximumLogVariance);
                float inverseVariance = MathF.Exp(-clamped);
                float scaledSquare = residual * residual * inverseVariance;
                sum += 0.5f * (clamped + scaledSquare + LogTwoPi);

                predictionGradient[meanOffset + j] = residual * inverseVariance;
                predictionGradient[logVarianceOffset + j] = logVariance is >= MinimumLogVariance and <= MaximumLogVariance
                    ? 0.5f * (1f - scaledSquare)
                    : 0f;
            }
        }

        if (observed == 0)
        {
            return default;
        }

        TensorPrimitives.Multiply(predictionGradient, (float)(1.0 / observed), predictionGradient);
        return new LossValue(sum, observed);
    }

    /// <inheritdoc/>
    public void PointLosses(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> losses)
    {
        LossArguments.ValidatePointLosses(predictions, targets, targetWidth, PredictionsPerTarget, losses);
        int rows = targets.Length / targetWidth;
        for (int row = 0; row < rows; row++)
        {
            int meanOffset = row * 2 * targetWidth;
            int logVarianceOffset = meanOffset + targetWidth;
            int targetOffset = row * targetWidth;
            for (int j = 0; j < targetWidth; j++)
            {
                float residual = predictions[meanOffset + j] - targets[targetOffset + j];
                float clamped = Math.Clamp(predictions[logVarianceOffset + j], MinimumLogVariance, MaximumLogVariance);
                losses[targetOffset + j] = 0.5f * (clamped + (residual * residual * MathF.Exp(-clamped)) + LogTwoPi);
            }
        }
    }
}