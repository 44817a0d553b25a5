using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Scoring;

/// <summary>
/// The scoring strategy of a detector: trains a model on a (scaled) series and turns a series into per-point,
/// per-feature errors. Forecasting and reconstruction are the built-in ones (<see cref="Scorer"/>); a user-written
/// scorer plugs into the detector the same way.
/// </summary>
public interface IAnomalyScorer
{
    /// <summary>Gets a short description for logs and reports.</summary>
    string Name { get; }

    /// <summary>Gets the fewest time steps a series needs to receive any score, for a given window.</summary>
    /// <param name="window">The context length.</param>
    /// <returns>The minimum length.</returns>
    int MinimumLength(int window);

    /// <summary>
    /// Gets the longest window this scorer can work with: <c>AnomalyDetectorBuilder.Build</c> refuses a longer given
    /// window, and an automatic window is chosen no longer.
    /// </summary>
    /// <value>The default value is <see cref="int.MaxValue"/> (any window).</value>
    int MaximumWindow => int.MaxValue;

    /// <summary>
    /// Adds a message per choice this scorer cannot work with (for example a loss it cannot score), so that
    /// <c>AnomalyDetectorBuilder.Build</c> reports it with the others instead of failing at fit time.
    /// </summary>
    /// <param name="trainer">The trainer options, with the loss in force.</param>
    /// <param name="problems">Receives the messages.</param>
    void Validate(TrainerOptions trainer, ICollection<string> problems)
    {
    }

    /// <summary>
    /// Gets whether the scorers that <see cref="Fit"/> returns implement <see cref="IAdaptableScorer"/>, so that
    /// <c>AnomalyDetectorBuilder.Build</c> can refuse online adaptation with a scorer that cannot be fine-tuned.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    bool IsAdaptable => false;

    /// <summary>Trains the scorer's model. Must not keep a reference to mutable caller data.</summary>
    /// <param name="context">The training series and the choices made on the detector.</param>
    /// <param name="progress">Receives training progress; may be null.</param>
    /// <param name="cancellationToken">Stops training between mini-batches; the scorer then returns the weights reached.</param>
    /// <returns>The trained, immutable scorer.</returns>
    IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);
}

/// <summary>A trained scorer: immutable and safe to use from several threads at once.</summary>
public interface IFittedScorer
{
    /// <summary>Gets a short description for logs and reports.</summary>
    string Name { get; }

    /// <summary>Gets the number of features per time step.</summary>
    int Features { get; }

    /// <summary>Gets the context length.</summary>
    int Window { get; }

    /// <summary>
    /// Gets whether the errors are signed residuals (observed − expected), which a Mahalanobis combination needs,
    /// rather than non-negative per-feature losses such as a negative log-likelihood.
    /// </summary>
    bool ErrorsAreSigned { get; }

    /// <summary>Gets the number of leading time steps that never receive a score (no full context yet).</summary>
    int WarmUp { get; }

    /// <summary>Gets the first time step of the training series whose error was not seen in training (held out), or its length when none was.</summary>
    int HeldOutFrom { get; }

    /// <summary>Gets the training history, or null when the scorer was not trained by the <see cref="Trainer"/>.</summary>
    TrainingHistory? History { get; }

    /// <summary>
    /// Gets the scorer's model as one <see cref="RecurrentNetwork"/> with its trained weights, for export (for example
    /// <c>GruAnomaly.Onnx.OnnxModel</c>); <see langword="null"/> when the model is not one such network (a
    /// reconstruction's encoder–decoder, a baseline that trains nothing; a fusion gives its one component's network, if exactly one has one).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    TrainedNetwork? TrainedNetwork => null;

    /// <summary>
    /// Scores a series: per time step and feature, the expected value and the error. Time steps in the warm-up get NaN
    /// in both; a missing observation (NaN in <paramref name="observed"/>) gets a NaN error but still an expected value.
    /// </summary>
    /// <param name="inputs">The series the model reads (time-major, scaled, no NaN: missing values already filled).</param>
    /// <param name="observed">The same series with missing values left as NaN: what the errors are measured against.</param>
    /// <param name="expected">Receives expected values, time-major, same length as the series.</param>
    /// <param name="errors">Receives errors, time-major, same length as the series.</param>
    void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors);

    /// <summary>Gets the most input time steps one saliency can cover (several windows can contribute to one point).</summary>
    int MaximumSaliencySteps { get; }

    /// <summary>
    /// Backpropagates a gradient of the score with respect to the errors at time <paramref name="time"/> to the model's
    /// inputs: the saliency of every input step and feature for that point, through every window that contributed to it.
    /// </summary>
    /// <param name="inputs">As for <see cref="Score"/>.</param>
    /// <param name="observed">As for <see cref="Score"/>.</param>
    /// <param name="time">A scored time step (at least <see cref="WarmUp"/>).</param>
    /// <param name="errorGradient">∂score/∂error per feature at <paramref name="time"/>.</param>
    /// <param name="inputGradient">
    /// <see cref="MaximumSaliencySteps"/> × <see cref="Features"/> values, time-major; receives ∂score/∂input in its first
    /// <paramref name="steps"/> rows and zeros after.
    /// </param>
    /// <param name="steps">Receives how many time steps the saliency covers.</param>
    /// <returns>The time step of the first input row of <paramref name="inputGradient"/>.</returns>
    int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps);
}

/// <summary>What a scorer is trained on and with.</summary>
public sealed class ScorerFitContext
{
    /// <summary>Gets the training inputs: time-major, scaled, missing values filled (no NaN).</summary>
    public required ReadOnlyMemory<float> Inputs { get; init; }

    /// <summary>Gets the training observations: as <see cref="Inputs"/> but with missing values left as NaN (masked in the loss).</summary>
    public required ReadOnlyMemory<float> Observed { get; init; }

    /// <summary>Gets the number of features per time step.</summary>
    public required int Features { get; init; }

    /// <summary>Gets the context length.</summary>
    public required int Window { get; init; }

    /// <summary>Gets the distance between consecutive training windows.</summary>
    public required int Stride { get; init; }

    /// <summary>Gets which recurrent layers to build.</summary>
    public required IModelFactory Model { get; init; }

    /// <summary>Gets the trainer settings, including the loss and the seed.</summary>
    public required TrainerOptions Trainer { get; init; }

    /// <summary>Gets what computes the models' matrix products.</summary>
    /// <value>The default value is <see cref="ManagedMatrixProvider.Instance"/>.</value>
    public IMatrixProvider MatrixProvider { get; init; } = ManagedMatrixProvider.Instance;

    /// <summary>Gets where training reports go; never null.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>
    /// Gets the timestamps of the training series, or null: a GRU-D model (<see cref="Models.GruD"/>) counts the time
    /// since a feature was last observed in their median spacing.
    /// </summary>
    internal IReadOnlyList<DateTimeOffset>? Timestamps { get; init; }
}
