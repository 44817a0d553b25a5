using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// The rolling z-score as a scorer: the expected value of a point is the mean of the <see cref="Window"/> (scaled) inputs
/// before it, and the error is its z-score (observed − mean)/σ under their population standard deviation σ, a signed
/// error. Trains nothing, so it goes through the same scaling, combination, threshold and events as a GRU scorer and
/// shows what the GRU adds.
/// </summary>
/// <remarks>
/// <para>
/// σ is floored at 10⁻³ in the scaled units the scorer reads (a thousandth of the training series' standard deviation
/// under the default standard scaler), so after a constant stretch a change scores a large but finite z instead of an
/// infinity. The window's mean and deviation move in O(1) per step by Welford's sliding update in double precision and
/// are recomputed exactly once per window, so rounding does not build up over a long series.
/// </para>
/// <para>
/// The trainer options, the loss and the model of the detector are ignored (and never refused): nothing is trained.
/// The first <c>window</c> steps are the warm-up; no training error was seen in training, so every scored training step
/// is held out.
/// </para>
/// </remarks>
public sealed class RollingZScoreScorer : IAnomalyScorer
{
    /// <summary>Creates the scorer.</summary>
    /// <param name="window">How many previous inputs the statistics cover, positive; null for the detector's window.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not positive.</exception>
    public RollingZScoreScorer(int? window = null)
    {
        Window = ScoringArguments.PositiveOrNull(window, nameof(window));
    }

    /// <summary>Gets how many previous inputs the mean and standard deviation cover, or null for the detector's window.</summary>
    /// <value>The default value is null.</value>
    public int? Window { get; }

    /// <inheritdoc />
    public string Name => Window is int window ? NameOf(window) : "rolling-z-score";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    /// <remarks>The statistics window plus one.</remarks>
    public int MinimumLength(int window) => (Window ?? window) + 1;

    /// <inheritdoc />
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        int window = Window ?? context.Window;
        return new FittedRollingScorer(NameOf(window), context.Features, window, RollingError.ZScore);
    }

    private static string NameOf(int window) => $"rolling-z-score(window={window})";
}
