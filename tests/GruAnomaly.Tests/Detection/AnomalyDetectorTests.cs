using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Numerics;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Detection;

public sealed class AnomalyDetectorTests(ITestOutputHelper output)
{
    internal static readonly TrainerOptions Quick = new() { Epochs = 4, BatchSize = 32, LearningRate = 5e-3f, Seed = 3 };

    internal static AnomalyDetectorBuilder QuickBuilder() => AnomalyDetector.CreateBuilder()
        .WithScorer(Scorer.Forecast())
        .WithWindow(16)
        .WithModel(Models.Gru(hiddenSize: 8))
        .WithTrainer(Quick)
        .WithThreshold(Threshold.MeanPlusSigma(4));

    [Fact]
    public void BuildReportsEveryInvalidChoiceAtOnce()
    {
        var exception = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder()
            .WithWindow(0, stride: 0)
            .WithSmoothing(0)
            .WithTrainer(t => t with { Epochs = 0 })
            .WithLoss(Loss.GaussianNll)
            .WithErrorCombination(ErrorCombination.Mahalanobis)
            .Build());

        Assert.Contains("window must be at least 1; got 0", exception.Message, StringComparison.Ordinal);
        Assert.Contains("stride must be in [1, window = 0]", exception.Message, StringComparison.Ordinal);
        Assert.Contains("span must be at least 1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("WithTrainer: Epochs must be positive; got 0.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("mahalanobis needs signed residuals", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuilderBuildsOnceAndRefusesNulls()
    {
        AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder();
        builder.Build();
        Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Throws<InvalidOperationException>(() => builder.WithWindow(8));

        var exception = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithThreshold(null!).WithModel(null!).Build());
        Assert.Contains("WithThreshold", exception.Message, StringComparison.Ordinal);
        Assert.Contains("WithModel", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHistoryThatKeepsFlaggedScoresOutRefusesTheDynamicThresholdWhichJudgesOnlyInHindsight()
    {
        var exception = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder()
            .WithScoreNormalization(ScoreNormalization.RobustZ(excludeFlagged: true)).WithThreshold(Threshold.Dynamic()).Build());
        Assert.Contains("judged before the next is normalized", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithLossReplacesTheTrainerOptionsLoss()
    {
        AnomalyDetector detector = AnomalyDetector.CreateBuilder().WithTrainer(Quick).WithLoss(Loss.Mae).Build();
        Assert.Same(Loss.Mae, detector.Settings.Trainer!.Loss);
        Assert.Same(Loss.Mae, detector.Settings.Loss);
        Assert.Equal(Quick.Epochs, detector.Settings.Trainer!.Epochs);
    }

    [Fact]
    public void FitAndDetectAreDeterministicAndDoNotDependOnEachOther()
    {
        var training = new TimeSeries(Synthetic.Normal(600, seed: 5));
        var test = new TimeSeries(Synthetic.Normal(300, seed: 6));
        AnomalyDetector detector = QuickBuilder().Build();

        DetectionResult first = detector.Fit(training).Detect(test);
        FittedAnomalyDetector again = detector.Fit(training);
        DetectionResult second = again.Detect(test);
        DetectionResult third = again.Detect(test);

        Assert.Equal(first.Scores.ToArray(), second.Scores.ToArray());
        Assert.Equal(second.Scores.ToArray(), third.Scores.ToArray());
        Assert.Equal(first.Thresholds.ToArray(), second.Thresholds.ToArray());
    }

    [Fact]
    public void ResultHasOneEntryPerStepAndNoNaNOutsideTheWarmUp()
    {
        var training = new TimeSeries(Synthetic.Normal(600, seed: 5));
        float[] values = Synthetic.Normal(300, seed: 6);
        values[200] += 3f;
        FittedAnomalyDetector fitted = QuickBuilder().WithSmoothing(1).Build().Fit(training);

        DetectionResult result = fitted.Detect(values);

        Assert.Equal(300, result.Length);
        for (int t = 0; t < result.Length; t++)
        {
            Assert.Equal(t >= fitted.Window, result.IsScored[t]);
            Assert.True(double.IsFinite(result.Scores[t]) && double.IsFinite(result.Thresholds[t]));
            Assert.InRange(result.TailProbabilities[t], 0, 1);
            Assert.Equal(t < fitted.Window, float.IsNaN(result.Expected[t]));
            Assert.Equal(result.RawScores[t], result.ContributionsAt(t)[0], 12);
        }

        Assert.True(result.Flags[200], "the spike is flagged");
        Assert.Contains(result.Events, e => e.Start <= 200 && e.End >= 200);
        Assert.InRange(result.ExpectedAt(200)[0], -1.5f, 1.5f);
        Assert.True(result.TailProbabilities[200] < 0.01, $"tail probability of the spike {result.TailProbabilities[200]}");
    }

    [Fact]
    public void TwoDimensionalArraysAndTimestampsFlowThrough()
    {
        float[] flat = Synthetic.Normal(400, seed: 7, features: 2);
        var array = new float[400, 2];
        for (int t = 0; t < 400; t++)
        {
            array[t, 0] = flat[2 * t];
            array[t, 1] = flat[(2 * t) + 1];
        }

        DateTimeOffset origin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        DateTimeOffset[] stamps = [.. Enumerable.Range(0, 400).Select(i => origin.AddMinutes(i))];
        FittedAnomalyDetector fitted = QuickBuilder().Build().Fit(array);
        DetectionResult result = fitted.Detect(TimeSeries.FromArray(array).WithTimestamps(stamps));

        Assert.Equal(2, fitted.Features);
        Assert.Equal(stamps[123], result.TimestampAt(123));
        var wrong = Assert.Throws<ArgumentException>(() => fitted.Detect(Synthetic.Normal(100, seed: 1)));
        Assert.Contains("1 features; this detector was fitted on 2", wrong.Message, StringComparison.Ordinal);
        var tooShort = Assert.Throws<ArgumentException>(() => fitted.Detect(new TimeSeries(flat.AsSpan(0, 20), 2)));
        Assert.Contains("needs at least 17", tooShort.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MissingValuePolicy.Mask)]
    [InlineData(MissingValuePolicy.Interpolate)]
    [InlineData(MissingValuePolicy.ForwardFill)]
    public void MissingValuesNeverGiveANaNScore(MissingValuePolicy policy)
    {
        float[] training = Synthetic.Normal(600, seed: 8);
        float[] test = Synthetic.Normal(300, seed: 9);
        for (int t = 0; t < training.Length; t += 7)
        {
            training[t] = float.NaN;
        }

        for (int t = 100; t < 110; t++)
        {
            test[t] = float.NaN;
        }

        FittedAnomalyDetector fitted = QuickBuilder().WithMissingValues(policy).Build().Fit(training);
        DetectionResult result = fitted.Detect(test);

        Assert.All(result.Scores.ToArray(), s => Assert.True(double.IsFinite(s)));
        Assert.Equal(policy != MissingValuePolicy.Mask, result.IsScored[105]);
        Assert.False(result.Flags[105] && policy == MissingValuePolicy.Mask);
    }

    [Fact]
    public void CancelledFitThrowsAndTheDetectorStaysUsable()
    {
        var training = new TimeSeries(Synthetic.Normal(600, seed: 5));
        AnomalyDetector detector = QuickBuilder().Build();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => detector.Fit(training, cancellationToken: cancellation.Token));
        var progress = new CancelAfterFirstBatch(cancellation: new CancellationTokenSource());
        Assert.ThrowsAny<OperationCanceledException>(() => detector.Fit(training, progress, progress.Token));
        Assert.True(progress.Reports >= 1);
        Assert.NotNull(detector.Fit(training).Threshold);
    }

    [Fact]
    public async Task FitAsyncGivesTheSameModelAsFit()
    {
        var training = new TimeSeries(Synthetic.Normal(600, seed: 5));
        var test = new TimeSeries(Synthetic.Normal(200, seed: 6));
        AnomalyDetector detector = QuickBuilder().Build();

        FittedAnomalyDetector fitted = await detector.FitAsync(training, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(detector.Fit(training).Detect(test).Scores.ToArray(), fitted.Detect(test).Scores.ToArray());
    }

    [Fact]
    public void AnotherMatrixProviderGivesTheSameDetections()
    {
        var training = new TimeSeries(Synthetic.Normal(600, seed: 5));
        float[] test = Synthetic.Normal(300, seed: 6);
        test[200] += 3f;

        DetectionResult managed = QuickBuilder().Build().Fit(training).Detect(test);
        DetectionResult mathNet = QuickBuilder().WithMatrixProvider(MatrixProviders.MathNet()).Build().Fit(training).Detect(test);

        // Same arithmetic in another summation order: after training, scores agree to float rounding, not bit for bit.
        double worst = 0;
        for (int t = 0; t < managed.Length; t++)
        {
            worst = Math.Max(worst, Math.Abs(managed.Scores[t] - mathNet.Scores[t]));
        }

        output.WriteLine($"largest score difference {worst:E2}");
        double largest = managed.Scores.ToArray().Max();
        Assert.True(worst < 1e-5 * largest, $"scores differ by up to {worst} (largest score {largest})");
        Assert.Equal(managed.Flags.ToArray(), mathNet.Flags.ToArray());
    }

    [Fact]
    public void DetectWindowScoresOneWindowLikeDetect()
    {
        FittedAnomalyDetector fitted = QuickBuilder().Build().Fit(Synthetic.Normal(600, seed: 5));
        float[] window = Synthetic.Normal(fitted.MinimumLength, seed: 6);
        window[^1] += 3f;

        DetectionResult one = fitted.DetectWindow(window);

        Assert.Equal(fitted.Detect(window).Scores.ToArray(), one.Scores.ToArray());
        Assert.Equal(fitted.Window + 1, one.Length);
        Assert.True(one.IsScored[^1] && !one.IsScored[^2]);
        Assert.True(one.Flags[^1]);
    }

    [Fact]
    public void AFeatureNeverObservedInTheTestSeriesIsRefusedUnderEveryPolicy()
    {
        // The XML docs of Detect promise an ArgumentException for a feature that is never observed; under Mask it used to
        // be scored quietly as its training offset (issue 13), and an all-missing series came back with no score at all.
        float[] training = Synthetic.Normal(600, seed: 5, features: 2);
        float[] test = Synthetic.Normal(100, seed: 6, features: 2);
        for (int t = 0; t < 100; t++)
        {
            test[(2 * t) + 1] = float.NaN;
        }

        foreach (MissingValuePolicy policy in Enum.GetValues<MissingValuePolicy>())
        {
            FittedAnomalyDetector fitted = QuickBuilder().WithMissingValues(policy).Build().Fit(new TimeSeries(training, 2));
            var exception = Assert.Throws<ArgumentException>(() => fitted.Detect(new TimeSeries(test, 2)));
            Assert.Contains("Feature 1", exception.Message, StringComparison.Ordinal);
            var allMissing = Assert.Throws<ArgumentException>(() => fitted.Detect(new TimeSeries(Enumerable.Repeat(float.NaN, 200).ToArray(), 2)));
            Assert.Contains("Feature 0", allMissing.Message, StringComparison.Ordinal);
            Assert.Contains("1 other feature", allMissing.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HeldOutScoresStartAfterTheLastTrainingTarget()
    {
        // 100 points, window 4, horizon 3: 94 windows, 19 for validation; the last training window starts at 74 and
        // predicts 78–80, so the first point never used as a target is 81.
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder()
            .WithWindow(4)
            .WithScorer(Scorer.Forecast(horizon: 3))
            .WithModel(Models.Gru(hiddenSize: 4))
            .WithTrainer(Quick with { Epochs = 1 })
            .WithThreshold(Threshold.Quantile(0.9))
            .Build()
            .Fit(Synthetic.Normal(100, seed: 1));

        Assert.Equal(81, fitted.Scorer.HeldOutFrom);
    }

    [Fact]
    public void FitExplainsWhatTheTrainingSeriesLacks()
    {
        var constant = new TimeSeries([.. Enumerable.Repeat(5f, 1200)], 2);
        var mahalanobis = Assert.Throws<ArgumentException>(() =>
            QuickBuilder().WithErrorCombination(ErrorCombination.Mahalanobis).Build().Fit(constant));
        Assert.Contains("zero variance", mahalanobis.Message, StringComparison.Ordinal);

        var tail = Assert.Throws<ArgumentException>(() =>
            QuickBuilder().WithThreshold(Threshold.PeaksOverThreshold(1e-3)).Build().Fit(Synthetic.Normal(200, seed: 1)));
        Assert.Equal("training", tail.ParamName);
        Assert.Contains("threshold PeaksOverThreshold(risk=0.001, q0=0.98) (which needs 497 calibration scores) needs at least 513", tail.Message, StringComparison.Ordinal);

        var likelihood = Assert.Throws<ArgumentException>(() =>
            AnomalyDetector.CreateBuilder().WithScorer(Scorer.Reconstruction()).WithLoss(Loss.GaussianNll).Build());
        Assert.Contains("WithScorer: The reconstruction scorer needs a point loss", likelihood.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoregressiveReconstructionCannotBeExplained()
    {
        FittedAnomalyDetector fitted = QuickBuilder().WithScorer(Scorer.Reconstruction(DecoderInput.Autoregressive)).Build()
            .Fit(Synthetic.Normal(600, seed: 5));
        Assert.Throws<NotSupportedException>(() => fitted.Explain(Synthetic.Normal(100, seed: 6), 50));
        Assert.True(fitted.Detect(Synthetic.Normal(100, seed: 6)).Length == 100);
    }

    [Fact]
    public void TooShortTrainingSeriesIsRefused()
    {
        var exception = Assert.Throws<ArgumentException>(() => QuickBuilder().Build().Fit(Synthetic.Normal(30, seed: 1)));
        Assert.Contains("needs at least 33", exception.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Strategies() =>
    [
        "fixed", "mean+sigma", "quantile", "median+mad", "pot", "streaming-pot", "dspot", "dynamic", "budget",
    ];

    [Theory]
    [MemberData(nameof(Strategies))]
    public void EveryThresholdStrategyWorksThroughTheFluentApi(string name)
    {
        IThresholdStrategy strategy = name switch
        {
            "fixed" => Threshold.Fixed(2.0),
            "mean+sigma" => Threshold.MeanPlusSigma(4),
            "quantile" => Threshold.Quantile(0.999),
            "median+mad" => Threshold.MedianPlusMad(6),
            "pot" => Threshold.PeaksOverThreshold(riskLevel: 1e-3, initialQuantile: 0.95),
            "streaming-pot" => Threshold.StreamingPeaksOverThreshold(riskLevel: 1e-3, initialQuantile: 0.95),
            "dspot" => Threshold.DriftingPeaksOverThreshold(depth: 20, riskLevel: 1e-3, initialQuantile: 0.95),
            "dynamic" => Threshold.Dynamic(),
            _ => Threshold.FalseAlarmBudget(alarms: 1, per: TimeSpan.FromDays(1), samplingInterval: TimeSpan.FromMinutes(5)),
        };
        float[] test = Synthetic.Normal(400, seed: 11);
        test[300] += 4f;

        FittedAnomalyDetector fitted = QuickBuilder().WithThreshold(strategy).Build().Fit(Synthetic.Normal(800, seed: 10));
        DetectionResult result = fitted.Detect(test);

        output.WriteLine($"{name}: threshold {fitted.Threshold.Value:F4}, flagged {result.FlaggedCount}, events {result.Events.Count}");
        Assert.True(result.Flags[300], $"{name} misses a 4-amplitude spike");
        Assert.True(result.FlaggedCount <= 40, $"{name} flags {result.FlaggedCount} of 400 points");
    }

    public static TheoryData<string> Scorers() => ["forecast", "forecast-3", "reconstruction", "nll", "mahalanobis", "smoothed"];

    [Theory]
    [MemberData(nameof(Scorers))]
    public void EveryScorerWorksThroughTheFluentApi(string name)
    {
        AnomalyDetectorBuilder builder = QuickBuilder();
        builder = name switch
        {
            "forecast-3" => builder.WithScorer(Scorer.Forecast(horizon: 3)),
            "reconstruction" => builder.WithScorer(Scorer.Reconstruction()).WithTrainer(Quick with { Epochs = 12 }),
            "nll" => builder.WithLoss(Loss.GaussianNll),
            "mahalanobis" => builder.WithErrorCombination(ErrorCombination.Mahalanobis),
            "smoothed" => builder.WithSmoothing(3),
            _ => builder,
        };
        int features = name == "mahalanobis" ? 2 : 1;
        float[] test = Synthetic.Normal(400, seed: 11, features);
        test[300 * features] += 4f;

        FittedAnomalyDetector fitted = builder.Build().Fit(new TimeSeries(Synthetic.Normal(800, seed: 10, features), features));
        DetectionResult result = fitted.Detect(new TimeSeries(test, features));

        output.WriteLine($"{name}: threshold {fitted.Threshold.Value:F4}, score at spike {result.Scores[300]:F4}, flagged {result.FlaggedCount}");
        Assert.True(result.Flags[300] || result.Flags[301], $"{name} misses a 4-amplitude spike");
        Assert.True(result.FlaggedCount <= 40, $"{name} flags {result.FlaggedCount} of 400 points");
    }

    [Fact]
    public void ExplainPointsAtTheFeatureAndTheMomentThatBrokeTheForecast()
    {
        float[] training = Synthetic.Normal(800, seed: 12, features: 3);
        float[] test = Synthetic.Normal(300, seed: 13, features: 3);
        test[(200 * 3) + 2] += 3f;
        FittedAnomalyDetector fitted = QuickBuilder().Build().Fit(new TimeSeries(training, 3));
        var series = new TimeSeries(test, 3);

        Explanation atSpike = fitted.Explain(series, 200);
        Explanation afterSpike = fitted.Explain(series, 201);

        Assert.Equal(2, atSpike.TopFeature);
        Assert.Equal(atSpike.Score, atSpike.Contributions.ToArray().Sum(), 9);
        Assert.Equal(201 - fitted.Window, afterSpike.WindowStart);
        // At 201 the spike sits in the last input step: the largest input sensitivity should be there.
        int bestStep = 0;
        float best = 0;
        for (int step = 0; step < afterSpike.Window; step++)
        {
            for (int f = 0; f < 3; f++)
            {
                if (Math.Abs(afterSpike.SaliencyAt(step, f)) > best)
                {
                    best = Math.Abs(afterSpike.SaliencyAt(step, f));
                    bestStep = step;
                }
            }
        }

        output.WriteLine($"largest |saliency| {best} at step {bestStep} of {afterSpike.Window}");
        Assert.Equal(afterSpike.Window - 1, bestStep);
        Assert.Throws<ArgumentOutOfRangeException>(() => fitted.Explain(series, fitted.Window - 1));
    }

    [Theory]
    [InlineData("forecast", 150)]
    [InlineData("forecast-3", 150)]
    [InlineData("reconstruction", 150)]
    [InlineData("reconstruction", 286)]
    [InlineData("mahalanobis", 150)]
    public void SaliencyIsTheGradientOfTheScore(string name, int time)
    {
        AnomalyDetectorBuilder builder = QuickBuilder().WithScaler(Scaler.MinMax(-1, 1));
        builder = name switch
        {
            "reconstruction" => builder.WithScorer(Scorer.Reconstruction()),
            "forecast-3" => builder.WithScorer(Scorer.Forecast(horizon: 3)),
            "mahalanobis" => builder.WithErrorCombination(ErrorCombination.Mahalanobis),
            _ => builder,
        };
        // 300 points in windows of 16: the last window (284–299) overlaps the one before it (272–287), so 286 is read twice.
        float[] values = Synthetic.Normal(300, seed: 14, features: 2);
        values[(time * 2) + 1] += 1.5f;
        FittedAnomalyDetector fitted = builder.Build().Fit(new TimeSeries(Synthetic.Normal(600, seed: 15, features: 2), 2));
        Explanation explanation = fitted.Explain(new TimeSeries(values, 2), time);
        int expectedSteps = name switch { "forecast-3" => 18, "reconstruction" when time == 286 => 28, _ => 16 };
        Assert.Equal(expectedSteps, explanation.Window);

        // Central differences of the score in the series' own units, at the three most salient inputs.
        const float h = 1e-2f;
        int[] top = [.. Enumerable.Range(0, explanation.Saliency.Length).OrderByDescending(i => Math.Abs(explanation.Saliency[i])).Take(3)];
        foreach (int i in top)
        {
            int index = (explanation.WindowStart * 2) + i;
            float original = values[index];
            values[index] = original + h;
            double up = fitted.Explain(new TimeSeries(values, 2), time).Score;
            values[index] = original - h;
            double down = fitted.Explain(new TimeSeries(values, 2), time).Score;
            values[index] = original;
            double numeric = (up - down) / (2 * h);
            output.WriteLine($"{name} input {i}: analytic {explanation.Saliency[i]:F5}, numeric {numeric:F5}");
            Assert.Equal(numeric, explanation.Saliency[i], Math.Max(0.03 * Math.Abs(numeric), 1e-3));
        }
    }

    private sealed class CancelAfterFirstBatch(CancellationTokenSource cancellation) : IProgress<TrainingProgress>
    {
        public int Reports { get; private set; }

        public CancellationToken Token => cancellation.Token;

        public void Report(TrainingProgress value)
        {
            Reports++;
            cancellation.Cancel();
        }
    }
}
