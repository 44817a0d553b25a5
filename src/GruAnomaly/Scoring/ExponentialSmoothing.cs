namespace GruAnomaly.Scoring;

/// <summary>
/// Exponentially weighted moving average of scores, as telemanom smooths its errors:
/// <c>s_t = α·x_t + (1 − α)·s_{t−1}</c>, α = 2 / (span + 1), started at the first score. NaN scores (no score) are passed
/// through and do not move the average.
/// </summary>
public sealed class ExponentialSmoothing
{
    /// <summary>Creates the smoothing.</summary>
    /// <param name="span">The span in time steps (pandas' <c>ewm(span=…)</c>, with <c>adjust=False</c>); at least 1 (1 = no smoothing).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="span"/> is less than 1.</exception>
    public ExponentialSmoothing(int span)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(span, 1);
        Span = span;
    }

    /// <summary>Gets the span in time steps.</summary>
    public int Span { get; }

    /// <summary>Gets the weight of the newest score.</summary>
    public double Alpha => 2.0 / (Span + 1);

    /// <summary>Smooths a score sequence; in place is allowed.</summary>
    /// <param name="scores">The scores in time order; NaN where there is no score.</param>
    /// <param name="smoothed">Receives the smoothed scores, same length.</param>
    /// <param name="start">
    /// The average before the first score, for example the typical score of normal data, so that the first smoothed values
    /// are not single raw scores (which vary far more than smoothed ones); NaN starts at the first score.
    /// </param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public void Apply(ReadOnlySpan<double> scores, Span<double> smoothed, double start = double.NaN)
    {
        Diagnostics.Guard.Length(smoothed.Length, scores.Length, nameof(smoothed), "the length of scores");
        double alpha = Alpha, average = start;
        for (int t = 0; t < scores.Length; t++)
        {
            smoothed[t] = Next(alpha, scores[t], ref average);
        }
    }

    /// <summary>
    /// One step of the average, shared by <see cref="Apply"/> and a detector's stream so that both smooth alike:
    /// <paramref name="average"/> is NaN until the first score, and a NaN score returns NaN without moving it.
    /// </summary>
    internal static double Next(double alpha, double score, ref double average)
    {
        if (double.IsNaN(score))
        {
            return double.NaN;
        }

        average = double.IsNaN(average) ? score : (alpha * score) + ((1 - alpha) * average);
        return average;
    }
}
