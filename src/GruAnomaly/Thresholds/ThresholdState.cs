using GruAnomaly.Persistence;

namespace GruAnomaly.Thresholds;

/// <summary>
/// A fitted threshold running over one series: the threshold in force for the next score, and how a score moves it.
/// The built-in thresholds' <see cref="IFittedThreshold.Apply"/> and a detector's stream both go through it, so a stream
/// sees exactly the thresholds batch detection reports.
/// </summary>
/// <remarks>Mutable, one per series; its whole content is in plain fields.</remarks>
internal abstract class ThresholdState
{
    /// <summary>Gets the threshold in force for the next score.</summary>
    public abstract double Threshold { get; }

    /// <summary>Takes the next score (finite): afterwards <see cref="Threshold"/> is the one in force for the score after it.</summary>
    public abstract void Advance(double score);

    /// <summary>Writes what the state carries from score to score (nothing, unless it overrides this).</summary>
    public virtual void WriteState(FieldWriter writer)
    {
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote, into a state fresh from the same fitted threshold.</summary>
    public virtual void ReadState(FieldReader reader)
    {
    }

    /// <summary>Writes the threshold in force at each score, advancing past it.</summary>
    public void Run(ReadOnlySpan<double> scores, Span<double> thresholds)
    {
        for (int i = 0; i < scores.Length; i++)
        {
            thresholds[i] = Threshold;
            Advance(scores[i]);
        }
    }
}

/// <summary>A fitted threshold that can start a <see cref="ThresholdState"/> per series.</summary>
internal interface IStreamableThreshold
{
    /// <summary>Starts the state a new series continues from: the one right after fitting.</summary>
    ThresholdState CreateState();
}

/// <summary>Starts the per-series state of a fitted threshold, or says why there is none.</summary>
internal static class ThresholdStates
{
    /// <exception cref="NotSupportedException">The threshold looks ahead, or does not say how to move one score at a time.</exception>
    public static ThresholdState Create(IFittedThreshold threshold) => threshold switch
    {
        IStreamableThreshold streamable => streamable.CreateState(),
        FittedDynamicThreshold => throw new NotSupportedException(
            $"The threshold {threshold.Name} cannot judge a stream: it chooses ε from the scores it is applied to, those after a " +
            "point included, so a point's threshold is known only once its window (or the whole series) has been seen. Detect " +
            "in batches, or fit a threshold that moves causally: a static one, Threshold.StreamingPeaksOverThreshold or " +
            "Threshold.DriftingPeaksOverThreshold."),
        _ => throw new NotSupportedException(
            $"The threshold {threshold.Name} ({threshold.GetType().Name}) cannot judge a stream: only the built-in thresholds say " +
            "how they move one score at a time. Detect in batches, or fit a built-in threshold."),
    };
}

/// <summary>A threshold no score moves.</summary>
internal sealed class ConstantThresholdState : ThresholdState
{
    private readonly double _threshold;

    public ConstantThresholdState(double threshold) => _threshold = threshold;

    public override double Threshold => _threshold;

    public override void Advance(double score)
    {
    }
}
