namespace GruAnomaly.Detection;

/// <summary>
/// What a detector found in a series, per time step and as events. Steps that received no score (the warm-up before
/// a full window of context, or a step with every feature missing under the masking policy) report score 0, tail
/// probability 1 and <see cref="IsScored"/> false; they are never flagged on their own, but one inside a gap that the
/// event rules merge is flagged with its event. No value of the result is ever NaN except the expected values of the
/// warm-up (every feature is observed at least once: <c>Detect</c> refuses a series with a feature that never is).
/// </summary>
public sealed class DetectionResult
{
    private readonly double[] _rawScores;
    private readonly double[] _scores;
    private readonly double[] _thresholds;
    private readonly double[] _tailProbabilities;
    private readonly double[] _surprise;
    private readonly bool[] _isAlarm;
    private readonly bool[] _flags;
    private readonly bool[] _scored;
    private readonly float[] _expected;
    private readonly double[] _contributions;

    internal DetectionResult(int features, double[] rawScores, double[] scores, double[] thresholds, double[] tailProbabilities, double[] surprise,
        bool[] flags, bool[] scored, float[] expected, double[] contributions, IReadOnlyList<int> alarms, IReadOnlyList<AnomalyEvent> events,
        IReadOnlyList<DateTimeOffset>? timestamps)
    {
        Features = features;
        _rawScores = rawScores;
        _scores = scores;
        _thresholds = thresholds;
        _tailProbabilities = tailProbabilities;
        _surprise = surprise;
        Alarms = alarms;
        _isAlarm = new bool[scores.Length];
        foreach (int t in alarms)
        {
            _isAlarm[t] = true;
        }

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

    /// <summary>Gets the score per time step as the scorer and error combination give it (after smoothing, when configured).</summary>
    public ReadOnlySpan<double> RawScores => _rawScores;

    /// <summary>
    /// Gets the score per time step that the threshold judges: the raw score normalized against the scores before it
    /// (see <see cref="AnomalyDetectorBuilder.WithScoreNormalization"/>).
    /// </summary>
    public ReadOnlySpan<double> Scores => _scores;

    /// <summary>Gets the threshold in force at each time step, on the scale of <see cref="Scores"/>.</summary>
    public ReadOnlySpan<double> Thresholds => _thresholds;

    /// <summary>
    /// Gets the probability that a normal score is at least this high, from the fitted score distribution. It reaches 0
    /// beyond the fitted tail (and by underflow), so strong anomalies tie at 0; rank and compare with <see cref="Surprise"/>.
    /// </summary>
    public ReadOnlySpan<double> TailProbabilities => _tailProbabilities;

    /// <summary>
    /// Gets the calibrated score per time step: <c>−log₁₀</c> of the calibrated tail probability (3 = one normal score in a
    /// thousand is this high). Strictly increasing in <see cref="Scores"/> and never saturating, so it orders every anomaly
    /// and one threshold on it reads the same across series of different scales. 0 where a step is not scored.
    /// </summary>
    public ReadOnlySpan<double> Surprise => _surprise;

    /// <summary>
    /// Gets the anomaly likelihood of a time step in [0, 1): a strictly increasing function of its <see cref="Surprise"/>
    /// (see <see cref="AnomalyLikelihood.FromSurprise"/>: 0.41 at a tail probability of 0.1, 0.58 at 10⁻³, 0.70 at 10⁻⁹).
    /// </summary>
    /// <param name="time">The time step.</param>
    /// <returns>The likelihood.</returns>
    public double LikelihoodAt(int time) => AnomalyLikelihood.FromSurprise(_surprise[time]);

    /// <summary>Gets whether each time step is anomalous, after the event rules (merged gaps count as flagged); for analysis.</summary>
    public ReadOnlySpan<bool> Flags => _flags;

    /// <summary>
    /// Gets the time steps that raise an alarm: the first flagged step, then a flagged step whenever the alarm
    /// suppression period (<see cref="EventRules.AlarmSuppression"/>) has passed since the last alarm. What a service
    /// acts on; the same alarms a stream raises live.
    /// </summary>
    public IReadOnlyList<int> Alarms { get; }

    /// <summary>Gets whether each time step raises an alarm (see <see cref="Alarms"/>).</summary>
    public ReadOnlySpan<bool> IsAlarm => _isAlarm;

    /// <summary>Gets whether each time step received a score.</summary>
    public ReadOnlySpan<bool> IsScored => _scored;

    /// <summary>Gets the expected values, time-major, in the series' units (NaN in the warm-up).</summary>
    public ReadOnlySpan<float> Expected => _expected;

    /// <summary>Gets each feature's share of the unsmoothed score, time-major; the shares of a step add up to its unsmoothed score.</summary>
    public ReadOnlySpan<double> Contributions => _contributions;

    /// <summary>Gets the anomaly events: contiguous flagged ranges (after the event rules) with their onset, peak and end.</summary>
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

    /// <summary>Returns a short summary, for example <c>1000 steps × 1 feature: 12 flagged, 2 alarms, 2 events</c>.</summary>
    /// <returns>The size of the result and what it found.</returns>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{Length} steps × {Features} feature{(Features == 1 ? "" : "s")}: {FlaggedCount} flagged, {Alarms.Count} alarm{(Alarms.Count == 1 ? "" : "s")}, {Events.Count} event{(Events.Count == 1 ? "" : "s")}");
}
