using GruAnomaly.Persistence;

namespace GruAnomaly.Scoring;

/// <summary>
/// A fitted score normalization running over one series: each score is normalized against the scores before it, and
/// then joins them. The built-in normalizations' <c>Apply</c> and a detector's stream both go through it, so a stream
/// normalizes exactly as batch detection does.
/// </summary>
/// <remarks>Mutable, one per series; its whole content is in plain fields.</remarks>
internal abstract class ScoreNormalizationState
{
    /// <summary>
    /// Normalizes the next score of the series (finite) against those before it. When the normalization follows the
    /// threshold's decisions (<see cref="IStreamableScoreNormalization.FollowsDecisions"/>), the score joins the history
    /// only at <see cref="Decided"/>, which must come before the next score.
    /// </summary>
    public abstract double Normalize(double score);

    /// <summary>Tells the state whether the threshold flagged the score just normalized; ignored unless the normalization follows decisions.</summary>
    public virtual void Decided(bool flagged)
    {
    }

    /// <summary>Writes what the state carries from score to score (nothing, unless it overrides this).</summary>
    public virtual void WriteState(FieldWriter writer)
    {
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote, into a state fresh from the same fitted normalization.</summary>
    public virtual void ReadState(FieldReader reader)
    {
    }

    /// <summary>
    /// Normalizes scores in time order with no threshold's decisions (each counts as not flagged);
    /// <paramref name="normalized"/> may be the same span.
    /// </summary>
    public void Run(ReadOnlySpan<double> scores, Span<double> normalized)
    {
        for (int i = 0; i < scores.Length; i++)
        {
            normalized[i] = Normalize(scores[i]);
            Decided(false);
        }
    }
}

/// <summary>A fitted score normalization that can start a <see cref="ScoreNormalizationState"/> per series.</summary>
internal interface IStreamableScoreNormalization
{
    /// <summary>Starts the state a new series continues from: the one at the end of calibration.</summary>
    ScoreNormalizationState CreateState();

    /// <summary>Gets whether the states it creates take the threshold's decision on each score (<see cref="ScoreNormalizationState.Decided"/>) into account.</summary>
    bool FollowsDecisions { get; }
}

/// <summary>Starts the per-series state of a fitted score normalization, or says why there is none.</summary>
internal static class ScoreNormalizationStates
{
    /// <exception cref="NotSupportedException">The normalization does not say how to normalize one score at a time.</exception>
    public static ScoreNormalizationState Create(IFittedScoreNormalization normalization) =>
        normalization is IStreamableScoreNormalization streamable
            ? streamable.CreateState()
            : throw new NotSupportedException(
                $"The score normalization {normalization.Name} ({normalization.GetType().Name}) cannot normalize a stream: only the " +
                "built-in normalizations say how they move one score at a time. Detect in batches, or use a built-in normalization.");
}
