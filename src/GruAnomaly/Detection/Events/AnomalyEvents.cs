using GruAnomaly.Data;

namespace GruAnomaly.Detection;

/// <summary>Turns point alarms into <see cref="AnomalyEvent"/>s under <see cref="EventRules"/>, and back into flags.</summary>
public static class AnomalyEvents
{
    /// <summary>Finds the events of a flagged series after applying <paramref name="rules"/>.</summary>
    /// <remarks>
    /// The rules apply in this order:
    /// <list type="number">
    /// <item><description>Merge: maximal runs of flagged steps separated by at most <see cref="EventRules.MaxGap"/> unflagged steps become one event.</description></item>
    /// <item><description>Minimum length: events shorter than <see cref="EventRules.MinLength"/> are dropped.</description></item>
    /// <item><description>Pruning: with <see cref="EventRules.MinimumPercentDecrease"/> set, events whose peak is not separated from the lower peaks and the normal scores are dropped.</description></item>
    /// <item><description>Suppression: an event starting within <see cref="EventRules.SuppressionPoints"/> steps after the end of the previous kept event is dropped.</description></item>
    /// </list>
    /// Pruning comes before suppression so that a repeat alarm is judged against a real event, not against a spurious one
    /// pruning would remove. The peak of an event is taken over all of <c>[Start, End]</c>, merged gaps included.
    /// </remarks>
    /// <param name="scores">The anomaly score of each time step; finite (and non-negative when pruning).</param>
    /// <param name="flags">Whether each time step raised an alarm; same length as <paramref name="scores"/>.</param>
    /// <param name="rules">The post-rules.</param>
    /// <returns>The events in time order, not overlapping.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ, a score is not finite, or a score is negative while pruning is on.</exception>
    public static IReadOnlyList<AnomalyEvent> Find(ReadOnlySpan<double> scores, ReadOnlySpan<bool> flags, EventRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (flags.Length != scores.Length)
        {
            throw new ArgumentException(
                $"flags has {flags.Length} values; expected {scores.Length}, one per score.", nameof(flags));
        }

        for (int i = 0; i < scores.Length; i++)
        {
            double score = scores[i];
            if (!double.IsFinite(score) || (rules.MinimumPercentDecrease is not null && score < 0))
            {
                throw new ArgumentException(
                    $"scores contains {score.ToString(System.Globalization.CultureInfo.InvariantCulture)} at index {i}; scores must be finite"
                    + (rules.MinimumPercentDecrease is null ? "." : " and non-negative when MinimumPercentDecrease is set."),
                    nameof(scores));
            }
        }

        List<AnomalyEvent> events = Merge(scores, flags, rules.MaxGap, out double outsideMax);
        events.RemoveAll(e => e.Length < rules.MinLength);
        if (rules.MinimumPercentDecrease is double p)
        {
            events = Prune(events, outsideMax, p);
        }

        if (rules.SuppressionPoints > 0)
        {
            events = Suppress(events, rules.SuppressionPoints);
        }

        return events.AsReadOnly();
    }

    /// <summary>Writes the flags that <paramref name="events"/> describe: true on <c>[Start, End]</c> of each event, false elsewhere.</summary>
    /// <remarks>After <see cref="Find"/>, these are the alarms after the rules: merged gaps are flagged, dropped events are not.</remarks>
    /// <param name="events">The events; each must lie within <paramref name="flags"/>.</param>
    /// <param name="flags">Receives the flags; overwritten entirely.</param>
    /// <exception cref="ArgumentNullException"><paramref name="events"/> is null.</exception>
    /// <exception cref="ArgumentException">An event has <c>Start &gt; End</c> or lies outside <paramref name="flags"/>.</exception>
    public static void ToFlags(IReadOnlyList<AnomalyEvent> events, Span<bool> flags)
    {
        ArgumentNullException.ThrowIfNull(events);
        for (int k = 0; k < events.Count; k++)
        {
            AnomalyEvent e = events[k];
            if (e.Start < 0 || e.End < e.Start || e.End >= flags.Length)
            {
                throw new ArgumentException(
                    $"events[{k}] spans [{e.Start}, {e.End}]; every event needs 0 ≤ Start ≤ End < {flags.Length} (the length of flags).",
                    nameof(events));
            }
        }

        flags.Clear();
        foreach (AnomalyEvent e in events)
        {
            flags.Slice(e.Start, e.Length).Fill(true);
        }
    }

    /// <summary>Returns the flags that <paramref name="events"/> describe over <paramref name="length"/> time steps.</summary>
    /// <param name="events">The events; each must lie within <c>[0, length)</c>.</param>
    /// <param name="length">The number of time steps.</param>
    /// <returns>True on <c>[Start, End]</c> of each event, false elsewhere.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="events"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="ArgumentException">An event has <c>Start &gt; End</c> or lies outside <c>[0, length)</c>.</exception>
    public static bool[] ToFlags(IReadOnlyList<AnomalyEvent> events, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        bool[] flags = new bool[length];
        ToFlags(events, flags);
        return flags;
    }

    /// <summary>Merges flagged runs across gaps of at most <paramref name="maxGap"/> steps; also returns the highest score outside every run.</summary>
    private static List<AnomalyEvent> Merge(ReadOnlySpan<double> scores, ReadOnlySpan<bool> flags, int maxGap, out double outsideMax)
    {
        var runs = new List<(int Start, int End)>();
        foreach (Run run in Run.Find(flags))
        {
            // Compared as start − end − 1 ≤ maxGap rather than start ≤ end + maxGap + 1, which overflows for a huge gap.
            if (runs.Count > 0 && run.Start - runs[^1].End - 1 <= maxGap)
            {
                runs[^1] = (runs[^1].Start, run.End - 1);
            }
            else
            {
                runs.Add((run.Start, run.End - 1));
            }
        }

        // Scores are non-negative whenever this matters (pruning), so 0 is a neutral start.
        outsideMax = 0;
        int next = 0;
        var events = new List<AnomalyEvent>(runs.Count);
        foreach ((int start, int end) in runs)
        {
            outsideMax = Math.Max(outsideMax, Max(scores[next..start]));
            int peak = start;
            for (int t = start + 1; t <= end; t++)
            {
                if (scores[t] > scores[peak])
                {
                    peak = t;
                }
            }

            events.Add(new AnomalyEvent(start, end, peak, scores[peak]));
            next = end + 1;
        }

        outsideMax = Math.Max(outsideMax, Max(scores[next..]));
        return events;
    }

    private static double Max(ReadOnlySpan<double> scores)
    {
        double max = 0;
        foreach (double score in scores)
        {
            max = Math.Max(max, score);
        }

        return max;
    }

    /// <summary>Telemanom's pruning by minimum percent decrease; see <see cref="EventRules.MinimumPercentDecrease"/>.</summary>
    private static List<AnomalyEvent> Prune(List<AnomalyEvent> events, double outsideMax, double minimumDecrease)
    {
        // Ties keep time order, so which of two equal peaks ranks first is defined.
        List<AnomalyEvent> ranked = [.. events.OrderByDescending(e => e.PeakScore).ThenBy(e => e.Start)];
        int lastSeparated = -1;
        for (int k = 0; k < ranked.Count; k++)
        {
            double peak = ranked[k].PeakScore;
            double below = k + 1 < ranked.Count ? ranked[k + 1].PeakScore : outsideMax;

            // A zero peak has only zeros below it: no separation at all.
            double decrease = peak > 0 ? (peak - below) / peak : 0;
            if (decrease >= minimumDecrease)
            {
                lastSeparated = k;
            }
        }

        List<AnomalyEvent> kept = ranked.GetRange(0, lastSeparated + 1);
        kept.Sort((a, b) => a.Start.CompareTo(b.Start));
        return kept;
    }

    private static List<AnomalyEvent> Suppress(List<AnomalyEvent> events, int suppressionPoints)
    {
        var kept = new List<AnomalyEvent>(events.Count);
        foreach (AnomalyEvent e in events)
        {
            if (kept.Count == 0 || e.Start - kept[^1].End > suppressionPoints)
            {
                kept.Add(e);
            }
        }

        return kept;
    }
}
