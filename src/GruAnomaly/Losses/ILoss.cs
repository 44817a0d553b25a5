namespace GruAnomaly.Losses;

/// <summary>
/// A training loss over a batch of predictions and (possibly missing) targets, together with its gradient.
/// </summary>
/// <remarks>
/// <para>
/// Layouts are row-major: <c>targets</c> holds <c>rows × targetWidth</c> values and <c>predictions</c> holds
/// <c>rows × (targetWidth · PredictionsPerTarget)</c> values. A NaN target is missing: it contributes nothing to the
/// loss, to the count of observed values or to the gradient.
/// </para>
/// <para>
/// The optimized quantity is the mean over observed values, <c>L = Sum / Count</c>. Non-finite predictions are not
/// rejected: they make the loss NaN or infinite, which the trainer detects.
/// </para>
/// <para>Implementations are immutable and safe to share between threads.</para>
/// </remarks>
public interface ILoss
{
    /// <summary>A short, stable name for logs and persisted models.</summary>
    string Name { get; }

    /// <summary>
    /// The number of prediction values the model must output per target value: 1 for point losses,
    /// 2 for <see cref="GaussianNegativeLogLikelihoodLoss"/> (a mean and a log-variance).
    /// </summary>
    int PredictionsPerTarget { get; }

    /// <summary>
    /// Computes the loss over observed targets and writes <c>∂(Sum / Count)/∂prediction</c> into
    /// <paramref name="predictionGradient"/>.
    /// </summary>
    /// <param name="predictions">The model outputs, <c>rows × (targetWidth · PredictionsPerTarget)</c>, row-major.</param>
    /// <param name="targets">The targets, <c>rows × targetWidth</c>, row-major; NaN marks a missing value.</param>
    /// <param name="targetWidth">The number of target values per row.</param>
    /// <param name="predictionGradient">
    /// Receives the gradient of the mean loss with respect to each prediction; same length as
    /// <paramref name="predictions"/>. Overwritten entirely; zero where the target is missing, and all zero when no
    /// target is observed.
    /// </param>
    /// <returns>The sum of per-value losses over observed targets and the number of observed targets.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetWidth"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The span lengths do not agree with the layout.</exception>
    LossValue Evaluate(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> predictionGradient);

    /// <summary>Computes the loss of every target value separately, without a gradient (used as an anomaly score).</summary>
    /// <param name="predictions">The model outputs, <c>rows × (targetWidth · PredictionsPerTarget)</c>, row-major.</param>
    /// <param name="targets">The targets, <c>rows × targetWidth</c>, row-major; NaN marks a missing value.</param>
    /// <param name="targetWidth">The number of target values per row.</param>
    /// <param name="losses">Receives one loss per target value (same length as <paramref name="targets"/>); NaN where the target is missing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetWidth"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The span lengths do not agree with the layout.</exception>
    void PointLosses(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> losses);
}