using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Detection;

public sealed class AlarmTests
{
    [Fact]
    public void AnAlarmAtTheOnsetThenOnePerSuppressionPeriod()
    {
        bool[] flags = RunAndTwoFlags();

        // Suppression 6: onset 5, then 12 (12 − 5 > 6), 19, then 30 (24 − 19 ≤ 6 is held back).
        Assert.Equal([5, 12, 19, 30], Alarms.Raise(flags, 6));
        Assert.Equal([.. Enumerable.Range(5, 16), 24, 30], Alarms.Raise(flags, 0));
        Assert.Equal([5], Alarms.Raise(flags, 1000));
        Assert.Empty(Alarms.Raise(new bool[10], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Alarms.Raise(flags, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventRules { AlarmSuppression = -1 });
    }

    [Fact]
    public void WithoutRepeatsARunOfFlagsAlarmsOnceAtItsOnset()
    {
        bool[] flags = RunAndTwoFlags();

        // Suppression 6 from the last flag: the run 5–20 alarms at 5; 24 follows 20 by 4 steps (held back, and it moves the
        // last flag to 24); 30 follows 24 by 6 (held back too). Suppression 3: 24 follows 20 by 4 and alarms, 30 follows 24 by 6.
        Assert.Equal([5], Alarms.Raise(flags, 6, repeat: false));
        Assert.Equal([5, 24, 30], Alarms.Raise(flags, 3, repeat: false));
        // Suppression 0 still raises one at every flagged step.
        Assert.Equal(Alarms.Raise(flags, 0), Alarms.Raise(flags, 0, repeat: false));
        Assert.Equal(Alarms.Raise(flags, 6), Alarms.Raise(flags, 6, repeat: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Alarms.Raise(flags, -1, repeat: false));
        Assert.True(new EventRules().RepeatAlarms);
    }

    [Fact]
    public void WithoutRepeatsAStreamRaisesTheAlarmsDetectRaisesAndCarriesOnFromASavedState()
    {
        (float[] values, _, _) = Synthetic.WithAnomaly(Synthetic.Kind.LevelShift, 900, 500, seed: 12);
        static AnomalyDetectorBuilder Builder() => AnomalyDetector.CreateBuilder()
            .WithWindow(16)
            .WithModel(Models.Gru(hiddenSize: 8))
            .WithTrainer(new TrainerOptions { Epochs = 3, Seed = 1 })
            .WithThreshold(Threshold.Quantile(0.97));
        var training = new TimeSeries(Synthetic.Normal(1500, seed: 11));
        FittedAnomalyDetector repeating = Builder().WithEventRules(new EventRules { AlarmSuppression = 5 }).Build().Fit(training);
        FittedAnomalyDetector onsets = Builder().WithEventRules(new EventRules { AlarmSuppression = 5, RepeatAlarms = false }).Build().Fit(training);

        DetectionResult everyRun = onsets.Detect(values);
        DetectionResult repeated = repeating.Detect(values);

        // The same flags; without repeats each alarm opens a run that follows more than 5 unflagged steps.
        Assert.Equal(repeated.Flags.ToArray(), everyRun.Flags.ToArray());
        Assert.Equal(Alarms.Raise(everyRun.Flags, 5, repeat: false), everyRun.Alarms);
        Assert.True(everyRun.Alarms.Count < repeated.Alarms.Count, $"{everyRun.Alarms.Count} alarms without repeats, {repeated.Alarms.Count} with");
        Assert.All(everyRun.Alarms, t => Assert.True(Enumerable.Range(Math.Max(0, t - 5), Math.Min(t, 5)).All(u => !everyRun.Flags[u]), $"{t}"));
        DetectorStreamTests.AssertSameAsDetect(onsets, values);

        // A stream saved inside a flagged run and restored holds back the alarms the uninterrupted one holds back.
        int middle = everyRun.Alarms[0] + 2;
        DetectorStream first = onsets.CreateStream();
        var alarms = new List<int>();
        for (int t = 0; t < middle; t++)
        {
            alarms.AddRange(first.Observe(values[t]).IsAlarm ? [t] : []);
        }

        DetectorStream resumed = onsets.RestoreStream(new MemoryStream(Persistence.Persisted.Bytes(first)));
        for (int t = middle; t < values.Length; t++)
        {
            alarms.AddRange(resumed.Observe(values[t]).IsAlarm ? [t] : []);
        }

        Assert.Equal(everyRun.Alarms, alarms);
    }

    [Fact]
    public void AlarmsDoNotLookAhead_APrefixOfTheSeriesRaisesTheSameAlarmsUpToItsEnd()
    {
        // What a live service would have raised at each moment equals what batch detection reports for that moment.
        var training = new TimeSeries(Synthetic.Normal(1500, seed: 11));
        (float[] values, _, _) = Synthetic.WithAnomaly(Synthetic.Kind.LevelShift, 900, 500, seed: 12);
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder()
            .WithModel(Models.Gru(hiddenSize: 8))
            .WithTrainer(new TrainerOptions { Epochs = 3, Seed = 1 })
            .WithEventRules(new EventRules { AlarmSuppression = 20 })
            .Build()
            .Fit(training);

        DetectionResult whole = fitted.Detect(values);
        Assert.NotEmpty(whole.Alarms);
        foreach (int end in new[] { 200, 505, 520, 700 })
        {
            DetectionResult prefix = fitted.Detect(new TimeSeries(values.AsSpan(0, end)));
            Assert.Equal(whole.Alarms.Where(t => t < end), prefix.Alarms);
            Assert.Equal(whole.Scores[..end].ToArray(), prefix.Scores.ToArray());
            Assert.Equal(whole.Surprise[..end].ToArray(), prefix.Surprise.ToArray());
        }

        Assert.All(whole.Alarms, t => Assert.True(whole.IsAlarm[t] && whole.Scores[t] > whole.Thresholds[t]));
    }

    [Fact]
    public void NonMaximumSuppressionKeepsThePeakOfEachBurst()
    {
        double[] scores = [0, 5, 6, 9, 7, 0, 0, 0, 4, 4, 3, 0];
        bool[] scored = [.. Enumerable.Repeat(true, scores.Length)];
        scored[11] = false;
        bool[] flags = [.. scores.Select(s => s > 3)];

        Alarms.KeepLocalMaxima(scores, scored, flags, radius: 2);

        // 9 dominates 5, 6 and 7; of the equal 4s the first is kept.
        Assert.Equal([false, false, false, true, false, false, false, false, true, false, false, false], flags);
        Assert.Throws<ArgumentOutOfRangeException>(() => Alarms.KeepLocalMaxima(scores, scored, flags, 0));
        Assert.Throws<ArgumentException>(() => Alarms.KeepLocalMaxima(scores, scored, new bool[3], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventRules { NonMaximumSuppressionRadius = -1 });
    }

    [Fact]
    public void SmoothingStartsFromTheTypicalScoreSoTheFirstScoresOfASeriesDoNotAlarm()
    {
        // A smoothed score that started at the first raw score is that raw score: far noisier than the smoothed
        // calibration scores the threshold was fitted on. Starting at the typical score keeps the start quiet.
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder()
            .WithWindow(32)
            .WithModel(Models.Gru(hiddenSize: 16))
            .WithTrainer(new TrainerOptions { Epochs = 10, EarlyStoppingPatience = 3, Seed = 1 })
            .WithLoss(GruAnomaly.Losses.Loss.Mse)
            .WithThreshold(Threshold.PeaksOverThreshold(riskLevel: 1e-3))
            .Build()
            .Fit(new TimeSeries(Synthetic.Normal(1600, seed: 1)));
        Assert.True(double.IsFinite(fitted.TypicalScore) && fitted.TypicalScore > 0);

        int early = 0;
        for (int seed = 2; seed < 42; seed++)
        {
            DetectionResult result = fitted.Detect(Synthetic.Normal(100, seed));
            early += result.Alarms.Count;
        }

        Assert.True(early == 0, $"{early} alarms on 40 normal series of 100 points");
    }

    /// <summary>40 steps: a run of flags from 5 to 20, and single flags at 24 and 30.</summary>
    private static bool[] RunAndTwoFlags()
    {
        bool[] flags = new bool[40];
        for (int t = 5; t <= 20; t++)
        {
            flags[t] = true;
        }

        flags[24] = true;
        flags[30] = true;
        return flags;
    }
}
