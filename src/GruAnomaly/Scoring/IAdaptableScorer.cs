using GruAnomaly.Training;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Scoring;

/// <summary>
/// A trained scorer that can be fine-tuned on newer data, as online adaptation
/// (<c>AnomalyDetectorBuilder.WithOnlineAdaptation</c>) does while a series is scored. Fine-tuning returns a new scorer;
/// this one is never modified, so it stays safe to use from several threads at once.
/// </summary>
/// <remarks>
/// The built-in forecast and reconstruction scorers are adaptable; the baselines, which train nothing, are not. A
/// scoring strategy whose fitted scorers implement this interface says so with <see cref="IAnomalyScorer.IsAdaptable"/>.
/// </remarks>
public interface IAdaptableScorer : IFittedScorer
{
    /// <summary>
    /// Gets how many time steps before a point a slice of a series must start for <see cref="IFittedScorer.Score"/> to
    /// give that point the error it gets in the whole series, so that a series can be scored chunk by chunk: a forecaster
    /// reads the window before the point (and, with a horizon, the windows of the earlier forecasts of it). A reconstruction
    /// reads windows around the point and tiles whatever it scores on its own; it needs none, and a chunk scored alone gets
    /// errors of the same kind as in the whole series, not the same errors.
    /// </summary>
    int Lookback { get; }

    /// <summary>
    /// Fine-tunes a copy of this scorer's weights on a series with the trainer (seeded: the same weights, data and
    /// options give the same scorer). Windows are cut from the series as for the first fit; an excluded time step is never
    /// a training target (its value is still read as an input, as when scoring), nor is a missing one.
    /// </summary>
    /// <param name="context">The series, the excluded time steps and the trainer options.</param>
    /// <returns>
    /// A new scorer with the fine-tuned weights and the history of the fine-tuning; this scorer itself when the series is
    /// too short for one training window or has no target left to learn from.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// The lengths of the series, its observations and its exclusions do not agree with each other or with
    /// <see cref="IFittedScorer.Features"/>, or the trainer options do not fit the scorer's network (for example a loss
    /// with another number of predictions per value).
    /// </exception>
    IAdaptableScorer Adapt(ScorerAdaptationContext context);
}

/// <summary>What an <see cref="IAdaptableScorer"/> is fine-tuned on and with.</summary>
public sealed class ScorerAdaptationContext
{
    /// <summary>Gets the inputs: time-major, scaled as for the first fit, missing values filled (no NaN).</summary>
    public required ReadOnlyMemory<float> Inputs { get; init; }

    /// <summary>Gets the observations: as <see cref="Inputs"/> but with missing values left as NaN (masked in the loss).</summary>
    public required ReadOnlyMemory<float> Observed { get; init; }

    /// <summary>Gets, per time step, whether it must not be a training target (for example because it was flagged).</summary>
    public required ReadOnlyMemory<bool> Excluded { get; init; }

    /// <summary>Gets the distance between consecutive training windows.</summary>
    public required int Stride { get; init; }

    /// <summary>Gets the trainer settings of the fine-tuning, including its loss, learning rate, epochs and seed.</summary>
    public required TrainerOptions Trainer { get; init; }

    /// <summary>Gets where training reports go; never null.</summary>
    public required ILogger Logger { get; init; }
}
