namespace GruAnomaly.Scoring;

/// <summary>
/// How raw scores are put on the scale of recent normal scores before the threshold sees them, so that a lasting change
/// in the level of normal error (a noisier sensor, a new operating regime, a test period unlike the training period)
/// does not fire an alarm at every point.
/// </summary>
/// <remarks>Implementations are immutable and safe to share between threads. Create them with <see cref="ScoreNormalization"/>.</remarks>
public interface IScoreNormalization
{
    /// <summary>A short, stable, human-readable name including the settings.</summary>
    string Name { get; }

    /// <summary>
    /// Fits the normalization on the calibration scores and normalizes them as a stream would have: each score against
    /// the ones before it.
    /// </summary>
    /// <param name="calibrationScores">Scores of mostly normal data in time order; finite; at least one.</param>
    /// <param name="normalized">Receives the normalized calibration scores; same length.</param>
    /// <returns>The fitted normalization, holding the history a stream continues from.</returns>
    /// <exception cref="ArgumentException">The scores are empty or not finite, or the lengths differ.</exception>
    IFittedScoreNormalization Fit(ReadOnlySpan<double> calibrationScores, Span<double> normalized);
}

/// <summary>A fitted <see cref="IScoreNormalization"/>: immutable, safe to share between threads.</summary>
public interface IFittedScoreNormalization
{
    /// <summary>A short, stable, human-readable name including the settings.</summary>
    string Name { get; }

    /// <summary>
    /// Normalizes new scores in time order, each against the history before it; the history starts as it was at the end of
    /// calibration (a private copy: applying twice gives the same result).
    /// </summary>
    /// <param name="scores">New scores in time order; finite.</param>
    /// <param name="normalized">Receives one value per score; may be the same span.</param>
    /// <exception cref="ArgumentException">The lengths differ, or a score is not finite.</exception>
    void Apply(ReadOnlySpan<double> scores, Span<double> normalized);
}

/// <summary>The built-in score normalizations.</summary>
/// <remarks>
/// The factories never throw: for invalid arguments they return a placeholder that <c>AnomalyDetectorBuilder.Build</c>
/// reports with every other invalid choice and whose <c>Fit</c> throws an <see cref="ArgumentException"/> naming the problem.
/// </remarks>
public static class ScoreNormalization
{
    /// <summary>No normalization: the threshold sees the raw scores.</summary>
    public static IScoreNormalization None { get; } = new NoScoreNormalization();

    /// <summary>
    /// A robust z-score against the last <paramref name="history"/> scores: <c>(s − median) / (IQR / 1.349)</c>, where the
    /// interquartile range is divided by its value for a standard normal so that the result reads as standard deviations.
    /// </summary>
    /// <param name="history">How many past scores the median and IQR are taken over (bounded memory); at least 16.</param>
    /// <param name="excludeFlagged">
    /// Whether a score the detector's threshold flags is kept out of the history, so that the reference for normal does not
    /// learn from what was judged anomalous and a long anomaly is not absorbed into it. A run of flags longer than half the
    /// history enters it nevertheless (see <see cref="RunningScoreNormalization.ExcludeFlagged"/>). The threshold must move
    /// one score at a time (every built-in one except the dynamic threshold).
    /// </param>
    /// <returns>The normalization.</returns>
    public static IScoreNormalization RobustZ(int history = RunningScoreNormalization.DefaultHistory, bool excludeFlagged = false) =>
        InvalidScoreNormalization.Or("ScoreNormalization.RobustZ",
            () => new RunningScoreNormalization(history, RunningScoreNormalization.Statistic.RobustZ, excludeFlagged));

    /// <summary>The score divided by the median of the last <paramref name="history"/> scores (for non-negative scores).</summary>
    /// <param name="history">How many past scores the median is taken over (bounded memory); at least 16.</param>
    /// <returns>The normalization.</returns>
    public static IScoreNormalization RatioToMedian(int history = RunningScoreNormalization.DefaultHistory) =>
        InvalidScoreNormalization.Or("ScoreNormalization.RatioToMedian", () => new RunningScoreNormalization(history, RunningScoreNormalization.Statistic.RatioToMedian));
}

/// <summary>Passes scores through.</summary>
internal sealed class NoScoreNormalization : IScoreNormalization, IFittedScoreNormalization, IStreamableScoreNormalization
{
    public string Name => "none";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    public ScoreNormalizationState CreateState() => Identity.Instance;

    public bool FollowsDecisions => false;

    public IFittedScoreNormalization Fit(ReadOnlySpan<double> calibrationScores, Span<double> normalized)
    {
        Apply(calibrationScores, normalized);
        return this;
    }

    public void Apply(ReadOnlySpan<double> scores, Span<double> normalized)
    {
        Diagnostics.Guard.Length(normalized.Length, scores.Length, nameof(normalized), "one value per score");
        Thresholds.ScoreChecks.Finite(scores, nameof(scores));
        scores.CopyTo(normalized);
    }

    /// <summary>Passes each score through; it holds nothing, so every series shares one.</summary>
    private sealed class Identity : ScoreNormalizationState
    {
        public static readonly Identity Instance = new();

        public override double Normalize(double score) => score;
    }
}

/// <summary>What a <see cref="ScoreNormalization"/> factory returns for invalid arguments: reported by the builder, refused by <see cref="Fit"/>.</summary>
internal sealed class InvalidScoreNormalization(string name, string problem) : IScoreNormalization, Diagnostics.IInvalidChoice
{
    public string Name => name;

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    public string Problem => problem;

    /// <summary>Creates the normalization, or a placeholder that carries why its arguments were refused.</summary>
    public static IScoreNormalization Or(string factory, Func<IScoreNormalization> create) =>
        Diagnostics.DeferredArguments.TryCreate(factory, create, out string? problem) ?? new InvalidScoreNormalization($"{factory}(invalid)", problem!);

    public IFittedScoreNormalization Fit(ReadOnlySpan<double> calibrationScores, Span<double> normalized) =>
        throw Diagnostics.DeferredArguments.Refusal(problem);
}
