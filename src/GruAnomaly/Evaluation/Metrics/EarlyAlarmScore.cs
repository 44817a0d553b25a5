namespace GruAnomaly.Evaluation;

/// <summary>
/// The result of <see cref="AnomalyMetrics.EarlyAlarm"/>: the NAB-style score of a list of alarms against labelled
/// windows, normalised between doing nothing (0) and detecting every window at its first step (100), and the counts and
/// delays behind it.
/// </summary>
/// <remarks>
/// Alarms fall into three groups: the first alarm in each window (a detection), later alarms in an already detected
/// window (ignored: neither rewarded nor penalised), and alarms outside every window (<see cref="FalseAlarms"/>).
/// </remarks>
public sealed class EarlyAlarmScore
{
    internal EarlyAlarmScore(EarlyAlarmProfile profile, int windows, int falseAlarms, int[] delays, double rawScore,
        double nullScore, double perfectScore, double normalizedScore)
    {
        Profile = profile;
        Windows = windows;
        FalseAlarms = falseAlarms;
        DetectionDelays = Array.AsReadOnly(delays);
        RawScore = rawScore;
        NullScore = nullScore;
        PerfectScore = perfectScore;
        NormalizedScore = normalizedScore;
    }

    /// <summary>Gets the weights the score was computed with.</summary>
    public EarlyAlarmProfile Profile { get; }

    /// <summary>Gets the number of labelled windows (maximal runs of true labels).</summary>
    public int Windows { get; }

    /// <summary>Gets the number of windows with at least one alarm inside.</summary>
    public int DetectedWindows => DetectionDelays.Count;

    /// <summary>Gets the number of windows without any alarm inside.</summary>
    public int MissedWindows => Windows - DetectedWindows;

    /// <summary>Gets the number of alarms outside every window.</summary>
    public int FalseAlarms { get; }

    /// <summary>
    /// Gets, for each detected window in time order, the steps from its first labelled point to its first alarm
    /// (0 when the alarm is on the window's first step).
    /// </summary>
    public IReadOnlyList<int> DetectionDelays { get; }

    /// <summary>Gets the mean of <see cref="DetectionDelays"/>, or <see cref="double.NaN"/> when no window was detected.</summary>
    public double MeanDelay => DetectedWindows == 0 ? double.NaN : DetectionDelays.Average();

    /// <summary>Gets the sum of rewards and costs: the first alarm in each window, the false alarms and the missed windows.</summary>
    public double RawScore { get; }

    /// <summary>Gets the raw score of a detector that never raises an alarm: −A_FN per window (0 without windows).</summary>
    public double NullScore { get; }

    /// <summary>Gets the raw score of a detector that raises one alarm on the first step of every window and no other: A_TP·tanh(2.5) per window.</summary>
    public double PerfectScore { get; }

    /// <summary>
    /// Gets <c>100·(raw − null)/(perfect − null)</c>: 100 for the perfect detector, 0 for one that raises no alarm,
    /// negative when the alarms cost more than they earn. It never exceeds 100.
    /// </summary>
    /// <remarks>
    /// Without any labelled window the perfect and the null detector coincide and the ratio is 0/0. The score is then
    /// <c>100·raw/(A_TP·tanh(2.5) + A_FN)</c>, the denominator of a series with one window: 0 without alarms, and each
    /// false alarm costs what it would cost before the window of a one-window series (about 5.54 points in the standard
    /// profile), so alarms on normal data are still penalised and the score stays finite.
    /// </remarks>
    public double NormalizedScore { get; }
}
