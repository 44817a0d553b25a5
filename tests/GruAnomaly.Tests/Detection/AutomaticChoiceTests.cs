using GruAnomaly.Detection;
using GruAnomaly.Preprocessing;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Detection;

public sealed class AutomaticChoiceTests
{
    [Fact]
    public void PeriodicityFindsTheSinePeriodAndNothingInNoise()
    {
        Assert.Equal(Synthetic.Period, Periodicity.Dominant(Synthetic.Normal(3000, seed: 1), 1, 256, out double correlation));
        Assert.InRange(correlation, 0.9, 1);

        var random = new Random(2);
        float[] noise = [.. Enumerable.Range(0, 3000).Select(_ => (float)random.NextDouble())];
        Assert.Null(Periodicity.Dominant(noise, 1, 256, out double none));
        Assert.True(double.IsNaN(none));

        // Two features: the correlation is averaged, and a constant feature is ignored.
        float[] two = [.. Synthetic.Normal(3000, seed: 3).SelectMany(v => new[] { v, 1f })];
        Assert.Equal(Synthetic.Period, Periodicity.Dominant(two, 2, 256, out _));
        Assert.Null(Periodicity.Dominant(new float[500], 1, 64, out _));
        Assert.Throws<ArgumentException>(() => Periodicity.Dominant(new float[5], 2, 64, out _));
    }

    [Fact]
    public void ADetectorLeftAloneChoosesFromTheDataAndSaysWhy()
    {
        var log = new ListLogger();
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder().WithLogger(log).Build()
            .Fit(new TimeSeries(Synthetic.Normal(3000, seed: 4)));

        FitChoices choices = fitted.Choices;
        Assert.Equal(Synthetic.Period, choices.Period);
        Assert.Equal(Synthetic.Period, choices.Window);
        Assert.Equal(Synthetic.Period, fitted.Window);
        Assert.Equal(Synthetic.Period / 2, choices.SmoothingSpan);
        Assert.Equal("GRU(32)×1", choices.Model.Name);
        Assert.Equal(4, choices.Trainer.EarlyStoppingPatience);
        Assert.Equal(5, choices.Automatic.Count);
        Assert.Contains(choices.Automatic, line => line.StartsWith("window 40 from the dominant period 40", StringComparison.Ordinal));
        foreach (string line in choices.Automatic)
        {
            Assert.Contains(log.Events, e => e.EventId == 22 && e.Message.Contains(line, StringComparison.Ordinal));
        }

        Assert.StartsWith("PeaksOverThreshold", fitted.Threshold.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void ASeedKeepsEveryAutomaticChoiceAndChangesOnlyTheRandomOnes()
    {
        var training = new TimeSeries(Synthetic.Normal(800, seed: 5));
        static AnomalyDetectorBuilder Small() => AnomalyDetector.CreateBuilder().WithWindow(16).WithModel(GruAnomaly.Recurrent.Models.Gru(4));
        FittedAnomalyDetector unseeded = Small().Build().Fit(training);
        FittedAnomalyDetector seven = Small().WithSeed(7).Build().Fit(training);

        Assert.Null(seven.Settings.Trainer);
        Assert.Equal(7, seven.Settings.Seed);
        // Optimizers compare by reference, so the options are compared as written out.
        Assert.Equal((unseeded.Choices.Trainer with { Seed = 7 }).ToString(), seven.Choices.Trainer.ToString());
        Assert.Equal(unseeded.Choices.Automatic, seven.Choices.Automatic);
        long[] Scores(AnomalyDetectorBuilder builder) => Persistence.Persisted.Bits(builder.Build().Fit(training).Detect(training).Scores);
        Assert.Equal(Persistence.Persisted.Bits(unseeded.Detect(training).Scores), Scores(Small().WithSeed(0)));
        Assert.Equal(Persistence.Persisted.Bits(seven.Detect(training).Scores), Scores(Small().WithSeed(7)));
        Assert.NotEqual(Persistence.Persisted.Bits(unseeded.Detect(training).Scores), Persistence.Persisted.Bits(seven.Detect(training).Scores));

        // Given trainer options keep everything but their seed, as WithLoss replaces their loss.
        TrainerOptions given = Small().WithTrainer(new TrainerOptions { Epochs = 2, Seed = 1 }).WithSeed(9).Build().Settings.Trainer!;
        Assert.Equal((2, 9), (given.Epochs, given.Seed));
    }

    [Fact]
    public void GivenChoicesAreKeptAndNotReportedAsAutomatic()
    {
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder()
            .WithWindow(12, stride: 3)
            .WithModel(GruAnomaly.Recurrent.Models.Gru(hiddenSize: 4))
            .WithTrainer(new TrainerOptions { Epochs = 1 })
            .WithSmoothing(1)
            .Build()
            .Fit(new TimeSeries(Synthetic.Normal(800, seed: 5)));

        Assert.Equal(new FitChoices(12, 3, null, fitted.Choices.Model, fitted.Choices.Trainer, 1, []), fitted.Choices with { Automatic = [] });
        Assert.Empty(fitted.Choices.Automatic);
        Assert.Equal("GRU(4)×1", fitted.Choices.Model.Name);
    }

    [Fact]
    public void TheStatedMinimumLengthIsTheRealOne()
    {
        AnomalyDetector detector = AnomalyDetector.CreateBuilder().WithTrainer(new TrainerOptions { Epochs = 2 }).Build();
        int minimum = detector.MinimumTrainingLength;
        Assert.Equal(FitChoices.MinimumAutomaticTrainingLength, minimum);

        // Exactly the minimum fits (the threshold falls back to median + k·MAD on so few scores); one less is refused.
        FittedAnomalyDetector fitted = detector.Fit(new TimeSeries(Synthetic.Normal(minimum, seed: 6)));
        Assert.StartsWith("MedianPlusMad", fitted.Threshold.Name, StringComparison.Ordinal);
        Assert.Contains("too few", fitted.Threshold.Name, StringComparison.Ordinal);
        var exception = Assert.Throws<ArgumentException>(() => detector.Fit(new TimeSeries(Synthetic.Normal(minimum - 1, seed: 6))));
        Assert.Contains($"needs at least {minimum}", exception.Message, StringComparison.Ordinal);

        AnomalyDetector windowed = AnomalyDetector.CreateBuilder().WithWindow(50).WithTrainer(new TrainerOptions { Epochs = 2 }).Build();
        Assert.Equal(101, windowed.MinimumTrainingLength);
        Assert.NotNull(windowed.Fit(new TimeSeries(Synthetic.Normal(101, seed: 7))));
    }

    [Fact]
    public void AutomaticThresholdUsesPeaksOverThresholdWhenTheScoresAllowIt()
    {
        double[] many = [.. Enumerable.Range(0, 600).Select(i => Math.Abs(Math.Sin(i * 0.37)) + (i % 7 * 0.01))];
        AutomaticThresholdStrategy strategy = Threshold.Automatic(1e-3);
        // 497 distinct scores leave 10 strictly above their interpolated 0.98 quantile (h = 496·0.98 = 486.08).
        Assert.Equal(497, strategy.MinimumPeaksOverThresholdScores);
        Assert.StartsWith("PeaksOverThreshold", strategy.Fit(many).Name, StringComparison.Ordinal);
        IFittedThreshold few = strategy.Fit(many.AsSpan(0, 100));
        Assert.StartsWith("MedianPlusMad(k=5.09)", few.Name, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutomaticThresholdStrategy(0.5));
    }
}
