using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// NAB's windowed Gaussian detector as a scorer: the expected value of a point is the mean of the <see cref="Window"/>
/// (scaled) inputs before it, and the error of each feature is −log10 of the two-sided Gaussian tail probability
/// 2·Q(|z|) of its z-score under their mean and population standard deviation, a non-negative loss (0 at the mean, 1.3
/// at |z| = 1.96, 2.6 at |z| = 3). Trains nothing, so it goes through the same scaling, combination, threshold and
/// events as a GRU scorer and shows what the GRU adds.
/// </summary>
/// <remarks>
/// <para>
/// The tail is computed in log space (through the scaled complementary error function), so the loss keeps growing
/// like z²/(2·ln 10) where the probability itself would underflow to 0: scores do not saturate. The standard deviation
/// is floored at 10⁻³ in the scaled units the scorer reads (a thousandth of the training series' standard deviation
/// under the default standard scaler), so a constant stretch gives large but finite losses. The window's statistics
/// move in O(1) per step, as those of <see cref="RollingZScoreScorer"/>.
/// </para>
/// <para>
/// The trainer options, the loss and the model of the detector are ignored (and never refused): nothing is trained.
/// The first <c>window</c> steps are the warm-up; no training error was seen in training, so every scored training step
/// is held out.
/// </para>
/// </remarks>
public sealed class WindowedGaussianScorer : IAnomalyScorer
{
    /// <summary>How many detector windows the statistics cover when no window is given.</summary>
    public const int DetectorWindows = 10;

    /// <summary>Creates the scorer.</summary>
    /// <param name="window">
    /// How many previous inputs the statistics cover, positive; null for <see cref="DetectorWindows"/> times the detector's window.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not positive.</exception>
    public WindowedGaussianScorer(int? window = null)
    {
        Window = ScoringArguments.PositiveOrNull(window, nameof(window));
    }

    /// <summary>
    /// Gets how many previous inputs the mean and standard deviation cover, or null for <see cref="DetectorWindows"/> times
    /// the detector's window.
    /// </summary>
    /// <value>The default value is null.</value>
    public int? Window { get; }

    /// <inheritdoc />
    public string Name => Window is int window ? NameOf(window) : "windowed-gaussian";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    /// <remarks>The statistics window plus one.</remarks>
    public int MinimumLength(int window) => Resolve(window) + 1;

    /// <inheritdoc />
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        int window = Resolve(context.Window);
        return new FittedRollingScorer(NameOf(window), context.Features, window, RollingError.GaussianTail);
    }

    // No series is long enough for a window near int.MaxValue anyway; capping keeps MinimumLength from overflowing.
    private int Resolve(int detectorWindow) => Window ?? (int)Math.Min((long)DetectorWindows * detectorWindow, int.MaxValue - 1);

    private static string NameOf(int window) => $"windowed-gaussian(window={window})";
}
