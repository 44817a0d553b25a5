namespace GruAnomaly.Detection;

/// <summary>
/// What a detector found in a series, per time step and as events. Steps that received no score (the warm-up before
/// a full window of context, or a step with every feature missing under the masking policy) report score 0, tail
/// probability 1 and <see cref="IsScored"/> false; they are never flagged on their own, but one inside a gap that the
/// event rules merge is flagged with its event. No value of the result is ever NaN except the expected values of the
/// warm-up (and of a feature that was never observed).
/// </summary>
public sealed class DetectionResult
{
    private readonly double[] _scores;
    private readonly double[] _thresholds;
    private readonly double[] _tailProbabilities;
    private readonly bool[] _flags;
    private readonly bool[] _scored;
    private readonly float[] _expected;
    private readonly double[] _contributions;

    internal DetectionResult(int features, double[] scores, double[] thresholds, double[] tailProbabilities, bool[] flags, bool[] scored,
        float[] expected, double[] contributions, IReadOnlyList<AnomalyEvent> events, IReadOnlyList<DateTimeOffset>? timestamps)
    {
        Features = features;
        _scores = scores;
        _thresholds = thresholds;
        _tailProbabilities = tailProbabilities;
        _flags = flags;
        _scored = scored;
        _expected = expected;
        _contributions = contributions;
        Events = events;
        Timestamps = timestamps;
    }

    /// <summary>Gets the number of time steps.</summary>
    public int Length => _scores.Length;

    /// <summary>Gets the number of features per time step.</summary>
    public int Features { get; }

    /// <summary>Gets the anomaly score per time step (after smoothing, when configured).</summary>
    public ReadOnlySpan<double> Scores => _scores;

    /// <summary>Gets the threshold in force at each time step.</summary>
    public ReadOnlySpan<double> Thresholds => _thresholds;

    /// <summary>
    /// Gets the calibrated score per time step: the probability that a normal score is at least this high, from the
    /// fitted score distribution. Reads the same across series of different scales.
    /// </summary>
    public ReadOnlySpan<double> TailProbabilities => _tailProbabilities;

    /// <summary>Gets whether each time step is anomalous, after the event rules (merged gaps count as flagged).</summary>
    public ReadOnlySpan<bool> Flags => _flags;

    /// <summary>Gets whether each time step received a score.</summary>
    public ReadOnlySpan<bool> IsScored => _scored;

    /// <summary>Gets the expected values, time-major, in the series' units (NaN in the warm-up).</summary>
    public ReadOnlySpan<float> Expected => _expected;

    /// <summary>Gets each feature's share of the unsmoothed score, time-major; the shares of a step add up to its unsmoothed score.</summary>
    public ReadOnlySpan<double> Contributions => _contributions;

    /// <summary>Gets the anomaly events: contiguous flagged ranges with their peak.</summary>
    public IReadOnlyList<AnomalyEvent> Events { get; }

    /// <summary>Gets the series' timestamps, or null when it had none.</summary>
    public IReadOnlyList<DateTimeOffset>? Timestamps { get; }

    /// <summary>Gets the number of flagged time steps.</summary>
    public int FlaggedCount => _flags.Count(f => f);

    /// <summary>Gets the expected values of one time step.</summary>
    /// <param name="time">The time step.</param>
    /// <returns>One value per feature.</returns>
    public ReadOnlySpan<float> ExpectedAt(int time) => _expected.AsSpan(time * Features, Features);

    /// <summary>Gets each feature's share of one time step's unsmoothed score.</summary>
    /// <param name="time">The time step.</param>
    /// <returns>One value per feature.</returns>
    public ReadOnlySpan<double> ContributionsAt(int time) => _contributions.AsSpan(time * Features, Features);

    /// <summary>Gets the timestamp of a time step, when the series had timestamps.</summary>
    /// <param name="time">The time step.</param>
    /// <returns>The timestamp, or null.</returns>
    public DateTimeOffset? TimestampAt(int time) => Timestamps?[time];
}
