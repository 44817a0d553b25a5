using GruAnomaly.Detection;

namespace GruAnomaly.Tests.Detection;

/// <summary>Hand-worked events under each <see cref="EventRules"/> rule, alone and combined.</summary>
public sealed class AnomalyEventsTests
{
    private static readonly EventRules NoRules = new();

    /// <summary>'1' flagged, '0' not; spaces are ignored so the strings can be grouped for reading.</summary>
    private static bool[] Flags(string pattern) => [.. pattern.Where(c => c != ' ').Select(c => c == '1')];

    private static double[] Ramp(int length) => [.. Enumerable.Range(0, length).Select(i => (double)i)];

    private static (int Start, int End)[] Spans(IReadOnlyList<AnomalyEvent> events) => [.. events.Select(e => (e.Start, e.End))];

    [Fact]
    public void No_flags_give_no_events()
    {
        Assert.Empty(AnomalyEvents.Find(Ramp(6), Flags("000000"), NoRules));
        Assert.Empty(AnomalyEvents.Find([], [], NoRules));
        Assert.Empty(AnomalyEvents.Find([], [], new EventRules { MaxGap = 3, MinLength = 2, SuppressionPoints = 4, MinimumPercentDecrease = 0.1 }));
    }

    [Fact]
    public void Contiguous_runs_become_events_with_their_peak()
    {
        double[] scores = [0, 5, 3, 0, 0, 1, 7, 7, 0, 2];
        IReadOnlyList<AnomalyEvent> events = AnomalyEvents.Find(scores, Flags("0110 0111 01"), NoRules);

        // Run [5, 7] peaks at 7 twice: the first index wins.
        Assert.Equal([new AnomalyEvent(1, 2, 1, 5), new AnomalyEvent(5, 7, 6, 7), new AnomalyEvent(9, 9, 9, 2)], events);
        Assert.Equal([2, 3, 1], events.Select(e => e.Length));
    }

    [Fact]
    public void Runs_touching_both_ends_of_the_series_are_events()
    {
        Assert.Equal([(0, 1), (4, 5)], Spans(AnomalyEvents.Find(Ramp(6), Flags("110011"), NoRules)));
        Assert.Equal([(0, 5)], Spans(AnomalyEvents.Find(Ramp(6), Flags("111111"), NoRules)));
    }

    [Fact]
    public void Max_gap_merges_runs_separated_by_at_most_that_many_unflagged_steps()
    {
        bool[] flags = Flags("1 0 1 00 1 000 1");
        double[] scores = [1, 9, 2, 0, 0, 3, 0, 0, 0, 4];

        Assert.Equal([(0, 0), (2, 2), (5, 5), (9, 9)], Spans(AnomalyEvents.Find(scores, flags, NoRules)));
        Assert.Equal([(0, 2), (5, 5), (9, 9)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { MaxGap = 1 })));
        Assert.Equal([(0, 5), (9, 9)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { MaxGap = 2 })));
        Assert.Equal([(0, 9)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { MaxGap = 3 })));
        Assert.Equal([(0, 9)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { MaxGap = int.MaxValue })));

        // The peak is taken over the merged span, gap included: score 9 at the unflagged step 1.
        Assert.Equal(new AnomalyEvent(0, 2, 1, 9), AnomalyEvents.Find(scores, flags, new EventRules { MaxGap = 1 })[0]);
    }

    [Fact]
    public void Min_length_drops_short_events_after_merging()
    {
        bool[] flags = Flags("1 0 1 000 11 000 111");
        double[] scores = Ramp(flags.Length);

        Assert.Equal([(6, 7), (11, 13)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { MinLength = 2 })));
        Assert.Equal([(11, 13)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { MinLength = 3 })));

        // Merged first, the two single steps at 0 and 2 form an event of length 3 that survives.
        Assert.Equal([(0, 2), (11, 13)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { MaxGap = 1, MinLength = 3 })));
    }

    [Fact]
    public void Suppression_drops_events_starting_soon_after_the_previous_kept_event()
    {
        // Events [0,1], [4,4], [7,7], [12,12]. With 3 points: [4,4] starts 3 after 1 → suppressed; [7,7] starts 6 after the
        // kept [0,1] → kept (it would be suppressed if compared with the suppressed [4,4], 3 after it); [12,12] is 5 after 7 → kept.
        bool[] flags = Flags("11 00 1 00 1 0000 1");
        double[] scores = Ramp(flags.Length);

        Assert.Equal([(0, 1), (7, 7), (12, 12)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { SuppressionPoints = 3 })));
        Assert.Equal([(0, 1), (4, 4), (7, 7), (12, 12)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { SuppressionPoints = 2 })));
        Assert.Equal([(0, 1), (7, 7)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { SuppressionPoints = 5 })));
        Assert.Equal([(0, 1), (12, 12)], Spans(AnomalyEvents.Find(scores, flags, new EventRules { SuppressionPoints = 6 })));
    }

    [Fact]
    public void Pruning_keeps_events_down_to_the_last_large_enough_drop()
    {
        // Event peaks 10, 5, 9, 4.8 (in time order); highest score outside events 4.5 (step 1).
        // Sorted 10, 9, 5, 4.8, then 4.5. Drops: (10−9)/10 = 0.1, (9−5)/9 = 0.444, (5−4.8)/5 = 0.04, (4.8−4.5)/4.8 = 0.0625.
        // With p = 0.13 the last drop ≥ p is the second (after 9): keep 10 and 9 — 10 is kept although its own drop is small.
        double[] scores = [10, 4.5, 5, 0, 9, 0, 4.8];
        bool[] flags = Flags("1010101");
        var rules = new EventRules { MinimumPercentDecrease = 0.13 };

        Assert.Equal([new AnomalyEvent(0, 0, 0, 10), new AnomalyEvent(4, 4, 4, 9)], AnomalyEvents.Find(scores, flags, rules));

        // With p = 0.05 the last drop (0.0625) also counts: every event is kept.
        Assert.Equal(4, AnomalyEvents.Find(scores, flags, new EventRules { MinimumPercentDecrease = 0.05 }).Count);

        // With p = 0.5 no drop reaches p: every event is pruned.
        Assert.Empty(AnomalyEvents.Find(scores, flags, new EventRules { MinimumPercentDecrease = 0.5 }));
    }

    [Fact]
    public void Pruning_compares_the_lowest_event_with_the_highest_normal_score()
    {
        // Peaks 5 and 4.9, outside max 4.8: drops 0.02 and 0.0204 < 0.13 → all pruned.
        Assert.Empty(AnomalyEvents.Find([5, 4.8, 4.9], Flags("101"), new EventRules { MinimumPercentDecrease = 0.13 }));

        // A normal score above every peak makes the last drop negative: all pruned.
        Assert.Empty(AnomalyEvents.Find([5, 6, 2], Flags("100"), new EventRules { MinimumPercentDecrease = 0.13 }));

        // With no point outside events the reference is 0, a drop of 100 %: the lowest event and all above it stay.
        Assert.Equal([(0, 2)], Spans(AnomalyEvents.Find([10, 9.9, 9.8], Flags("111"), new EventRules { MinimumPercentDecrease = 0.13 })));
        Assert.Equal([(0, 1), (3, 4)], Spans(AnomalyEvents.Find([10, 9.95, 0, 9.9, 9.8], Flags("11011"), new EventRules { MinimumPercentDecrease = 0.13 })));
    }

    [Fact]
    public void A_drop_equal_to_p_counts_as_separated()
    {
        // Peak 8, highest normal score 6: drop (8 − 6)/8 = 0.25 exactly (all exact in double).
        Assert.Single(AnomalyEvents.Find([8, 6], Flags("10"), new EventRules { MinimumPercentDecrease = 0.25 }));
        Assert.Empty(AnomalyEvents.Find([8, 6], Flags("10"), new EventRules { MinimumPercentDecrease = 0.250001 }));
    }

    [Fact]
    public void Pruning_treats_equal_peaks_alike()
    {
        // Peaks 10 and 10, outside 1: drops 0 and 0.9 → both kept.
        Assert.Equal([(0, 0), (2, 2)], Spans(AnomalyEvents.Find([10, 1, 10], Flags("101"), new EventRules { MinimumPercentDecrease = 0.13 })));

        // All-zero scores: a zero peak has no separation → pruned.
        Assert.Empty(AnomalyEvents.Find([0, 0, 0], Flags("101"), new EventRules { MinimumPercentDecrease = 0.13 }));
    }

    [Fact]
    public void Pruning_does_not_count_alarms_dropped_for_length_as_normal_scores()
    {
        // Event [0,2] peaks at 10; the single alarm at step 5 (score 9.5) is too short, yet still an alarm; the highest
        // normal score is 1. Sorted 10, then 1: drop 0.9 → kept. Were 9.5 normal, the drop 0.05 would prune the event.
        double[] scores = [10, 2, 3, 1, 0, 9.5, 0];
        var rules = new EventRules { MinLength = 2, MinimumPercentDecrease = 0.13 };

        Assert.Equal([new AnomalyEvent(0, 2, 0, 10)], AnomalyEvents.Find(scores, Flags("1110010"), rules));
    }

    [Fact]
    public void Pruning_happens_before_suppression()
    {
        // [0,1] peaks at 2, [4,5] at 10; outside max 1.9. Sorted 10, 2, 1.9: drops 0.8, 0.05 → only [4,5] survives pruning.
        // Suppression (5 points) then has no earlier kept event, so [4,5] stays. Suppressing first would have removed
        // [4,5] as a repeat of [0,1], and pruning would then have removed [0,1]: nothing left.
        double[] scores = [2, 1, 1.9, 0, 10, 3, 0];
        var rules = new EventRules { MinimumPercentDecrease = 0.13, SuppressionPoints = 5 };

        Assert.Equal([new AnomalyEvent(4, 5, 4, 10)], AnomalyEvents.Find(scores, Flags("1100110"), rules));
    }

    [Fact]
    public void All_rules_combined()
    {
        // flags:  1 0 1 | 0 0 0 | 1 | 0 0 | 1 1 0 1 1 | 0 0 0 0 | 1 1 1 | 0 0 | 1
        // index:  0 1 2 | 3 4 5 | 6 | 7 8 | 9 ...  13 | 14 ..17 | 18..20| 21 22| 23
        // Merge (gap ≤ 1): [0,2], [6,6], [9,13], [18,20], [23,23].
        // Min length 3: [0,2], [9,13], [18,20]. Outside max over 3–5, 7–8, 14–17, 21–22: 1 (the dropped alarms at 6 and 23,
        // scores 30 and 50, are not normal points).
        // Peaks: [0,2] → 8 at 1 (a merged gap step), [9,13] → 20 at 11, [18,20] → 1.05 at 19.
        // Prune p = 0.3: sorted 20, 8, 1.05, then 1: drops 0.6, 0.869, 0.048 → keep 20 and 8.
        // Suppress 6: [9,13] starts 7 after 2 → kept.  With 7 it would go.
        double[] scores =
        [
            5, 8, 4, 0, 1, 0, 30, 0, 0, 2, 3, 20, 6, 3, 0, 0, 1, 0, 1, 1.05, 1, 0, 0, 50,
        ];
        bool[] flags = Flags("101 000 1 00 11011 0000 111 00 1");
        var rules = new EventRules { MaxGap = 1, MinLength = 3, MinimumPercentDecrease = 0.3, SuppressionPoints = 6 };

        IReadOnlyList<AnomalyEvent> events = AnomalyEvents.Find(scores, flags, rules);

        Assert.Equal([new AnomalyEvent(0, 2, 1, 8), new AnomalyEvent(9, 13, 11, 20)], events);
        Assert.Equal([(0, 2)], Spans(AnomalyEvents.Find(scores, flags, rules with { SuppressionPoints = 7 })));
        Assert.Equal(
            Flags("111 000 0 00 11111 0000 000 00 0"),
            AnomalyEvents.ToFlags(events, flags.Length));
    }

    [Fact]
    public void To_flags_marks_every_step_of_every_event_and_clears_the_rest()
    {
        bool[] flags = Flags("1 0 1 0000 1");
        IReadOnlyList<AnomalyEvent> events = AnomalyEvents.Find(Ramp(flags.Length), flags, new EventRules { MaxGap = 1 });

        bool[] after = [.. Enumerable.Repeat(true, flags.Length)];
        AnomalyEvents.ToFlags(events, after);

        Assert.Equal(Flags("1 1 1 0000 1"), after);
        Assert.Equal(new bool[5], AnomalyEvents.ToFlags([], 5));
    }

    [Fact]
    public void Find_rejects_bad_arguments()
    {
        Assert.Equal("rules", Assert.Throws<ArgumentNullException>(() => AnomalyEvents.Find([1.0], [true], null!)).ParamName);

        ArgumentException lengths = Assert.Throws<ArgumentException>(() => AnomalyEvents.Find([1.0, 2.0], [true], NoRules));
        Assert.Equal("flags", lengths.ParamName);
        Assert.Contains("expected 2", lengths.Message, StringComparison.Ordinal);

        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            ArgumentException notFinite = Assert.Throws<ArgumentException>(() => AnomalyEvents.Find([1.0, bad, 0.0], [false, false, true], NoRules));
            Assert.Equal("scores", notFinite.ParamName);
            Assert.Contains("index 1", notFinite.Message, StringComparison.Ordinal);
        }

        // Negative scores are fine without pruning, rejected with it.
        Assert.Single(AnomalyEvents.Find([-1.0, -2.0], [true, false], NoRules));
        ArgumentException negative = Assert.Throws<ArgumentException>(
            () => AnomalyEvents.Find([1.0, -2.0], [true, false], new EventRules { MinimumPercentDecrease = 0.1 }));
        Assert.Equal("scores", negative.ParamName);
        Assert.Contains("non-negative", negative.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void To_flags_rejects_events_outside_the_flags()
    {
        Assert.Equal("events", Assert.Throws<ArgumentNullException>(() => AnomalyEvents.ToFlags(null!, new bool[3])).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyEvents.ToFlags([], -1)).ParamName);

        foreach (AnomalyEvent bad in new[] { new AnomalyEvent(-1, 0, 0, 1), new AnomalyEvent(2, 3, 2, 1), new AnomalyEvent(2, 1, 2, 1) })
        {
            bool[] flags = [true, false, true];
            ArgumentException outside = Assert.Throws<ArgumentException>(() => AnomalyEvents.ToFlags([new AnomalyEvent(0, 0, 0, 1), bad], flags));
            Assert.Equal("events", outside.ParamName);
            Assert.Contains("events[1]", outside.Message, StringComparison.Ordinal);
            Assert.Equal([true, false, true], flags);
        }
    }

    [Fact]
    public void Rules_have_documented_defaults_and_reject_bad_values()
    {
        var rules = new EventRules();
        Assert.Equal((0, 1, 0, (double?)null), (rules.MaxGap, rules.MinLength, rules.SuppressionPoints, rules.MinimumPercentDecrease));

        Assert.Equal("MaxGap", Assert.Throws<ArgumentOutOfRangeException>(() => new EventRules { MaxGap = -1 }).ParamName);
        Assert.Equal("MinLength", Assert.Throws<ArgumentOutOfRangeException>(() => new EventRules { MinLength = 0 }).ParamName);
        Assert.Equal("SuppressionPoints", Assert.Throws<ArgumentOutOfRangeException>(() => new EventRules { SuppressionPoints = -3 }).ParamName);
        foreach (double p in new[] { 0.0, 1.0, -0.1, 1.5, double.NaN, double.PositiveInfinity })
        {
            ArgumentOutOfRangeException bad = Assert.Throws<ArgumentOutOfRangeException>(() => new EventRules { MinimumPercentDecrease = p });
            Assert.Equal("MinimumPercentDecrease", bad.ParamName);
            Assert.Contains("(0, 1)", bad.Message, StringComparison.Ordinal);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => rules with { MinLength = -5 });
        Assert.Equal(new EventRules { MaxGap = 2 }, new EventRules { MaxGap = 2 });
    }
}
