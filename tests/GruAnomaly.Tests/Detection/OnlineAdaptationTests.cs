using GruAnomaly.Detection;
using GruAnomaly.Scoring;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace GruAnomaly.Tests.Detection;

public sealed class OnlineAdaptationTests(ITestOutputHelper output)
{
    private const int DriftLength = 6000;
    private const int Spike = 5000;
    private static readonly TrainerOptions Quick = AnomalyDetectorTests.Quick;
    private static readonly OnlineAdaptation Adaptation = new() { Every = 500, Recent = 1000 };

    /// <summary>Window 16, GRU(8), four quick epochs, mean + 4σ: a static threshold, so flags depend only on the past.</summary>
    private static AnomalyDetectorBuilder QuickBuilder() => AnomalyDetectorTests.QuickBuilder();

    [Fact]
    public void OptionsHaveTheirDefaultsAndAdaptationIsOffUnlessAsked()
    {
        var options = new OnlineAdaptation();
        Assert.Equal((1000, 2000, 1, null), (options.Every, options.Recent, options.Epochs, options.LearningRate));
        Assert.Null(AnomalyDetector.CreateBuilder().Build().Settings.OnlineAdaptation);
        Assert.Same(Adaptation, AnomalyDetector.CreateBuilder().WithOnlineAdaptation(Adaptation).Build().Settings.OnlineAdaptation);

        TrainerOptions fineTuning = options.FineTuning(Quick with { ValidationFraction = 0.3, EarlyStoppingPatience = 2 });
        Assert.Equal(Quick.LearningRate * OnlineAdaptation.DefaultLearningRateFraction, fineTuning.LearningRate);
        Assert.Equal((1, 0.0, 0, false), (fineTuning.Epochs, fineTuning.ValidationFraction, fineTuning.EarlyStoppingPatience, fineTuning.RestoreBestWeights));
        Assert.Equal(Quick.Seed, fineTuning.Seed);
        Assert.Equal(2e-4f, (options with { LearningRate = 2e-4f }).FineTuning(Quick).LearningRate);
    }

    [Fact]
    public void BuildListsEveryInvalidAdaptationChoiceWithTheOthers()
    {
        var exception = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder()
            .WithWindow(32)
            .WithSmoothing(0)
            .WithOnlineAdaptation(new OnlineAdaptation { Every = 0, Recent = 20, Epochs = -1, LearningRate = float.NaN })
            .Build());

        output.WriteLine(exception.Message);
        Assert.Contains("WithSmoothing: span must be at least 1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("WithOnlineAdaptation: Every must be positive (points between adaptations); got 0.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("WithOnlineAdaptation: Epochs must be positive; got -1.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("WithOnlineAdaptation: LearningRate must be positive and finite", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"WithOnlineAdaptation: Recent must be at least the 33 points that scorer {Scorer.Default().Name} needs with window 32", exception.Message, StringComparison.Ordinal);

        var baseline = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder()
            .WithScorer(Scorer.Naive())
            .WithOnlineAdaptation(new OnlineAdaptation { Recent = 0, LearningRate = -1f }).Build());
        output.WriteLine(baseline.Message);
        Assert.Contains("WithOnlineAdaptation: the scorer naive(lag=1) cannot be fine-tuned", baseline.Message, StringComparison.Ordinal);
        Assert.Contains("Recent must be positive (points fine-tuning reads); got 0.", baseline.Message, StringComparison.Ordinal);
        Assert.Contains("LearningRate must be positive and finite, or null for 0.1 of the trainer's; got -1.", baseline.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithOnlineAdaptation(null!).Build());
        Assert.Contains("WithOnlineAdaptation: the options must not be null", missing.Message, StringComparison.Ordinal);
        Assert.True(Scorer.Forecast().IsAdaptable && Scorer.Reconstruction().IsAdaptable);
        Assert.False(Scorer.RollingZScore().IsAdaptable || Scorer.WindowedGaussian().IsAdaptable);
    }

    [Fact]
    public void FitRefusesAScorerThatClaimsToAdaptButCannot()
    {
        AnomalyDetector detector = QuickBuilder().WithScorer(new ClaimsToAdapt()).WithOnlineAdaptation(Adaptation).Build();
        var exception = Assert.Throws<InvalidOperationException>(() => detector.Fit(Synthetic.Normal(600, seed: 5)));
        Assert.Contains("does not implement IAdaptableScorer", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DriftIsFollowedAndASpikeIsStillFlagged()
    {
        float[] training = Synthetic.Normal(2000, seed: 1);
        float[] test = Drifting(DriftLength, seed: 2);
        test[Spike] += 3f;
        FittedAnomalyDetector still = QuickBuilder().Build().Fit(training);
        var log = new ListLogger();
        FittedAnomalyDetector adapting = QuickBuilder().WithOnlineAdaptation(Adaptation).WithLogger(log).Build().Fit(training);

        DetectionResult before = still.Detect(test);
        DetectionResult after = adapting.Detect(test);

        // The same fit: without adaptation both score the first chunk alike.
        Assert.Equal(before.Scores[..Adaptation.Every].ToArray(), after.Scores[..Adaptation.Every].ToArray());
        for (int from = 0; from < DriftLength; from += 1000)
        {
            output.WriteLine($"steps {from}-{from + 999}: mean |error| {MeanAbsoluteError(test, before, from, from + 1000):F4} without, " +
                $"{MeanAbsoluteError(test, after, from, from + 1000):F4} with adaptation; flagged {Flagged(before, from)} / {Flagged(after, from)}");
        }

        double without = MeanAbsoluteError(test, before, DriftLength / 2, DriftLength);
        double with = MeanAbsoluteError(test, after, DriftLength / 2, DriftLength);
        output.WriteLine($"second half: mean |error| {without:F4} without, {with:F4} with adaptation ({with / without:P0}); " +
            $"flagged {before.FlaggedCount} / {after.FlaggedCount}; alarms {before.Alarms.Count} / {after.Alarms.Count}; spike score {before.Scores[Spike]:F2} / {after.Scores[Spike]:F2}");
        // Measured: 0.375 without, 0.199 with (53 %); 376 flagged points without, 42 with; the spike scores 2.7 without, 5.9 with.
        Assert.True(with < 0.7 * without, $"adaptation leaves the mean |error| of the drifted half at {with:F4} against {without:F4} without it");
        Assert.True(after.FlaggedCount < before.FlaggedCount / 2, $"adaptation flags {after.FlaggedCount} points, without it {before.FlaggedCount}");
        Assert.True(after.Flags[Spike], "the spike is flagged with adaptation");
        Assert.Contains(Spike, after.Alarms);
        Assert.Equal((DriftLength - 1) / Adaptation.Every, log.Events.Count(e => e.EventId == 30));
    }

    [Fact]
    public void APrefixGetsTheScoresAndAlarmsItGetsInTheWholeSeries()
    {
        float[] test = Drifting(3000, seed: 4);
        test[1200] += 3f;
        test[2700] += 3f;
        FittedAnomalyDetector fitted = QuickBuilder().WithOnlineAdaptation(Adaptation).Build().Fit(Synthetic.Normal(1000, seed: 3));

        DetectionResult whole = fitted.Detect(test);
        // Not a whole number of chunks: the prefix ends inside the chunk scored after the fourth adaptation.
        const int prefix = 2222;
        DetectionResult part = fitted.Detect(test.AsSpan(0, prefix).ToArray());

        Assert.Equal(whole.RawScores[..prefix].ToArray(), part.RawScores.ToArray());
        Assert.Equal(whole.Scores[..prefix].ToArray(), part.Scores.ToArray());
        Assert.Equal(whole.Thresholds[..prefix].ToArray(), part.Thresholds.ToArray());
        Assert.Equal(whole.Expected[..prefix].ToArray(), part.Expected.ToArray());
        Assert.Equal(whole.Alarms.Where(t => t < prefix), part.Alarms);
        Assert.Contains(1200, part.Alarms);
    }

    [Fact]
    public void DetectIsDeterministicAndLeavesTheFittedDetectorAsItWas()
    {
        float[] training = Synthetic.Normal(1000, seed: 3);
        float[] test = Drifting(2500, seed: 5);
        AnomalyDetector detector = QuickBuilder().WithOnlineAdaptation(Adaptation).Build();
        FittedAnomalyDetector fitted = detector.Fit(training);
        var scorer = (FittedForecastScorer)fitted.Scorer;
        float[] weights = scorer.Parameters.ToArray();

        DetectionResult first = fitted.Detect(test);
        DetectionResult second = fitted.Detect(test);
        DetectionResult other = detector.Fit(training).Detect(test);

        Assert.Equal(weights, scorer.Parameters.ToArray());
        Assert.Same(scorer, fitted.Scorer);
        Assert.Equal(first.Scores.ToArray(), second.Scores.ToArray());
        Assert.Equal(first.Expected.ToArray(), second.Expected.ToArray());
        Assert.Equal(first.Scores.ToArray(), other.Scores.ToArray());
        Assert.Equal(first.Alarms, other.Alarms);
    }

    [Fact]
    public void ConcurrentDetectionsDoNotShareAdaptedWeights()
    {
        FittedAnomalyDetector fitted = QuickBuilder().WithOnlineAdaptation(Adaptation).Build().Fit(Synthetic.Normal(1000, seed: 3));
        float[][] series = [Drifting(1600, seed: 6), Synthetic.Normal(1600, seed: 7), Drifting(1600, seed: 6)];
        double[][] alone = [.. series.Select(s => fitted.Detect(s).Scores.ToArray())];

        double[][] together = new double[series.Length][];
        Parallel.For(0, series.Length, i => together[i] = fitted.Detect(series[i]).Scores.ToArray());

        for (int i = 0; i < series.Length; i++)
        {
            Assert.Equal(alone[i], together[i]);
        }
    }

    [Fact]
    public void WithoutAnAdaptationTheScoresAreThoseOfNoAdaptation()
    {
        float[] training = Synthetic.Normal(1000, seed: 3);
        float[] test = Drifting(1400, seed: 8);
        test[900] += 3f;
        DetectionResult off = QuickBuilder().Build().Fit(training).Detect(test);

        // One chunk holds the whole series: nothing is adapted.
        DetectionResult once = QuickBuilder().WithOnlineAdaptation(new OnlineAdaptation { Every = 5000 }).Build().Fit(training).Detect(test);
        // A horizon of 3 needs 19 points per training window; 17 recent points give none, so every adaptation is skipped.
        var log = new ListLogger();
        AnomalyDetectorBuilder horizon = QuickBuilder().WithScorer(Scorer.Forecast(horizon: 3));
        DetectionResult offAhead = horizon.Build().Fit(training).Detect(test);
        DetectionResult skipped = QuickBuilder().WithScorer(Scorer.Forecast(horizon: 3)).WithLogger(log)
            .WithOnlineAdaptation(new OnlineAdaptation { Every = 100, Recent = 17 }).Build().Fit(training).Detect(test);

        AssertSameResult(off, once);
        AssertSameResult(offAhead, skipped);
        Assert.Equal(13, log.Events.Count(e => e.EventId == 31));
        Assert.DoesNotContain(log.Events, e => e.EventId == 30);
    }

    [Fact]
    public void ExcludedTargetsAreNotLearned()
    {
        FittedAnomalyDetector fitted = QuickBuilder().Build().Fit(Synthetic.Normal(1000, seed: 3));
        var scorer = (IAdaptableScorer)fitted.Scorer;
        float[] inputs = Synthetic.Normal(300, seed: 9);
        var excluded = new bool[300];
        excluded[100] = excluded[200] = true;

        // The inputs stay as scoring reads them; only the observations at excluded steps change between the two runs.
        float[] Tuned(float at100, float at150)
        {
            float[] observed = [.. inputs];
            observed[100] = at100;
            observed[150] = at150;
            return ((FittedForecastScorer)scorer.Adapt(Context(inputs, observed, excluded))).Parameters.ToArray();
        }

        float[] reference = Tuned(inputs[100], inputs[150]);
        Assert.Equal(reference, Tuned(50f, inputs[150]));
        Assert.NotEqual(reference, Tuned(inputs[100], 50f));
        Assert.NotEqual(((FittedForecastScorer)scorer).Parameters.ToArray(), reference);

        Assert.Same(scorer, scorer.Adapt(Context(inputs, inputs, [.. Enumerable.Repeat(true, 300)])));
        Assert.Same(scorer, scorer.Adapt(Context(inputs.AsSpan(0, 16).ToArray(), inputs.AsSpan(0, 16).ToArray(), new bool[16])));
        var wrong = Assert.Throws<ArgumentException>(() => scorer.Adapt(Context(inputs, inputs, new bool[299])));
        Assert.Contains("context.Excluded has 299 values; expected 300 (one per time step)", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReconstructionScorerAdaptsToo()
    {
        float[] training = Synthetic.Normal(1000, seed: 3);
        float[] test = Drifting(1600, seed: 10);
        var log = new ListLogger();
        FittedAnomalyDetector fitted = QuickBuilder().WithScorer(Scorer.Reconstruction()).WithLogger(log)
            .WithOnlineAdaptation(Adaptation).Build().Fit(training);
        var scorer = (FittedReconstructionScorer)fitted.Scorer;
        float[] weights = scorer.Parameters.ToArray();

        DetectionResult first = fitted.Detect(test);
        Assert.Equal(3, log.Events.Count(e => e.EventId == 30));
        DetectionResult second = fitted.Detect(test);

        Assert.Equal(first.Scores.ToArray(), second.Scores.ToArray());
        Assert.Equal(weights, scorer.Parameters.ToArray());
        Assert.All(first.Scores.ToArray(), s => Assert.True(double.IsFinite(s)));
        Assert.All(first.IsScored.ToArray(), s => Assert.True(s));
    }

    /// <summary>A noisy sine like <see cref="Synthetic.Normal"/> whose amplitude doubles and whose offset rises by 1 over the series.</summary>
    internal static float[] Drifting(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        double phase = random.NextDouble() * 2 * Math.PI;
        for (int t = 0; t < length; t++)
        {
            double drift = t / (double)length;
            values[t] = (float)(((1 + drift) * Math.Sin((2 * Math.PI * t / Synthetic.Period) + phase)) + drift) + (Synthetic.Noise * Synthetic.Gaussian(random));
        }

        return values;
    }

    private static double MeanAbsoluteError(float[] values, DetectionResult result, int from, int to)
    {
        double sum = 0;
        int count = 0;
        for (int t = Math.Max(from, 16); t < to; t++)
        {
            if (Math.Abs(t - Spike) > 16)
            {
                sum += Math.Abs(values[t] - result.Expected[t]);
                count++;
            }
        }

        return sum / count;
    }

    private static int Flagged(DetectionResult result, int from)
    {
        int count = 0;
        for (int t = from; t < Math.Min(from + 1000, result.Length); t++)
        {
            count += result.Flags[t] ? 1 : 0;
        }

        return count;
    }

    private static ScorerAdaptationContext Context(float[] inputs, float[] observed, bool[] excluded) => new()
    {
        Inputs = inputs,
        Observed = observed,
        Excluded = excluded,
        Stride = 1,
        Trainer = Adaptation.FineTuning(Quick),
        Logger = NullLogger.Instance,
    };

    private static void AssertSameResult(DetectionResult expected, DetectionResult actual)
    {
        Assert.Equal(expected.RawScores.ToArray(), actual.RawScores.ToArray());
        Assert.Equal(expected.Scores.ToArray(), actual.Scores.ToArray());
        Assert.Equal(expected.Thresholds.ToArray(), actual.Thresholds.ToArray());
        Assert.Equal(expected.Expected.ToArray(), actual.Expected.ToArray());
        Assert.Equal(expected.Flags.ToArray(), actual.Flags.ToArray());
        Assert.Equal(expected.Alarms, actual.Alarms);
    }

    /// <summary>A scorer that says it can be fine-tuned but fits a baseline, which cannot.</summary>
    private sealed class ClaimsToAdapt : IAnomalyScorer
    {
        private readonly IAnomalyScorer _inner = Scorer.Naive();

        public string Name => "claims to adapt";

        public bool IsAdaptable => true;

        public int MinimumLength(int window) => _inner.MinimumLength(window);

        public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
            _inner.Fit(context, progress, cancellationToken);
    }
}
