namespace GruAnomaly.Detection;

/// <summary>
/// Post-rules that turn point alarms into <see cref="AnomalyEvent"/>s; applied by <see cref="AnomalyEvents.Find"/> in
/// this order: merge (<see cref="MaxGap"/>), minimum length (<see cref="MinLength"/>), pruning
/// (<see cref="MinimumPercentDecrease"/>), suppression (<see cref="SuppressionPoints"/>).
/// </summary>
/// <remarks>Every property is checked when it is set, so an instance is always valid. Immutable.</remarks>
public sealed record EventRules
{
    private readonly int _maxGap;
    private readonly int _minLength = 1;
    private readonly int _suppressionPoints;
    private readonly double? _minimumPercentDecrease;
    private readonly int? _alarmSuppression;
    private readonly bool _repeatAlarms = true;
    private readonly int _nonMaximumSuppressionRadius;

    /// <summary>
    /// With a positive radius, a flagged step stays flagged only when its score is the highest within this many steps on
    /// either side (non-maximum suppression), before alarms and events are made: a burst of crossings becomes its peak.
    /// </summary>
    /// <remarks>This looks ahead by the radius, so a live stream could raise such an alarm only that many steps late.</remarks>
    /// <value>The default value is 0 (off); must not be negative.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int NonMaximumSuppressionRadius
    {
        get => _nonMaximumSuppressionRadius;
        init => _nonMaximumSuppressionRadius = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(NonMaximumSuppressionRadius), value, "NonMaximumSuppressionRadius must be 0 (off) or positive.");
    }

    /// <summary>The default <see cref="AlarmSuppression"/>, in windows of the detector's context length.</summary>
    public const int DefaultAlarmSuppressionWindows = 1;

    /// <summary>
    /// After an alarm, further alarms are held back for this many time steps: an alarm is raised at a flagged step when
    /// no alarm was raised in the <c>AlarmSuppression</c> steps before it. A service gets one alarm at the onset of an
    /// anomaly, and one more per suppression period while it lasts, instead of one per flagged point.
    /// </summary>
    /// <remarks>Alarms are causal: whether a step raises one depends only on the flags up to that step, so streaming and batch detection agree.</remarks>
    /// <value>The default value is <see langword="null"/>: <see cref="DefaultAlarmSuppressionWindows"/> times the detector's window. 0 raises an alarm at every flagged step.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int? AlarmSuppression
    {
        get => _alarmSuppression;
        init => _alarmSuppression = value is not int v || v >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(AlarmSuppression), value, "AlarmSuppression must be 0 (an alarm per flagged step), positive, or null for the default.");
    }

    /// <summary>
    /// Whether flags that go on raise another alarm every <see cref="AlarmSuppression"/> steps. When false, the
    /// suppression period runs from the last flagged step instead of the last alarm: a run of flags raises one alarm, at
    /// its onset, and the next alarm needs a flag after more than <see cref="AlarmSuppression"/> unflagged steps.
    /// </summary>
    /// <remarks>Causal either way: a stream and batch detection raise the same alarms.</remarks>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RepeatAlarms
    {
        get => _repeatAlarms;
        init => _repeatAlarms = value;
    }

    /// <summary>Flagged runs separated by at most this many unflagged time steps merge into one event (the gap joins it).</summary>
    /// <value>The default value is 0 (only touching runs form one event); must not be negative.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxGap
    {
        get => _maxGap;
        init => _maxGap = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxGap), value, "MaxGap must be 0 or positive (unflagged steps bridged between runs).");
    }

    /// <summary>Events (after merging) shorter than this many time steps are dropped.</summary>
    /// <value>The default value is 1 (keep every event); must be positive.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MinLength
    {
        get => _minLength;
        init => _minLength = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MinLength), value, "MinLength must be at least 1 time step.");
    }

    /// <summary>
    /// An event that starts within this many time steps after the end of the previous kept event is a repeat alarm and
    /// is dropped: it is suppressed when <c>Start − previous.End ≤ SuppressionPoints</c>.
    /// </summary>
    /// <value>The default value is 0 (no suppression); must not be negative.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int SuppressionPoints
    {
        get => _suppressionPoints;
        init => _suppressionPoints = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SuppressionPoints), value, "SuppressionPoints must be 0 (off) or positive.");
    }

    /// <summary>
    /// The minimum relative drop <c>p</c> between successive peak scores that separates real anomalies from the rest, as
    /// in telemanom's pruning (Hundman et al., KDD 2018); <see langword="null"/> turns pruning off.
    /// </summary>
    /// <remarks>
    /// The peaks of the events left by the minimum-length rule are sorted in descending order and the highest score
    /// outside every merged run is appended (0 when there is no such point); points of runs dropped for being too short
    /// were still alarms, so they are not taken as normal. With <c>d_k = (m_k − m_{k+1}) / m_k</c> the drop after the k-th peak,
    /// the events whose peaks rank at or above the last k with <c>d_k ≥ p</c> are kept and the rest are pruned; when no
    /// drop reaches p, every event is pruned. Scores must then be non-negative.
    /// </remarks>
    /// <value>The default value is <see langword="null"/> (no pruning); otherwise in the open interval (0, 1). Telemanom uses 0.13.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in (0, 1).</exception>
    public double? MinimumPercentDecrease
    {
        get => _minimumPercentDecrease;
        init => _minimumPercentDecrease = value is not double p || (p > 0 && p < 1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MinimumPercentDecrease), value, "MinimumPercentDecrease must be in (0, 1), or null to turn pruning off.");
    }
}
