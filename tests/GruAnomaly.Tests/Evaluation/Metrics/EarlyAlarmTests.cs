using GruAnomaly.Evaluation;

namespace GruAnomaly.Tests.Evaluation.Metrics;

/// <summary>The NAB-style early-alarm score on hand-worked examples, its profiles, its limits and bad input.</summary>
/// <remarks>
/// σ(y) = 2/(1 + e^{5y}) − 1 = −tanh(2.5y), and tanh(x) = (e^{2x} − 1)/(e^{2x} + 1). The values used below:
/// tanh(2.5) = (e⁵ − 1)/(e⁵ + 1) = 147.413/149.413 = 0.986614; tanh(1.875) = (e^3.75 − 1)/(e^3.75 + 1) = 41.521/43.521
/// = 0.954045; tanh(0.625) = (e^1.25 − 1)/(e^1.25 + 1) = 2.4903/4.4903 = 0.554600.
/// </remarks>
public sealed class EarlyAlarmTests
{
    private const double Tanh25 = 0.9866142981514303;
    private const double Tanh1875 = 0.9540452601799487;
    private const double Tanh0625 = 0.5545997223493823;

    // index   0123456789
    // labels  0001111000   one window [3, 6], length 4
    private static readonly bool[] OneWindow = Flags.Parse("0001111000");

    [Fact]
    public void An_alarm_on_the_first_step_of_the_window_scores_100()
    {
        // t = 3: y = (3 − 6 − 1)/4 = −1, reward tanh(2.5) = 0.986614. Null −1, perfect 0.986614 → 100·1.986614/1.986614.
        EarlyAlarmScore score = AnomalyMetrics.EarlyAlarm(OneWindow, [3]);

        Assert.Equal(Tanh25, score.RawScore, 12);
        Assert.Equal(-1, score.NullScore);
        Assert.Equal(Tanh25, score.PerfectScore, 12);
        Assert.Equal(100, score.NormalizedScore, 12);
        Assert.Equal((1, 1, 0, 0), (score.Windows, score.DetectedWindows, score.MissedWindows, score.FalseAlarms));
        Assert.Equal([0], score.DetectionDelays);
        Assert.Equal(0, score.MeanDelay);
        Assert.Same(EarlyAlarmProfile.Standard, score.Profile);
    }

    [Fact]
    public void No_alarm_scores_0_and_has_no_mean_delay()
    {
        // The window is missed: raw −A_FN = −1 = null → 100·0/1.986614 = 0.
        EarlyAlarmScore score = AnomalyMetrics.EarlyAlarm(OneWindow, []);

        Assert.Equal(-1, score.RawScore);
        Assert.Equal(0, score.NormalizedScore);
        Assert.Equal((1, 0, 1, 0), (score.Windows, score.DetectedWindows, score.MissedWindows, score.FalseAlarms));
        Assert.Empty(score.DetectionDelays);
        Assert.True(double.IsNaN(score.MeanDelay));
    }

    [Fact]
    public void A_later_alarm_earns_less()
    {
        // t = 4: y = (4 − 7)/4 = −0.75, reward tanh(1.875) = 0.954045 → 100·(0.954045 + 1)/1.986614 = 98.3606.
        // t = 6, the last step: y = −0.25, reward tanh(0.625) = 0.554600 → 100·1.554600/1.986614 = 78.2537.
        EarlyAlarmScore second = AnomalyMetrics.EarlyAlarm(OneWindow, [4]);
        EarlyAlarmScore last = AnomalyMetrics.EarlyAlarm(OneWindow, [6]);

        Assert.Equal(Tanh1875, second.RawScore, 12);
        Assert.Equal(98.36057567884276, second.NormalizedScore, 10);
        Assert.Equal(Tanh0625, last.RawScore, 12);
        Assert.Equal(78.25372664416827, last.NormalizedScore, 10);
        Assert.Equal([3], last.DetectionDelays);
    }

    [Fact]
    public void Only_the_first_alarm_in_a_window_counts()
    {
        // Alarms 4, 5, 6 in [3, 6]: 4 earns tanh(1.875); 5 and 6 are neither rewarded nor counted as false alarms.
        EarlyAlarmScore several = AnomalyMetrics.EarlyAlarm(OneWindow, [4, 5, 6]);
        EarlyAlarmScore first = AnomalyMetrics.EarlyAlarm(OneWindow, [4]);

        Assert.Equal(first.RawScore, several.RawScore);
        Assert.Equal(first.NormalizedScore, several.NormalizedScore);
        Assert.Equal(0, several.FalseAlarms);
        Assert.Equal([1], several.DetectionDelays);
    }

    [Fact]
    public void An_alarm_long_before_the_window_scores_below_no_alarm()
    {
        // index 0 is before every window: −A_FP = −0.11, and the window [6, 9] is missed: −1.
        // raw −1.11, null −1 → 100·(−0.11)/1.986614 = −5.53706.
        EarlyAlarmScore score = AnomalyMetrics.EarlyAlarm(Flags.Parse("0000001111"), [0]);

        Assert.Equal(-1.11, score.RawScore, 12);
        Assert.Equal(-5.53705870849497, score.NormalizedScore, 10);
        Assert.Equal((1, 0, 1, 1), (score.Windows, score.DetectedWindows, score.MissedWindows, score.FalseAlarms));
    }

    [Fact]
    public void A_false_alarm_just_after_a_window_costs_less_than_one_far_from_it()
    {
        // Labels 0001111000 followed by 40 normal steps; the window [3, 6] is detected at 3 (reward tanh(2.5)) each time.
        // Alarm at 7: y = (7 − 6)/4 = 0.25, cost 0.11·tanh(0.625) = 0.061006.
        // Alarm at 49: y = 43/4 = 10.75, cost 0.11·tanh(26.875) = 0.11 to 15 digits.
        // Alarm at 0 (before the window, so no window precedes it): cost 0.11.
        bool[] labels = [.. OneWindow, .. new bool[40]];
        EarlyAlarmScore justAfter = AnomalyMetrics.EarlyAlarm(labels, [3, 7]);
        EarlyAlarmScore farAfter = AnomalyMetrics.EarlyAlarm(labels, [3, 49]);
        EarlyAlarmScore before = AnomalyMetrics.EarlyAlarm(labels, [0, 3]);

        Assert.Equal(Tanh25 - (0.11 * Tanh0625), justAfter.RawScore, 12);
        Assert.Equal(Tanh25 - 0.11, farAfter.RawScore, 12);
        Assert.Equal(Tanh25 - 0.11, before.RawScore, 12);
        Assert.True(justAfter.NormalizedScore > farAfter.NormalizedScore);
        Assert.Equal(1, justAfter.FalseAlarms);
    }

    [Fact]
    public void A_false_alarm_is_measured_from_the_most_recent_window()
    {
        // index   0123456789012345
        // labels  0111100000110000   W1 = [1, 4] (length 4), W2 = [10, 11] (length 2)
        // Alarm at 13 follows W2: y = (13 − 11)/2 = 1, cost 0.11·tanh(2.5). Measured from W1 it would be y = 9/4.
        // Both windows are missed: −2. raw = −2 − 0.11·tanh(2.5).
        EarlyAlarmScore score = AnomalyMetrics.EarlyAlarm(Flags.Parse("0111100000110000"), [13]);

        Assert.Equal(-2 - (0.11 * Tanh25), score.RawScore, 12);
        Assert.Equal(2, score.MissedWindows);
    }

    [Theory]
    // index   01234567890123456789
    // labels  00011110000000110000   W1 = [3, 6] (length 4), W2 = [14, 15] (length 2)
    // alarms  1 (no window before: −A_FP), 4 (W1 at y = −0.75: A_TP·tanh(1.875)), 5 (W1 again: ignored),
    //         9 (after W1, y = (9 − 6)/4 = 0.75: −A_FP·tanh(1.875)); W2 is missed: −A_FN.
    // raw = −A_FP + 0.954045 − 0.954045·A_FP − A_FN; null = −2·A_FN; perfect = 2·0.986614 = 1.973229.
    // Standard (0.11, 1):       raw = −0.11 + 0.954045 − 0.104945 − 1 = −0.260900 → 100·1.739100/3.973229 = 43.7705.
    [InlineData("standard", -0.2608997184398456, 43.77045617708503)]
    // Low FP (0.22, 1):         raw = −0.22 + 0.954045 − 0.209890 − 1 = −0.475845 → 100·1.524155/3.973229 = 38.3606.
    [InlineData("low false positives", -0.47584469705963994, 38.360624514748686)]
    // Low FN (0.11, 2):         raw = −0.11 + 0.954045 − 0.104945 − 2 = −1.260900 → 100·2.739100/5.973229 = 45.8563.
    [InlineData("low false negatives", -1.2608997184398456, 45.85627751222387)]
    public void Each_profile_weighs_the_same_alarms_differently(string name, double raw, double normalized)
    {
        EarlyAlarmProfile profile = name switch
        {
            "standard" => EarlyAlarmProfile.Standard,
            "low false positives" => EarlyAlarmProfile.LowFalsePositives,
            _ => EarlyAlarmProfile.LowFalseNegatives,
        };

        EarlyAlarmScore score = AnomalyMetrics.EarlyAlarm(Flags.Parse("00011110000000110000"), [1, 4, 5, 9], profile);

        Assert.Equal(raw, score.RawScore, 12);
        Assert.Equal(normalized, score.NormalizedScore, 10);
        Assert.Equal((2, 1, 1, 2), (score.Windows, score.DetectedWindows, score.MissedWindows, score.FalseAlarms));
        Assert.Equal([1], score.DetectionDelays);
    }

    [Fact]
    public void Presets_have_the_documented_weights()
    {
        Assert.Equal((1.0, 0.11, 1.0), Weights(EarlyAlarmProfile.Standard));
        Assert.Equal((1.0, 0.22, 1.0), Weights(EarlyAlarmProfile.LowFalsePositives));
        Assert.Equal((1.0, 0.11, 2.0), Weights(EarlyAlarmProfile.LowFalseNegatives));
        Assert.Equal(EarlyAlarmProfile.Standard, new EarlyAlarmProfile());

        static (double, double, double) Weights(EarlyAlarmProfile p) => (p.TruePositiveWeight, p.FalsePositiveWeight, p.FalseNegativeWeight);
    }

    [Fact]
    public void Delays_are_listed_per_detected_window_and_averaged()
    {
        // index   012345678901
        // labels  011100111110   W1 = [1, 3], W2 = [6, 10]
        // alarms 2 (W1, delay 1), 9 (W2, delay 3), 10 (W2 again, ignored) → delays [1, 3], mean 2.
        EarlyAlarmScore score = AnomalyMetrics.EarlyAlarm(Flags.Parse("011100111110"), [2, 9, 10]);

        Assert.Equal([1, 3], score.DetectionDelays);
        Assert.Equal(2, score.MeanDelay);
        Assert.Equal(0, score.FalseAlarms);
    }

    [Fact]
    public void Without_windows_the_score_is_0_without_alarms_and_penalises_each_false_alarm()
    {
        // No window: null = perfect = 0, so the normaliser is that of one window, tanh(2.5) + A_FN = 1.986614.
        // Two alarms, no window before them: raw = −0.22 → 100·(−0.22)/1.986614 = −11.0741.
        EarlyAlarmScore quiet = AnomalyMetrics.EarlyAlarm(new bool[10], []);
        EarlyAlarmScore noisy = AnomalyMetrics.EarlyAlarm(new bool[10], [2, 7]);

        Assert.Equal(0, quiet.NormalizedScore);
        Assert.Equal((0, 0, 0), (quiet.Windows, quiet.DetectedWindows, quiet.MissedWindows));
        Assert.Equal(-0.22, noisy.RawScore, 12);
        Assert.Equal(-11.07411741698994, noisy.NormalizedScore, 10);
        Assert.Equal(2, noisy.FalseAlarms);
    }

    [Fact]
    public void Alarms_at_both_ends_of_the_series_are_accepted()
    {
        // labels 1000000001: W1 = [0, 0], W2 = [9, 9], each detected at its only step (y = −1): perfect.
        EarlyAlarmScore score = AnomalyMetrics.EarlyAlarm(Flags.Parse("1000000001"), [0, 9]);

        Assert.Equal(100, score.NormalizedScore, 12);
    }

    [Theory]
    [InlineData(new[] { 3, 2 }, "alarms[1] is 2, not after alarms[0] = 3")]
    [InlineData(new[] { 1, 4, 4 }, "alarms[2] is 4, not after alarms[1] = 4")]
    public void Alarms_out_of_order_are_refused_by_index(int[] alarms, string message)
    {
        var exception = Assert.Throws<ArgumentException>(() => AnomalyMetrics.EarlyAlarm(OneWindow, alarms));

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
        Assert.Equal("alarms", exception.ParamName);
    }

    [Theory]
    [InlineData(new[] { -1 }, "alarms[0] is -1")]
    [InlineData(new[] { 2, 10 }, "alarms[1] is 10; every alarm must be a time step in [0, 10)")]
    public void Alarms_outside_the_series_are_refused_by_index(int[] alarms, string message)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyMetrics.EarlyAlarm(OneWindow, alarms));

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
        Assert.Equal("alarms", exception.ParamName);
    }

    [Fact]
    public void Null_alarms_and_empty_labels_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => AnomalyMetrics.EarlyAlarm(OneWindow, null!));
        var empty = Assert.Throws<ArgumentException>(() => AnomalyMetrics.EarlyAlarm([], []));
        Assert.Contains("labels is empty", empty.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Weights_must_be_finite_and_positive(double weight)
    {
        var tp = Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyAlarmProfile { TruePositiveWeight = weight });
        var fp = Assert.Throws<ArgumentOutOfRangeException>(() => EarlyAlarmProfile.Standard with { FalsePositiveWeight = weight });
        var fn = Assert.Throws<ArgumentOutOfRangeException>(() => EarlyAlarmProfile.LowFalseNegatives with { FalseNegativeWeight = weight });

        Assert.Equal(nameof(EarlyAlarmProfile.TruePositiveWeight), tp.ParamName);
        Assert.Equal(nameof(EarlyAlarmProfile.FalsePositiveWeight), fp.ParamName);
        Assert.Contains("FalseNegativeWeight must be finite and positive", fn.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_alarms_never_exceed_100_and_an_extra_false_alarm_never_helps(int seed)
    {
        var random = new Random(seed);
        EarlyAlarmProfile[] profiles = [EarlyAlarmProfile.Standard, EarlyAlarmProfile.LowFalsePositives, EarlyAlarmProfile.LowFalseNegatives];
        for (int trial = 0; trial < 200; trial++)
        {
            int length = random.Next(1, 120);
            bool[] labels = RandomWindows(random, length);
            List<int> alarms = [.. Enumerable.Range(0, length).Where(_ => random.NextDouble() < 0.1)];
            EarlyAlarmProfile profile = profiles[random.Next(profiles.Length)];

            EarlyAlarmScore score = AnomalyMetrics.EarlyAlarm(labels, alarms, profile);
            Assert.True(score.NormalizedScore <= 100, $"seed {seed}, trial {trial}: {score.NormalizedScore} > 100");
            Assert.True(double.IsFinite(score.NormalizedScore));
            Assert.Equal(alarms.Count(t => !labels[t]), score.FalseAlarms);

            int[] normal = [.. Enumerable.Range(0, length).Where(t => !labels[t] && !alarms.Contains(t))];
            if (normal.Length == 0)
            {
                continue;
            }

            List<int> more = [.. alarms.Append(normal[random.Next(normal.Length)]).Order()];
            EarlyAlarmScore worse = AnomalyMetrics.EarlyAlarm(labels, more, profile);
            Assert.True(worse.RawScore < score.RawScore, $"seed {seed}, trial {trial}: raw {worse.RawScore} ≥ {score.RawScore}");
            Assert.True(worse.NormalizedScore <= score.NormalizedScore,
                $"seed {seed}, trial {trial}: {worse.NormalizedScore} > {score.NormalizedScore}");
            Assert.Equal(score.DetectionDelays, worse.DetectionDelays);
        }
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public void Random_detections_reach_100_only_at_the_first_steps(int seed)
    {
        // With one alarm at the first step of every window and nothing else the score is 100; moving any one of them
        // later in its window lowers it.
        var random = new Random(seed);
        for (int trial = 0; trial < 100; trial++)
        {
            int length = random.Next(2, 150);
            bool[] labels = RandomWindows(random, length);
            int[] starts = [.. Enumerable.Range(0, length).Where(t => labels[t] && (t == 0 || !labels[t - 1]))];
            // Without windows the perfect detector is the null one, which scores 0.
            Assert.Equal(starts.Length == 0 ? 0 : 100, AnomalyMetrics.EarlyAlarm(labels, starts).NormalizedScore, 12);

            int[] later = [.. starts.Select(s => s + 1 < length && labels[s + 1] ? s + 1 : s)];
            if (!later.SequenceEqual(starts))
            {
                Assert.True(AnomalyMetrics.EarlyAlarm(labels, later).NormalizedScore < 100);
            }
        }
    }

    private static bool[] RandomWindows(Random random, int length)
    {
        // Windows of 1 to 8 steps separated by 1 to 20 normal steps; sometimes none at all.
        var labels = new bool[length];
        if (random.NextDouble() < 0.1)
        {
            return labels;
        }

        for (int t = random.Next(0, 20); t < length;)
        {
            int windowLength = random.Next(1, 9);
            for (int i = t; i < Math.Min(length, t + windowLength); i++)
            {
                labels[i] = true;
            }

            t += windowLength + random.Next(1, 21);
        }

        return labels;
    }
}
