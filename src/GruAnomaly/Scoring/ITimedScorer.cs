namespace GruAnomaly.Scoring;

/// <summary>
/// A fitted scorer that can also read the series' timestamps: a GRU-D forecaster, which counts the time since a feature
/// was last observed in the unit it was trained with, or a fusion holding one. The public <see cref="IFittedScorer"/>
/// calls read no timestamps (δ then counts steps); a detector passes them through <see cref="TimedScoring"/>.
/// </summary>
internal interface ITimedScorer : IFittedScorer
{
    /// <summary>As <see cref="IFittedScorer.Score"/>, with the series' timestamps (or null: δ counts steps).</summary>
    void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected, Span<float> errors);

    /// <summary>As <see cref="IFittedScorer.Saliency"/>, with the series' timestamps (or null: δ counts steps).</summary>
    int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, int time,
        ReadOnlySpan<float> errorGradient, Span<float> inputGradient, out int steps);
}

/// <summary>
/// A fitted scorer that keeps its training points (a nearest-neighbour search), so that scoring its own training series
/// needs care: each point must be scored as if it were new, leaving out its matches with itself, or the calibration would
/// see errors of zero that no new point gets.
/// </summary>
internal interface ITrainingScorer : IFittedScorer
{
    /// <summary>As <see cref="ITimedScorer.Score"/>, for the very series the scorer was fitted on.</summary>
    void ScoreTraining(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected, Span<float> errors);
}

/// <summary>Scores and explains with timestamps where the scorer reads them, and without where it does not.</summary>
internal static class TimedScoring
{
    /// <summary>Scores the series <paramref name="scorer"/> was fitted on, each point as if it were new (see <see cref="ITrainingScorer"/>).</summary>
    public static void ScoreTraining(IFittedScorer scorer, ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps,
        Span<float> expected, Span<float> errors)
    {
        if (scorer is ITrainingScorer training)
        {
            training.ScoreTraining(inputs, observed, timestamps, expected, errors);
        }
        else
        {
            Score(scorer, inputs, observed, timestamps, expected, errors);
        }
    }

    /// <summary>Scores a prepared series, handing its timestamps to a scorer that reads them.</summary>
    public static void Score(IFittedScorer scorer, ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps,
        Span<float> expected, Span<float> errors)
    {
        if (scorer is ITimedScorer timed)
        {
            timed.Score(inputs, observed, timestamps, expected, errors);
        }
        else
        {
            scorer.Score(inputs, observed, expected, errors);
        }
    }

    /// <summary>The saliency of one scored step, handing the series' timestamps to a scorer that reads them.</summary>
    public static int Saliency(IFittedScorer scorer, ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps,
        int time, ReadOnlySpan<float> errorGradient, Span<float> inputGradient, out int steps) =>
        scorer is ITimedScorer timed
            ? timed.Saliency(inputs, observed, timestamps, time, errorGradient, inputGradient, out steps)
            : scorer.Saliency(inputs, observed, time, errorGradient, inputGradient, out steps);
}
