using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Thresholds;

/// <summary>Telemanom's non-parametric dynamic threshold and pruning on hand-built examples.</summary>
public sealed class DynamicThresholdTests
{
    private static readonly double[] Pattern = [1.0, 1.1, 0.9, 1.05, 0.95];

    /// <summary>200 scores repeating <see cref="Pattern"/>, with the block 100–109 set to 5.</summary>
    private static double[] FlatNoiseWithBlock(int length = 200, int blockStart = 100)
    {
        double[] scores = new double[length];
        for (int i = 0; i < length; i++)
        {
            scores[i] = Pattern[i % Pattern.Length];
        }

        scores.AsSpan(blockStart, 10).Fill(5.0);
        return scores;
    }

    [Fact]
    public void Flat_noise_with_one_block_flags_exactly_the_block()
    {
        double[] scores = FlatNoiseWithBlock();

        double epsilon = DynamicThreshold.Epsilon(scores);

        // mean 1.2, std 0.8744998570611661. Every z from 2.5 to 4.0 flags exactly the block (one sequence of 10
        // points) with the same score; z = 4.5 gives ε = 5.135 > 5 and flags nothing; ties go to the larger z, so
        // ε = 1.2 + 4·0.8744998570611661 = 4.697999428244664 (an independent numpy implementation agrees).
        Assert.Equal(4.697999428244664, epsilon, 12);
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.Equal(i is >= 100 and < 110, scores[i] > epsilon);
        }
    }

    [Fact]
    public void Apply_on_one_window_writes_one_epsilon()
    {
        double[] scores = FlatNoiseWithBlock();
        IFittedThreshold fitted = Threshold.Dynamic().Fit(FlatNoiseWithBlock(100, 40));

        double[] thresholds = Samples.Apply(fitted, scores);

        Assert.All(thresholds, t => Assert.Equal(4.697999428244664, t, 12));
        Assert.Equal(thresholds, Samples.Apply(fitted, scores));
    }

    [Fact]
    public void Apply_with_windows_gives_each_batch_the_epsilon_of_the_window_ending_with_it()
    {
        double[] scores = FlatNoiseWithBlock(310, 150);
        var options = new DynamicThresholdOptions { WindowLength = 100, BatchLength = 40 };
        IFittedThreshold fitted = Threshold.Dynamic(options).Fit(scores[..120]);

        double[] thresholds = Samples.Apply(fitted, scores);

        // First window [0, 100); batches [100, 140), [140, 180), [180, 220), [220, 260), [260, 300), [300, 310).
        Assert.All(thresholds[..100], t => Assert.Equal(DynamicThreshold.Epsilon(scores[..100], options), t));
        int[] batchStarts = [100, 140, 180, 220, 260, 300];
        foreach (int start in batchStarts)
        {
            int end = Math.Min(start + 40, 310);
            double expected = DynamicThreshold.Epsilon(scores[(end - 100)..end], options);
            Assert.All(thresholds[start..end], t => Assert.Equal(expected, t));
        }

        // The block 150–159 lies in windows whose ε separates it from the noise.
        for (int i = 150; i < 160; i++)
        {
            Assert.True(scores[i] > thresholds[i]);
        }

        Assert.Equal(fitted.Value, DynamicThreshold.Epsilon(scores[20..120], options));
    }

    [Fact]
    public void Constant_window_gives_the_constant()
    {
        Assert.Equal(2.0, DynamicThreshold.Epsilon([2.0, 2.0, 2.0]));
    }

    // Sequence maxima 10 (steps 2–3), 6 (step 7), 5.5 (steps 10–11); largest unflagged score 5 (step 5).
    private static readonly double[] PruneScores = [1, 1, 8, 10, 1, 5, 1, 6, 1, 1, 5.5, 5, 1, 1];
    private static readonly bool[] PruneFlags = [false, false, true, true, false, false, false, true, false, false, true, true, false, false];

    [Fact]
    public void Prune_removes_sequences_after_the_last_significant_decrease()
    {
        bool[] flags = (bool[])PruneFlags.Clone();

        DynamicThreshold.Prune(PruneScores, flags, 0.13);

        // Sorted 10, 6, 5.5, then 5: decreases 0.4 (≥ 0.13, keep up to 10), 0.083, 0.091 (both < 0.13).
        // So the sequences with maxima 6 and 5.5 are unflagged.
        bool[] expected = [false, false, true, true, false, false, false, false, false, false, false, false, false, false];
        Assert.Equal(expected, flags);
    }

    [Fact]
    public void Prune_keeps_everything_when_every_decrease_is_significant_and_nothing_when_none_is()
    {
        bool[] keepAll = (bool[])PruneFlags.Clone();
        DynamicThreshold.Prune(PruneScores, keepAll, 0.05); // 0.4, 0.083, 0.091 all ≥ 0.05
        Assert.Equal(PruneFlags, keepAll);

        bool[] removeAll = (bool[])PruneFlags.Clone();
        DynamicThreshold.Prune(PruneScores, removeAll, 0.5); // none ≥ 0.5
        Assert.DoesNotContain(true, removeAll);
    }

    [Fact]
    public void Prune_keeps_a_middle_sequence_when_a_later_decrease_is_significant()
    {
        // Maxima 10, 9.5, 5 and normal maximum 4: decreases 0.05, 0.47, 0.2 → the last significant step is the
        // third, so all three sequences stay although 10 → 9.5 alone is small.
        double[] scores = [10, 1, 9.5, 1, 5, 4];
        bool[] flags = [true, false, true, false, true, false];

        DynamicThreshold.Prune(scores, flags, 0.13);

        Assert.Equal([true, false, true, false, true, false], flags);
    }

    [Fact]
    public void Options_are_validated_with_every_problem_listed()
    {
        var options = new DynamicThresholdOptions { ZStep = 0, WindowLength = 1, MaximumSequences = 0 };

        var error = Assert.Throws<ArgumentException>(() => new DynamicThresholdStrategy(options));

        Assert.Equal("options", error.ParamName);
        Assert.Contains("ZStep", error.Message, StringComparison.Ordinal);
        Assert.Contains("WindowLength", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaximumSequences", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_name_the_argument()
    {
        Assert.Equal("window", Assert.Throws<ArgumentException>(() => DynamicThreshold.Epsilon([])).ParamName);
        Assert.Equal("flags", Assert.Throws<ArgumentException>(() => DynamicThreshold.Prune([1, 2], new bool[3])).ParamName);
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => DynamicThreshold.Prune([1, double.NaN], new bool[2])).ParamName);
        Assert.Equal("minimumPercentDecrease", Assert.Throws<ArgumentOutOfRangeException>(
            () => DynamicThreshold.Prune([1, 2], new bool[2], -0.1)).ParamName);
        Assert.Contains("needs at least 2", Assert.Throws<ArgumentException>(() => Threshold.Dynamic().Fit([1.0])).Message, StringComparison.Ordinal);
    }
}
