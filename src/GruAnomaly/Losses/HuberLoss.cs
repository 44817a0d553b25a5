using System.Numerics.Tensors;

namespace GruAnomaly.Losses;

/// <summary>
/// Huber loss with threshold δ: per value <c>0.5·d²</c> if <c>|d| ≤ δ</c>, else <c>δ·(|d| − 0.5·δ)</c>, where
/// <c>d = p − t</c>; gradient of the mean <c>clamp(d, −δ, δ) / Count</c>.
/// </summary>
/// <remarks>Equivalent to PyTorch's <c>HuberLoss(reduction='mean', delta=δ)</c> over the observed values.</remarks>
public sealed class HuberLoss : ILoss
{
    /// <summary>Creates a Huber loss.</summary>
    /// <param name="delta">The residual size at which the loss turns from quadratic to linear; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive and finite.</exception>
    public HuberLoss(float delta = 1f)
    {
        if (!(delta > 0f) || !float.IsFinite(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be positive and finite.");
        }

        Delta = delta;
    }

    /// <summary>The residual size at which the loss turns from quadratic to linear.</summary>
    /// <value>The value given to the constructor; 1 by default.</value>
    public float Delta { get; }

    /// <inheritdoc/>
    /// <value>Always <c>"Huber"</c>; see <see cref="Delta"/> for the threshold.</value>
    public string Name => "Huber";

    /// <summary>Returns the name with <see cref="Delta"/>, for example <c>Huber(delta=1)</c>.</summary>
    /// <returns>What this loss is, with its parameter.</returns>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Name}(delta={Delta:G6})");

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

        double sum = 0;
        foreach (float residual in predictionGradient)
        {
            sum += PointLoss(residual, Delta);
        }

        TensorPrimitives.Clamp(predictionGradient, -Delta, Delta, predictionGradient);
        TensorPrimitives.Multiply(predictionGradient, (float)(1.0 / observed), predictionGradient);
        return new LossValue(sum, observed);
    }

    /// <inheritdoc/>
    public void PointLosses(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> losses)
    {
        LossArguments.ValidatePointLosses(predictions, targets, targetWidth, PredictionsPerTarget, losses);
        TensorPrimitives.Subtract(predictions, targets, losses);
        for (int i = 0; i < losses.Length; i++)
        {
            losses[i] = PointLoss(losses[i], Delta);
        }
    }

    /// <summary><c>0.5·d²</c> if <c>|d| ≤ δ</c>, else <c>δ·(|d| − 0.5·δ)</c>; NaN stays NaN.</summary>
    private static float PointLoss(float residual, float delta)
    {
        float magnitude = MathF.Abs(residual);
        return magnitude <= delta
            ? 0.5f * residual * residual
            : delta * (magnitude - (0.5f * delta));
    }
}