namespace GruAnomaly.Detection;

/// <summary>Turns flagged steps into alarms: one at the onset, then at most one per suppression period.</summary>
public static class Alarms
{
    /// <summary>
    /// Raises an alarm at every flagged step that has no alarm in the <paramref name="suppression"/> steps before it. Each
    /// decision looks only at the flags up to its own step, so a stream raises exactly the alarms that batch detection does.
    /// </summary>
    /// <param name="flags">Whether each step's score crossed the threshold.</param>
    /// <param name="suppression">How many steps after an alarm are held back; 0 raises one at every flagged step.</param>
    /// <returns>The steps that raise an alarm, in time order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="suppression"/> is negative.</exception>
    public static IReadOnlyList<int> Raise(ReadOnlySpan<bool> flags, int suppression)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(suppression);
        var alarms = new List<int>();
        long last = long.MinValue / 2;
        for (int t = 0; t < flags.Length; t++)
        {
            if (flags[t] && t - last > suppression)
            {
                alarms.Add(t);
                last = t;
            }
        }

        return alarms.AsReadOnly();
    }
}
