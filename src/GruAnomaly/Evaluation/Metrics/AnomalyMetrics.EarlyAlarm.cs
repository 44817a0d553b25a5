using GruAnomaly.Data;

namespace GruAnomaly.Evaluation;

public static partial class AnomalyMetrics
{
    /// <summary>
    /// An early-alarm score in the spirit of the Numenta Anomaly Benchmark (Lavin and Ahmad, "Evaluating Real-time
    /// Anomaly Detection Algorithms", 2015): an alarm early in a labelled window earns almost a full reward, a late one
    /// little, a false alarm costs more the further it is from the last window, and a missed window costs a fixed
    /// amount. The sum is normalised to 0 for no alarm and 100 for the earliest possible alarms.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Windows are the maximal runs of true labels. An alarm at step t is scored by its position y relative to a window
    /// [s, e] (inclusive) through σ(y) = 2/(1 + e^{5y}) − 1 = −tanh(2.5·y), which falls from tanh(2.5) ≈ 0.987 at
    /// y = −1 through 0 at y = 0 towards −1:
    /// </para>
    /// <list type="bullet">
    /// <item><description>
    /// inside a window, y = (t − e − 1)/(e − s + 1) ∈ [−1, 0); only the earliest alarm of the window counts, earning
    /// A_TP·σ(y); later alarms in the same window are ignored;
    /// </description></item>
    /// <item><description>
    /// outside every window, after the most recent preceding window [s, e], y = (t − e)/(e − s + 1) &gt; 0 and the alarm
    /// costs A_FP·σ(y) (negative: slightly late alarms cost little, alarms long after cost almost A_FP); with no window
    /// before it, the alarm costs A_FP;
    /// </description></item>
    /// <item><description>each window without any alarm costs A_FN.</description></item>
    /// </list>
    /// <para>
    /// Unlike NAB, which widens each labelled anomaly into a window around it and thresholds scores itself, this method
    /// takes the windows and the alarm times as given: pass the labels already widened if that is the protocol, and the
    /// alarms a detector raised (for example the first step of each detected event).
    /// </para>
    /// </remarks>
    /// <param name="labels">True inside a labelled window; not empty.</param>
    /// <param name="alarms">The time steps at which the detector raised an alarm, strictly increasing, each in [0, labels.Length).</param>
    /// <param name="profile">The weights; <see cref="EarlyAlarmProfile.Standard"/> when null.</param>
    /// <returns>The raw and normalised scores, the counts and the detection delays (see <see cref="EarlyAlarmScore"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="alarms"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An alarm is outside [0, labels.Length).</exception>
    /// <exception cref="ArgumentException"><paramref name="labels"/> is empty, or the alarms are not strictly increasing.</exception>
    public static EarlyAlarmScore EarlyAlarm(ReadOnlySpan<bool> labels, IReadOnlyList<int> alarms, EarlyAlarmProfile? profile = null)
    {
        MetricInputs.Alarms(labels, alarms);
        profile ??= EarlyAlarmProfile.Standard;

        Run[] windows = Run.Find(labels);
        var delays = new List<int>(windows.Length);
        int falseAlarms = 0, next = 0, lastDetected = -1;
        double raw = 0;
        foreach (int t in alarms)
        {
            // Alarms are sorted, so the windows that ended before this one ended before every later alarm too.
            while (next < windows.Length && windows[next].End <= t)
            {
                next++;
            }

            if (next < windows.Length && windows[next].Start <= t)
            {
                if (lastDetected != next)
                {
                    Run window = windows[next];
                    lastDetected = next;
                    delays.Add(t - window.Start);
                    raw += profile.TruePositiveWeight * EarlyAlarmSigmoid((double)(t - window.End) / window.Length);
                }

                continue;
            }

            falseAlarms++;
            if (next == 0)
            {
                raw -= profile.FalsePositiveWeight;
            }
            else
            {
                Run preceding = windows[next - 1];
                raw += profile.FalsePositiveWeight * EarlyAlarmSigmoid((double)(t - preceding.End + 1) / preceding.Length);
            }
        }

        raw -= profile.FalseNegativeWeight * (windows.Length - delays.Count);
        double perWindowReward = profile.TruePositiveWeight * EarlyAlarmSigmoid(-1);
        double nullScore = -profile.FalseNegativeWeight * windows.Length;
        double perfectScore = perWindowReward * windows.Length;
        double range = windows.Length == 0 ? perWindowReward + profile.FalseNegativeWeight : perfectScore - nullScore;
        // The rewards are summed one by one but the perfect score is a product, so rounding can push a perfect run a hair above 100.
        double normalized = Math.Min(100 * (raw - nullScore) / range, 100);
        return new EarlyAlarmScore(profile, windows.Length, falseAlarms, [.. delays], raw, nullScore, perfectScore, normalized);
    }

    /// <summary>σ(y) = 2/(1 + exp(5y)) − 1 = −tanh(2.5·y); the tanh form stays exact where exp(5y) overflows.</summary>
    internal static double EarlyAlarmSigmoid(double y) => -Math.Tanh(2.5 * y);
}
