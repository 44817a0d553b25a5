using GruAnomaly.Training.Schedules;

namespace GruAnomaly.Tests.Training;

/// <summary>
/// Learning-rate sequences worked by hand; the StepLR, CosineAnnealingLR and ReduceLROnPlateau sequences were also
/// confirmed with PyTorch 1.13 by <c>Fixtures/make_optimizer_reference.py</c>.
/// </summary>
public sealed class LearningRateScheduleTests
{
    /// <summary>The rate before the first epoch, then after each epoch, as a trainer would see it.</summary>
    private static float[] Sequence(ILearningRateScheduler scheduler, IReadOnlyList<double> losses, int firstCompletedEpoch = 1)
    {
        List<float> rates = [scheduler.LearningRate];
        for (int e = 0; e < losses.Count; e++)
        {
            scheduler.OnEpochEnd(firstCompletedEpoch + e, losses[e]);
            rates.Add(scheduler.LearningRate);
        }

        return [.. rates];
    }

    private static double[] Flat(int epochs) => Enumerable.Repeat(1.0, epochs).ToArray();

    [Fact]
    public void Constant_keeps_the_initial_rate()
    {
        Assert.Equal(Enumerable.Repeat(0.003f, 6), Sequence(LearningRateSchedule.Constant.Start(0.003f), [5, 4, 3, 3, 3]));
    }

    [Fact]
    public void Step_decay_multiplies_by_gamma_every_step_size_epochs()
    {
        Assert.Equal(
            [1f, 1f, 0.5f, 0.5f, 0.25f, 0.25f, 0.125f, 0.125f],
            Sequence(LearningRateSchedule.StepDecay(2, 0.5f).Start(1f), Flat(7)));
    }

    [Fact]
    public void Step_decay_lands_on_the_decimal_rates_a_user_expects()
    {
        // 0.01·0.1ᵏ: formed from the floats themselves, 0.01f·0.1f³ would come out one ulp above 0.00001f.
        float[] rates = Sequence(LearningRateSchedule.StepDecay(3, 0.1f).Start(0.01f), Flat(9));
        Assert.Equal([0.01f, 0.01f, 0.01f, 0.001f, 0.001f, 0.001f, 0.0001f, 0.0001f, 0.0001f, 0.00001f], rates);
    }

    [Fact]
    public void Cosine_anneals_to_the_minimum_and_stays_there()
    {
        // min + (init − min)·(1 + cos(π·e/4))/2 with init 1, min 0.1: 1, 0.1 + 0.45·(1 + √½), 0.55, 0.1 + 0.45·(1 − √½), 0.1;
        // after T the epoch is clamped, so the rate stays at 0.1 instead of rising again.
        double half = Math.Sqrt(0.5);
        float[] expected = [1f, (float)(0.1 + (0.45 * (1 + half))), 0.55f, (float)(0.1 + (0.45 * (1 - half))), 0.1f, 0.1f, 0.1f];
        float[] actual = Sequence(LearningRateSchedule.Cosine(4, 0.1f).Start(1f), Flat(6));
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-7f);
        }
    }

    [Fact]
    public void Cosine_with_default_minimum_ends_at_zero()
    {
        float[] rates = Sequence(LearningRateSchedule.Cosine(2).Start(0.2f), Flat(3));
        Assert.Equal([0.2f, 0.1f, 0f, 0f], rates);
    }

    [Fact]
    public void Reduce_on_plateau_with_patience_cooldown_and_minimum()
    {
        // factor 0.5, patience 1, threshold 5 % relative, cooldown 2, minimum 0.2. Worked by hand:
        // e1 1.00 best → e2 0.90 < 0.95 best → e3 0.95 bad 1 → e4 0.92 bad 2 > 1: rate 0.5, cool-down 2
        // e5 0.91 cooling → e6 0.85 < 0.855 best, cool-down ends → e7 0.86 bad 1 → e8 0.87 bad 2: rate 0.25, cool-down 2
        // e9, e10 cooling → e11 bad 1 → e12 bad 2: max(0.125, 0.2) = 0.2 → e13 0.5 best → e14 0.6 cooling.
        ILearningRateScheduler scheduler = LearningRateSchedule
            .ReduceOnPlateau(factor: 0.5f, patience: 1, threshold: 0.05f, cooldown: 2, minimumLearningRate: 0.2f)
            .Start(1f);
        double[] losses = [1.0, 0.9, 0.95, 0.92, 0.91, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.5, 0.6];

        Assert.Equal(
            [1f, 1f, 1f, 1f, 0.5f, 0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f, 0.25f, 0.2f, 0.2f, 0.2f],
            Sequence(scheduler, losses));
    }

    [Fact]
    public void Reduce_on_plateau_with_zero_patience_reduces_on_every_bad_epoch_down_to_the_minimum()
    {
        ILearningRateScheduler scheduler = LearningRateSchedule.ReduceOnPlateau(factor: 0.1f, patience: 0, minimumLearningRate: 0.0005f).Start(0.1f);

        // The first epoch always improves on +∞; every later flat epoch is bad. Rates 0.1 → 0.01 → 0.001 → 0.0005, then
        // no change (the minimum has been reached).
        Assert.Equal([0.1f, 0.1f, 0.01f, 0.001f, 0.0005f, 0.0005f], Sequence(scheduler, Flat(5)));
    }

    [Fact]
    public void Reduce_on_plateau_threshold_is_relative()
    {
        // threshold 0.1: from best 10, 9.5 is not an improvement (needs < 9), 8.9 is.
        ILearningRateScheduler scheduler = LearningRateSchedule.ReduceOnPlateau(factor: 0.5f, patience: 1, threshold: 0.1f).Start(1f);
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 0.5f], Sequence(scheduler, [10, 9.5, 8.9, 8.5, 8.5]));
    }

    [Fact]
    public void Reduce_on_plateau_counts_a_nan_loss_as_a_bad_epoch()
    {
        ILearningRateScheduler scheduler = LearningRateSchedule.ReduceOnPlateau(factor: 0.5f, patience: 1).Start(1f);
        Assert.Equal([1f, 1f, 1f, 0.5f], Sequence(scheduler, [1, double.NaN, double.NaN]));
        Assert.Equal(1, scheduler.Snapshot().BestMonitoredLoss);
    }

    [Fact]
    public void Reduce_on_plateau_defaults_match_pytorch()
    {
        ReduceOnPlateauSchedule schedule = Assert.IsType<ReduceOnPlateauSchedule>(LearningRateSchedule.ReduceOnPlateau());
        Assert.Equal((0.1f, 10, 1e-4f, 0, 0f), (schedule.Factor, schedule.Patience, schedule.Threshold, schedule.Cooldown, schedule.MinimumLearningRate));

        // Ten bad epochs are tolerated, the eleventh reduces.
        float[] rates = Sequence(schedule.Start(1f), Flat(12));
        Assert.Equal(1f, rates[11]);
        Assert.Equal(0.1f, rates[12]);
    }

    [Fact]
    public void Schedules_are_reusable_configurations_with_independent_runs()
    {
        ILearningRateSchedule schedule = LearningRateSchedule.ReduceOnPlateau(patience: 0);
        ILearningRateScheduler first = schedule.Start(1f);
        first.OnEpochEnd(1, 1);
        first.OnEpochEnd(2, 1);
        ILearningRateScheduler second = schedule.Start(1f);
        Assert.Equal(0.1f, first.LearningRate, 1e-7f);
        Assert.Equal(1f, second.LearningRate);
    }

    public static TheoryData<string> ScheduleNames => ["constant", "step", "cosine", "plateau"];

    private static ILearningRateSchedule Create(string name) => name switch
    {
        "constant" => LearningRateSchedule.Constant,
        "step" => LearningRateSchedule.StepDecay(2, 0.7f),
        "cosine" => LearningRateSchedule.Cosine(6, 0.001f),
        "plateau" => LearningRateSchedule.ReduceOnPlateau(factor: 0.5f, patience: 1, cooldown: 1),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(ScheduleNames))]
    public void Restoring_a_snapshot_resumes_the_same_sequence(string name)
    {
        double[] losses = [1, 0.9, 0.95, 0.97, 0.96, 0.99, 0.8, 0.85, 0.9, 0.95];
        ILearningRateSchedule schedule = Create(name);

        ILearningRateScheduler uninterrupted = schedule.Start(0.05f);
        float[] expected = Sequence(uninterrupted, losses);

        ILearningRateScheduler before = schedule.Start(0.05f);
        Sequence(before, losses[..4]);
        SchedulerSnapshot snapshot = before.Snapshot();
        Assert.Equal(4, snapshot.CompletedEpochs);

        ILearningRateScheduler resumed = schedule.Start(0.05f);
        resumed.Restore(snapshot);
        float[] rest = Sequence(resumed, losses[4..], firstCompletedEpoch: 5);

        Assert.Equal(expected[4..], rest);
        Assert.Equal(uninterrupted.Snapshot(), resumed.Snapshot());
    }

    [Theory]
    [MemberData(nameof(ScheduleNames))]
    public void Start_on_epoch_end_and_restore_validate_their_arguments(string name)
    {
        ILearningRateSchedule schedule = Create(name);
        foreach (float bad in new[] { -0.1f, float.NaN, float.PositiveInfinity })
        {
            Assert.Equal("initialLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Start(bad)).ParamName);
        }

        ILearningRateScheduler scheduler = schedule.Start(0f);
        Assert.Equal(0f, scheduler.LearningRate);
        Assert.Equal("completedEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.OnEpochEnd(0, 1)).ParamName);

        Assert.Throws<ArgumentNullException>(() => scheduler.Restore(null!));
        SchedulerSnapshot good = scheduler.Snapshot();
        ArgumentException invalid = Assert.Throws<ArgumentException>(
            () => scheduler.Restore(good with { CompletedEpochs = -1, LearningRate = double.NaN, BadEpochs = -2 }));
        Assert.Contains("CompletedEpochs", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("LearningRate", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("BadEpochs", invalid.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => scheduler.Restore(good with { BestMonitoredLoss = double.NaN }));
        Assert.Throws<ArgumentException>(() => scheduler.Restore(good with { CooldownRemaining = -1 }));
    }

    [Theory]
    [InlineData(0, 0.5f, "stepSize")]
    [InlineData(2, 0f, "gamma")]
    [InlineData(2, 1.5f, "gamma")]
    [InlineData(2, float.NaN, "gamma")]
    public void Step_decay_rejects_out_of_range_arguments(int stepSize, float gamma, string parameter)
    {
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.StepDecay(stepSize, gamma)).ParamName);
    }

    [Theory]
    [InlineData(0, 0f, "totalEpochs")]
    [InlineData(10, -0.1f, "minimumLearningRate")]
    [InlineData(10, float.PositiveInfinity, "minimumLearningRate")]
    public void Cosine_rejects_out_of_range_arguments(int totalEpochs, float minimum, string parameter)
    {
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(totalEpochs, minimum)).ParamName);
    }

    [Theory]
    [InlineData(0f, 10, 1e-4f, 0, 0f, "factor")]
    [InlineData(1f, 10, 1e-4f, 0, 0f, "factor")]
    [InlineData(0.1f, -1, 1e-4f, 0, 0f, "patience")]
    [InlineData(0.1f, 10, -1e-4f, 0, 0f, "threshold")]
    [InlineData(0.1f, 10, 1f, 0, 0f, "threshold")]
    [InlineData(0.1f, 10, 1e-4f, -1, 0f, "cooldown")]
    [InlineData(0.1f, 10, 1e-4f, 0, float.NaN, "minimumLearningRate")]
    public void Reduce_on_plateau_rejects_out_of_range_arguments(float factor, int patience, float threshold, int cooldown, float minimum, string parameter)
    {
        Assert.Equal(
            parameter,
            Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ReduceOnPlateau(factor, patience, threshold, cooldown, minimum)).ParamName);
    }

    [Fact]
    public void Reduce_on_plateau_reports_every_problem_at_once()
    {
        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceOnPlateauSchedule(2f, -1, -1f, -1, -1f));
        foreach (string parameter in new[] { "factor", "patience", "threshold", "cooldown", "minimumLearningRate" })
        {
            Assert.Contains(parameter + " must be", exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Configurations_expose_their_parameters()
    {
        StepDecaySchedule step = Assert.IsType<StepDecaySchedule>(LearningRateSchedule.StepDecay(3, 0.5f));
        Assert.Equal((3, 0.5f), (step.StepSize, step.Gamma));
        CosineSchedule cosine = Assert.IsType<CosineSchedule>(LearningRateSchedule.Cosine(20));
        Assert.Equal((20, 0f), (cosine.TotalEpochs, cosine.MinimumLearningRate));
        Assert.IsType<ConstantSchedule>(LearningRateSchedule.Constant);
    }
}