namespace GruAnomaly.Detection;

/// <summary>Turns flagged steps into alarms: one at the onset, then at most one per suppression period.</summary>
public static class Alarms
{
    /// <summary>The last alarm's step before any alarm: far enough back that the first flag always raises one.</summary>
    internal const long NoAlarmYet = long.MinValue / 2;

    /// <summary>
    /// Raises an alarm at every flagged step that has no alarm in the <paramref name="suppression"/> steps before it. Each
    /// decision looks only at the flags up to its own step, so a stream raises exactly the alarms that batch detection does.
    /// </summary>
    /// <param name="flags">Whether each step's score crossed the threshold.</param>
    /// <param name="suppression">How many steps after an alarm are held back; 0 raises one at every flagged step.</param>
    /// <returns>The steps that raise an alarm, in time order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="suppression"/> is negative.</exception>
    public static IReadOnlyList<int> Raise(ReadOnlySpan<bool> flags, int suppression) => Raise(flags, suppression, repeat: true);

    /// <summary>
    /// As <see cref="Raise(ReadOnlySpan{bool}, int)"/> when <paramref name="repeat"/> is set; otherwise the suppression
    /// runs from the last flagged step, so a run of flags raises one alarm, at its onset (<see cref="EventRules.RepeatAlarms"/>).
    /// </summary>
    /// <param name="flags">Whether each step's score crossed the threshold.</param>
    /// <param name="suppression">How many steps after an alarm (or, without repeats, after a flag) are held back.</param>
    /// <param name="repeat">Whether flags that go on raise another alarm every <paramref name="suppression"/> steps.</param>
    /// <returns>The steps that raise an alarm, in time order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="suppression"/> is negative.</exception>
    public static IReadOnlyList<int> Raise(ReadOnlySpan<bool> flags, int suppression, bool repeat)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(suppression);
        var alarms = new List<int>();
        long last = NoAlarmYet;
        for (int t = 0; t < flags.Length; t++)
        {
            if (Raises(t, flags[t], suppression, repeat, ref last))
            {
                alarms.Add(t);
            }
        }

        return alarms.AsReadOnly();
    }

    /// <summary>
    /// One step of <see cref="Raise(ReadOnlySpan{bool}, int, bool)"/>, shared with a detector's stream: whether a step
    /// raises an alarm, given the step of the last alarm (without repeats, of the last flag; <see cref="NoAlarmYet"/> at
    /// first), which it moves to <paramref name="time"/> when it raises one (without repeats, at every flag).
    /// </summary>
    internal static bool Raises(long time, bool flag, int suppression, bool repeat, ref long last)
    {
        if (!flag)
        {
            return false;
        }

        bool raises = time - last > suppression;
        if (raises || !repeat)
        {
            last = time;
        }

        return raises;
    }

    /// <summary>
    /// Non-maximum suppression: clears the flag of every step whose score is below the highest scored score within
    /// <paramref name="radius"/> steps on either side (the first of equal maxima is kept), so that a burst of crossings
    /// leaves only its peak. It looks <paramref name="radius"/> steps ahead: a stream can only confirm a peak that late.
    /// </summary>
    /// <param name="scores">The scores.</param>
    /// <param name="scored">Which steps have a score; others are ignored.</param>
    /// <param name="flags">The flags to thin, in place; same length.</param>
    /// <param name="radius">How many steps on each side a peak must dominate; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="radius"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void KeepLocalMaxima(ReadOnlySpan<double> scores, ReadOnlySpan<bool> scored, Span<bool> flags, int radius)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(radius);
        Diagnostics.Guard.Length(scored.Length, scores.Length, nameof(scored), "one value per score");
        Diagnostics.Guard.Length(flags.Length, scores.Length, nameof(flags), "one value per score");
        var keep = new bool[flags.Length];
        for (int t = 0; t < flags.Length; t++)
        {
            if (!flags[t])
            {
                continue;
            }

            keep[t] = true;
            int from = Math.Max(0, t - radius), to = Math.Min(flags.Length - 1, t + radius);
            for (int u = from; u <= to && keep[t]; u++)
            {
                keep[t] = !scored[u] || scores[u] < scores[t] || (scores[u] == scores[t] && u >= t);
            }
        }

        keep.CopyTo(flags);
    }
}
