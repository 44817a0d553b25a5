using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Persistence;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Tests.Recurrent;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;
using GruAnomaly.Training.Optimizers;
using GruAnomaly.Training.Schedules;

namespace GruAnomaly.Tests.Persistence;

/// <summary>
/// A detector saved and loaded detects exactly what it did, to the last bit, for every built-in scorer, cell, threshold,
/// normalization, missing-value policy, combination, scaler, trainer setting and online adaptation; and the loaded
/// detector saves to the very same bytes, so every stored field is read back as it was written.
/// </summary>
public sealed class DetectorPersistenceTests
{
    private static readonly TrainerOptions Quick = AnomalyDetectorTests.Quick;

    public static TheoryData<string> Scorers() =>
    [
        "forecast-mse", "forecast-nll", "forecast-nll-horizon-2", "reconstruction", "reconstruction-autoregressive", "naive", "naive-lag-40",
        "rolling-z-score", "windowed-gaussian", "fusion-tail", "fusion-rank", "reset-after-2-layers", "reset-before-2-layers",
        "reconstruction-reset-after-2-layers", "carried-state", "carried-state-mse-2-layers", "automatic-choices",
        "lstm-forecast", "lstm-reconstruction-2-layers", "lstm-reconstruction-autoregressive", "lstm-carried-state-2-layers", "lstm-fusion",
        "nearest-neighbour", "nearest-neighbour-shorter-reference", "sliding-nearest-neighbour", "multi-length-nearest-neighbour", "fusion-nearest-neighbours", "fusion-maximum", "fusion-per-point",
    ];

    [Theory]
    [MemberData(nameof(Scorers))]
    public void EveryScorerAndCellLoadsToTheSameDetections(string name)
    {
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder();
        builder = name switch
        {
            "forecast-mse" => builder.WithLoss(Loss.Mse),
            "forecast-nll" => builder.WithLoss(Loss.GaussianNll),
            "forecast-nll-horizon-2" => builder.WithScorer(Scorer.Forecast(horizon: 2)).WithLoss(Loss.GaussianNll),
            "reconstruction" => builder.WithScorer(Scorer.Reconstruction()).WithLoss(Loss.Mse),
            "reconstruction-autoregressive" => builder.WithScorer(Scorer.Reconstruction(DecoderInput.Autoregressive)).WithLoss(Loss.Mse),
            "naive" => builder.WithScorer(Scorer.Naive()),
            "naive-lag-40" => builder.WithScorer(Scorer.Naive(Synthetic.Period)),
            "rolling-z-score" => builder.WithScorer(Scorer.RollingZScore()),
            "windowed-gaussian" => builder.WithScorer(Scorer.WindowedGaussian(window: 50)),
            "fusion-tail" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.Naive(), Scorer.RollingZScore(window: 30))),
            "fusion-rank" => builder.WithScorer(Scorer.Fusion(FusionMethod.Rank, Scorer.Naive(), Scorer.WindowedGaussian(window: 40))),
            "nearest-neighbour" => builder.WithScorer(Scorer.NearestNeighbour(normalize: true)),
            "nearest-neighbour-shorter-reference" => builder.WithScorer(Scorer.NearestNeighbour(reference: 300)),
            "multi-length-nearest-neighbour" => builder.WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(),
                Scorer.MultiLengthNearestNeighbour(reference: 300))),
            "sliding-nearest-neighbour" => builder.WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(),
                Scorer.SlidingNearestNeighbour(length: 12, reference: 300))),
            "fusion-maximum" => builder.WithScorer(Scorer.Fusion(FusionMethod.Maximum, Scorer.Forecast(), Scorer.RollingZScore(), Scorer.NearestNeighbour())),
            "fusion-nearest-neighbours" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.NearestNeighbour(), Scorer.NearestNeighbour(normalize: true))),
            "fusion-per-point" => builder.WithScorer(Scorer.Fusion(FusionMethod.Rank, FusionCalibration.PerPoint, Scorer.Forecast(), Scorer.RollingZScore(),
                Scorer.NearestNeighbour())),
            "reset-after-2-layers" => builder.WithModel(Models.Gru(hiddenSize: 6, layers: 2, GruVariant.ResetAfter)),
            "reset-before-2-layers" => builder.WithModel(Models.Gru(hiddenSize: 6, layers: 2, GruVariant.ResetBefore)).WithLoss(Loss.Mse),
            "carried-state" => builder.WithScorer(Scorer.CarriedStateForecast()),
            "carried-state-mse-2-layers" => builder.WithScorer(Scorer.CarriedStateForecast(windowsPerSequence: 3)).WithLoss(Loss.Mse)
                .WithModel(Models.Gru(hiddenSize: 6, layers: 2, GruVariant.ResetAfter)),
            "reconstruction-reset-after-2-layers" => builder.WithScorer(Scorer.Reconstruction()).WithLoss(Loss.Mse)
                .WithModel(Models.Gru(hiddenSize: 6, layers: 2, GruVariant.ResetAfter)),
            "lstm-forecast" => builder.WithModel(Models.Lstm(hiddenSize: 6)).WithLoss(Loss.GaussianNll),
            "lstm-reconstruction-2-layers" => builder.WithScorer(Scorer.Reconstruction()).WithLoss(Loss.Mse).WithModel(Models.Lstm(hiddenSize: 6, layers: 2)),
            "lstm-reconstruction-autoregressive" => builder.WithScorer(Scorer.Reconstruction(DecoderInput.Autoregressive)).WithLoss(Loss.Mse)
                .WithModel(Models.Lstm(hiddenSize: 5, forgetGateBiasOne: false)),
            "lstm-carried-state-2-layers" => builder.WithScorer(Scorer.CarriedStateForecast(windowsPerSequence: 3)).WithModel(Models.Lstm(hiddenSize: 6, layers: 2)),
            "lstm-fusion" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.CarriedStateForecast(), Scorer.Naive())).WithModel(Models.Lstm(hiddenSize: 6)),
            _ => AnomalyDetector.CreateBuilder().WithModel(Models.Gru(hiddenSize: 8)).WithTrainer(Quick),
        };

        AssertRoundTrip(builder, Synthetic.Normal(800, seed: 10), DetectorStreamTests.TestSeries());
    }

    public static TheoryData<string> Thresholds() =>
    [
        "fixed", "mean+sigma", "quantile", "median+mad", "automatic", "automatic-fallback", "pot", "streaming-pot", "dspot", "dynamic",
        "dynamic-windowed", "budget", "budget-tail",
    ];

    [Theory]
    [MemberData(nameof(Thresholds))]
    public void EveryThresholdLoadsToTheSameDetections(string name)
    {
        IThresholdStrategy strategy = name switch
        {
            "fixed" => Threshold.Fixed(2.0),
            "mean+sigma" => Threshold.MeanPlusSigma(4),
            "quantile" => Threshold.Quantile(0.99),
            "median+mad" => Threshold.MedianPlusMad(6),
            "automatic" or "automatic-fallback" => Threshold.Automatic(),
            "pot" => Threshold.PeaksOverThreshold(riskLevel: 1e-3, initialQuantile: 0.95),
            "streaming-pot" => Threshold.StreamingPeaksOverThreshold(riskLevel: 1e-2, initialQuantile: 0.9),
            "dspot" => Threshold.DriftingPeaksOverThreshold(depth: 20, riskLevel: 1e-2, initialQuantile: 0.9),
            "dynamic" => Threshold.Dynamic(),
            "dynamic-windowed" => Threshold.Dynamic(new DynamicThresholdOptions { WindowLength = 300, BatchLength = 50, AnomalyPadding = 2, MinimumZ = 2 }),
            "budget" => Threshold.FalseAlarmBudget(alarms: 1, per: TimeSpan.FromDays(1), samplingInterval: TimeSpan.FromMinutes(5)),
            _ => Threshold.FalseAlarmBudget(alarmsPerPoint: 1e-3),
        };
        // The naive scorer trains nothing, so many thresholds cost nothing; 300 training points are too few for a tail.
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive()).WithThreshold(strategy);
        FittedAnomalyDetector original = AssertRoundTrip(builder, Synthetic.Normal(name == "automatic-fallback" ? 300 : 2000, seed: 10),
            DetectorStreamTests.TestSeries(1500));
        string expectedType = name switch
        {
            "streaming-pot" => nameof(FittedStreamingPeaksOverThreshold),
            "dspot" => nameof(FittedDriftingPeaksOverThreshold),
            "dynamic" or "dynamic-windowed" => nameof(FittedDynamicThreshold),
            _ => nameof(FittedStaticThreshold),
        };
        Assert.Equal(expectedType, original.Threshold.GetType().Name);
        if (name is "pot" or "automatic" or "budget-tail")
        {
            Assert.NotNull(((FittedStaticThreshold)original.Threshold).Tail);
        }
    }

    public static TheoryData<string> Decisions() =>
    [
        "normalization-none", "normalization-robust-z-short", "normalization-robust-z-normal", "normalization-ratio-to-median", "mask", "interpolate", "forward-fill",
        "mahalanobis", "mean-multivariate", "scaler-min-max", "scaler-robust", "scaler-none", "event-rules", "no-smoothing",
    ];

    [Theory]
    [MemberData(nameof(Decisions))]
    public void EveryDecisionStepLoadsToTheSameDetections(string name)
    {
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithLoss(Loss.Mse);
        int features = name is "mahalanobis" or "mean-multivariate" ? 2 : 1;
        float[] training = Synthetic.Normal(800, seed: 10, features), test = DetectorStreamTests.TestSeries(features: features);
        builder = name switch
        {
            "normalization-none" => builder.WithScoreNormalization(ScoreNormalization.None),
            "normalization-robust-z-short" => builder.WithScoreNormalization(ScoreNormalization.RobustZ(history: 50)),
            "normalization-robust-z-normal" => builder.WithScoreNormalization(ScoreNormalization.RobustZ(history: 50, excludeFlagged: true)),
            "normalization-ratio-to-median" => builder.WithScoreNormalization(ScoreNormalization.RatioToMedian(history: 100)),
            "mask" => builder.WithMissingValues(MissingValuePolicy.Mask),
            "interpolate" => builder.WithMissingValues(MissingValuePolicy.Interpolate),
            "forward-fill" => builder.WithMissingValues(MissingValuePolicy.ForwardFill),
            "mahalanobis" => builder.WithErrorCombination(ErrorCombination.Mahalanobis),
            "mean-multivariate" => builder.WithErrorCombination(ErrorCombination.Mean).WithLoss(Loss.GaussianNll),
            "scaler-min-max" => builder.WithScaler(Scaler.MinMax(-1f, 1f)),
            "scaler-robust" => builder.WithScaler(Scaler.Robust()),
            "scaler-none" => builder.WithScaler(Scaler.None()),
            "event-rules" => builder.WithThreshold(Threshold.Quantile(0.95)).WithScoreNormalization(ScoreNormalization.None).WithEventRules(new EventRules
            {
                MaxGap = 3, MinLength = 2, SuppressionPoints = 5, MinimumPercentDecrease = 0.1, NonMaximumSuppressionRadius = 2, AlarmSuppression = 7,
            }),
            _ => builder.WithSmoothing(1),
        };
        if (name is "mask" or "interpolate" or "forward-fill")
        {
            foreach (int t in new[] { 3, 100, 101, 102, 400, 401 })
            {
                training[t] = float.NaN;
            }

            foreach (int t in new[] { 0, 1, 30, 100, 221, 222, 223 }.Concat(Enumerable.Range(150, 25)))
            {
                test[t] = float.NaN;
            }
        }

        AssertRoundTrip(builder, new TimeSeries(training, features), new TimeSeries(test, features));
    }

    public static TheoryData<string> Adaptations() => ["adam", "sgd-step-decay-huber", "adamw-cosine-mae", "adam-plateau-clipped"];

    [Theory]
    [MemberData(nameof(Adaptations))]
    public void OnlineAdaptationLoadsToTheSameDetections(string name)
    {
        TrainerOptions trainer = name switch
        {
            "adam" => Quick,
            "sgd-step-decay-huber" => Quick with
            {
                Optimizer = new Sgd(momentum: 0.9f, weightDecay: 1e-4f, nesterov: true), Schedule = LearningRateSchedule.StepDecay(2, 0.5f),
                Loss = Loss.Huber(0.5f), GradientClipNorm = 1f,
            },
            "adamw-cosine-mae" => Quick with
            {
                Optimizer = new AdamW(weightDecay: 0.02f), Schedule = LearningRateSchedule.Cosine(4, 1e-4f), Loss = Loss.Mae, Shuffle = false,
                TruncationSteps = 8,
            },
            _ => Quick with
            {
                Optimizer = new Adam(beta1: 0.8f, epsilon: 1e-7f), Schedule = LearningRateSchedule.ReduceOnPlateau(0.5f, 1, cooldown: 1),
                ValidationFraction = 0.25, EarlyStoppingPatience = 2, EarlyStoppingMinDelta = 1e-4, RestoreBestWeights = false,
                NonFiniteBehavior = NonFiniteBehavior.SkipBatch,
            },
        };
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithTrainer(trainer)
            .WithOnlineAdaptation(new OnlineAdaptation { Every = 150, Recent = 200, Epochs = 1, LearningRate = name == "adam" ? null : 2e-3f });

        AssertRoundTrip(builder, Synthetic.Normal(600, seed: 10), DetectorStreamTests.TestSeries());
    }

    [Fact]
    public void ACellOfYourOwnLoadsOnlyWhereItIsRegistered()
    {
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder()
            .WithModel(Models.Cells("mgu", layers: 2, (inputSize, layer) => new MinimalGatedUnitCell(inputSize, hiddenSize: 5)))
            .Build().Fit(Synthetic.Normal(600, seed: 10));
        byte[] file = Persisted.Bytes(original);

        var missing = Assert.Throws<InvalidDataException>(() => Persisted.Load(file));
        Assert.Contains("'mgu'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("RegisterCell", missing.Message, StringComparison.Ordinal);
        var other = new DetectorLoadOptions().RegisterCell("other", (inputSize, layer) => new GruCell(inputSize, 5));
        Assert.Contains("registered: 'other'", Assert.Throws<InvalidDataException>(() => Persisted.Load(file, other)).Message, StringComparison.Ordinal);

        // A registration that makes other cells than the file's is refused, with both shapes in the message.
        var wrong = new DetectorLoadOptions().RegisterCell("mgu", (inputSize, layer) => new MinimalGatedUnitCell(inputSize, hiddenSize: 6));
        Assert.Contains("does not match", Assert.Throws<InvalidDataException>(() => Persisted.Load(file, wrong)).Message, StringComparison.Ordinal);

        var options = new DetectorLoadOptions().RegisterCell("mgu", (inputSize, layer) => new MinimalGatedUnitCell(inputSize, hiddenSize: 5));
        FittedAnomalyDetector loaded = Persisted.RoundTrip(original, options);
        Persisted.AssertSameDetection(original, loaded, DetectorStreamTests.TestSeries());
        Assert.Equal("mgu", loaded.Choices.Model.Name);
        Assert.All(((FittedForecastScorer)loaded.Scorer).Network.Layers, cell => Assert.IsType<MinimalGatedUnitCell>(cell));
    }

    [Fact]
    public void RegistrationsBelongToOneOptionsInstance()
    {
        var first = new DetectorLoadOptions().RegisterCell("mine", (inputSize, layer) => new GruCell(inputSize, 4));
        var second = new DetectorLoadOptions();
        Assert.True(first.TryGetCell("mine", out _));
        Assert.False(second.TryGetCell("mine", out _));
        Assert.Throws<ArgumentException>(() => first.RegisterCell("mine", (inputSize, layer) => new GruCell(inputSize, 4)));
    }

    public static TheoryData<string> CustomParts() => ["threshold", "scaler", "normalization", "scorer", "loss"];

    [Theory]
    [MemberData(nameof(CustomParts))]
    public void APartOfYourOwnCannotBeSavedAndTheMessageNamesIt(string part)
    {
        AnomalyDetectorBuilder builder = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive());
        (builder, Type type) = part switch
        {
            "threshold" => (builder.WithThreshold(new MyThreshold()), typeof(MyThreshold)),
            "scaler" => (builder.WithScaler(new MyScaler()), typeof(MyScaler)),
            "normalization" => (builder.WithScoreNormalization(new MyNormalization()), typeof(MyNormalization)),
            "scorer" => (builder.WithScorer(new MyScorer()), typeof(MyScorer)),
            _ => (AnomalyDetectorTests.QuickBuilder().WithLoss(new MyLoss()), typeof(MyLoss)),
        };
        FittedAnomalyDetector fitted = builder.Build().Fit(Synthetic.Normal(600, seed: 10));

        var exception = Assert.Throws<NotSupportedException>(() => fitted.Save(new MemoryStream()));
        Assert.Contains(type.FullName!, exception.Message, StringComparison.Ordinal);
        var stream = new MemoryStream();
        Assert.Throws<NotSupportedException>(() => fitted.Save(stream));
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void ALoadedDetectorServesManyThreadsAndLoadsShareNothing()
    {
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder().WithThreshold(Threshold.StreamingPeaksOverThreshold(1e-2, 0.9))
            .Build().Fit(Synthetic.Normal(800, seed: 10));
        byte[] file = Persisted.Bytes(original);
        FittedAnomalyDetector loaded = Persisted.Load(file);
        float[] test = DetectorStreamTests.TestSeries();
        long[] expected = Persisted.Bits(original.Detect(test).Scores);

        long[][] results = new long[8][];
        Parallel.For(0, results.Length, i => results[i] = Persisted.Bits((i % 2 == 0 ? loaded : Persisted.Load(file)).Detect(test).Scores));

        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.NotSame(loaded.Threshold, Persisted.Load(file).Threshold);
    }

    [Fact]
    public void TheFileRecordsTheHistoryAndTheFormatVersion()
    {
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder().Build().Fit(Synthetic.Normal(600, seed: 10));
        FittedAnomalyDetector loaded = Persisted.RoundTrip(original);
        byte[] file = Persisted.Bytes(original);

        Assert.Equal("GRUA"u8.ToArray(), file[..4]);
        // Stamped with the lowest version that holds it: nothing of this detector needs a later one than 1.
        Assert.Equal(1, BitConverter.ToUInt16(file, 4));
        Assert.Equal(original.History!.Epochs, loaded.History!.Epochs);
        Assert.Equal(original.History.StopReason, loaded.History.StopReason);
        Assert.Equal(original.History.Elapsed, loaded.History.Elapsed);
        Assert.Equal(original.Choices.Automatic, loaded.Choices.Automatic);
        Assert.Equal(original.Settings.EventRules, loaded.Settings.EventRules);
        Assert.Equal(original.TypicalScore, loaded.TypicalScore);
        Assert.Equal(original.CalibrationScores, loaded.CalibrationScores);
    }

    [Fact]
    public void AHistoryThatKeepsFlaggedScoresOutIsWrittenAsVersion3AndLoadsAsItWas()
    {
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder()
            .WithScoreNormalization(ScoreNormalization.RobustZ(history: 50, excludeFlagged: true)).Build().Fit(Synthetic.Normal(600, seed: 10));
        byte[] file = Persisted.Bytes(original);

        Assert.Equal(3, BitConverter.ToUInt16(file, 4));
        var strategy = Assert.IsType<RunningScoreNormalization>(Persisted.Load(file).Settings.Normalization);
        Assert.True(strategy.ExcludeFlagged);
        Assert.Equal(50, strategy.History);
    }

    [Fact]
    public void AFusionThatCalibratesPointsIsWrittenAsVersion6AndLoadsAsItWas()
    {
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder()
            .WithScorer(Scorer.Fusion(FusionMethod.Maximum, FusionCalibration.PerPoint, Scorer.Naive(), Scorer.RollingZScore()))
            .Build().Fit(Synthetic.Normal(600, seed: 10));
        byte[] file = Persisted.Bytes(original);

        Assert.Equal(6, BitConverter.ToUInt16(file, 4));
        FittedAnomalyDetector loaded = Persisted.Load(file);
        var strategy = Assert.IsType<FusionScorer>(loaded.Settings.Scorer);
        Assert.Equal((FusionMethod.Maximum, FusionCalibration.PerPoint), (strategy.Method, strategy.Calibration));
        Assert.Equal(original.Scorer.Name, loaded.Scorer.Name);
        Persisted.AssertSameDetection(original, loaded, Synthetic.Normal(300, seed: 11));

        // A file that claims an older version cannot hold it.
        byte[] older = Persisted.ClaimingVersion(file, 5);
        Assert.Contains("a fusion that calibrates points, which exists from format version 6 on, but the file has version 5",
            Assert.Throws<InvalidDataException>(() => Persisted.Load(older)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AShorterNearestNeighbourReferenceIsWrittenAsVersion7AndLoadsAsItWas()
    {
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.NearestNeighbour(reference: 300))
            .Build().Fit(Synthetic.Normal(600, seed: 10));
        byte[] file = Persisted.Bytes(original);

        Assert.Equal(7, BitConverter.ToUInt16(file, 4));
        var strategy = Assert.IsType<NearestNeighbourScorer>(Persisted.Load(file).Settings.Scorer);
        Assert.Equal(300, strategy.Reference);
        byte[] older = Persisted.ClaimingVersion(file, 6);
        Assert.Contains("a nearest-neighbour scorer with a shorter reference, which exists from format version 7 on",
            Assert.Throws<InvalidDataException>(() => Persisted.Load(older)).Message, StringComparison.Ordinal);

        // The longest reference keeps the scorer's first code and version.
        byte[] longest = Persisted.Bytes(AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.NearestNeighbour()).Build().Fit(Synthetic.Normal(600, seed: 10)));
        Assert.Equal(4, BitConverter.ToUInt16(longest, 4));
    }

    [Fact]
    public void ASlidingNearestNeighbourIsWrittenAsVersion10AndLoadsAsItWas()
    {
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.SlidingNearestNeighbour(length: 10, reference: 300))
            .Build().Fit(Synthetic.Normal(600, seed: 10));
        byte[] file = Persisted.Bytes(original);

        Assert.Equal(10, BitConverter.ToUInt16(file, 4));
        FittedAnomalyDetector loaded = Persisted.Load(file);
        var strategy = Assert.IsType<SlidingNearestNeighbourScorer>(loaded.Settings.Scorer);
        Assert.Equal((10, 300), (strategy.Length, strategy.Reference));
        Persisted.AssertSameDetection(original, loaded, Synthetic.Normal(300, seed: 11));
        Assert.Equal(file, Persisted.Bytes(loaded));
        byte[] older = Persisted.ClaimingVersion(file, 9);
        Assert.Contains("a sliding nearest-neighbour scorer, which exists from format version 10 on, but the file has version 9",
            Assert.Throws<InvalidDataException>(() => Persisted.Load(older)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASeedIsWrittenAsVersion5AndLoadsAsItWas()
    {
        TimeSeries training = Synthetic.Normal(600, seed: 10);
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder().WithSeed(-3).Build().Fit(training);
        byte[] file = Persisted.Bytes(original);

        Assert.Equal(5, BitConverter.ToUInt16(file, 4));
        FittedAnomalyDetector loaded = Persisted.Load(file);
        Assert.Equal(-3, loaded.Settings.Seed);
        Assert.Equal(original.Settings.Trainer!.ToString(), loaded.Settings.Trainer!.ToString());
        Persisted.AssertSameDetection(original, loaded, Synthetic.Normal(300, seed: 11));
        Assert.Equal(file, Persisted.Bytes(loaded));

        // Without a seed the settings end where they always did: nothing in the file needs version 5.
        Assert.Null(Persisted.RoundTrip(AnomalyDetectorTests.QuickBuilder().Build().Fit(training)).Settings.Seed);

        // A file that claims an older version cannot hold the field.
        byte[] older = Persisted.ClaimingVersion(file, 4);
        string message = Assert.Throws<InvalidDataException>(() => Persisted.Load(older)).Message;
        Assert.Contains("seed: is a detector seed, which exists from format version 5 on, but the file has version 4", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AlarmsAtOnsetsOnlyAreWrittenAsVersion8AndLoadAsTheyWere()
    {
        TimeSeries training = Synthetic.Normal(600, seed: 10);
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Forecast())
            .WithEventRules(new EventRules { AlarmSuppression = 7, RepeatAlarms = false }).Build().Fit(training);
        byte[] file = Persisted.Bytes(original);

        Assert.Equal(8, BitConverter.ToUInt16(file, 4));
        FittedAnomalyDetector loaded = Persisted.Load(file);
        Assert.Equal(original.Settings.EventRules, loaded.Settings.EventRules);
        Assert.False(loaded.Settings.EventRules.RepeatAlarms);
        Persisted.AssertSameDetection(original, loaded, new TimeSeries(DetectorStreamTests.TestSeries()));
        Assert.Equal(file, Persisted.Bytes(loaded));

        // Without a suppression given, the flag stands alone in the presence byte.
        FittedAnomalyDetector unset = Persisted.RoundTrip(AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Forecast())
            .WithEventRules(new EventRules { RepeatAlarms = false }).Build().Fit(training));
        Assert.Equal((null, false), (unset.Settings.EventRules.AlarmSuppression, unset.Settings.EventRules.RepeatAlarms));

        // Repeating alarms keep the version before.
        Assert.Equal(1, BitConverter.ToUInt16(Persisted.Bytes(AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Forecast())
            .WithEventRules(new EventRules { AlarmSuppression = 7 }).Build().Fit(training)), 4));
        byte[] older = Persisted.ClaimingVersion(file, 7);
        Assert.Contains("alarms at onsets only, which exists from format version 8 on, but the file has version 7",
            Assert.Throws<InvalidDataException>(() => Persisted.Load(older)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExponentialAutomaticThresholdIsWrittenAsVersion9AndLoadsAsItWas()
    {
        TimeSeries training = Synthetic.Normal(600, seed: 10);
        FittedAnomalyDetector original = AnomalyDetectorTests.QuickBuilder().WithThreshold(Threshold.Automatic(1e-3)).Build().Fit(training);
        byte[] file = Persisted.Bytes(original);

        Assert.Equal(9, BitConverter.ToUInt16(file, 4));
        FittedAnomalyDetector loaded = Persisted.Load(file);
        var strategy = Assert.IsType<AutomaticThresholdStrategy>(loaded.Settings.Threshold);
        Assert.Equal((1e-3, TailModel.Exponential), (strategy.RiskLevel, strategy.Tail));
        Persisted.AssertSameDetection(original, loaded, Synthetic.Normal(300, seed: 11));
        Assert.Equal(file, Persisted.Bytes(loaded));

        // The generalized Pareto tail keeps the automatic threshold's first code, and so the version before.
        byte[] pareto = Persisted.Bytes(AnomalyDetectorTests.QuickBuilder().WithThreshold(Threshold.Automatic(1e-3, TailModel.GeneralizedPareto))
            .Build().Fit(training));
        Assert.Equal(1, BitConverter.ToUInt16(pareto, 4));
        Assert.Equal(TailModel.GeneralizedPareto, Assert.IsType<AutomaticThresholdStrategy>(Persisted.Load(pareto).Settings.Threshold).Tail);

        byte[] older = Persisted.ClaimingVersion(file, 8);
        Assert.Contains("an automatic threshold with an exponential tail, which exists from format version 9 on, but the file has version 8",
            Assert.Throws<InvalidDataException>(() => Persisted.Load(older)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crc32IsTheStandardOne() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    private static FittedAnomalyDetector AssertRoundTrip(AnomalyDetectorBuilder builder, TimeSeries training, TimeSeries test)
    {
        FittedAnomalyDetector original = builder.Build().Fit(training);
        FittedAnomalyDetector loaded = Persisted.RoundTrip(original);
        Persisted.AssertSameDetection(original, loaded, test);
        Assert.Equal(original.Settings.MissingValues, loaded.Settings.MissingValues);
        Assert.Equal(original.Choices.Window, loaded.Choices.Window);
        Assert.Equal(original.Threshold.Name, loaded.Threshold.Name);
        Assert.Equal(original.Scorer.Name, loaded.Scorer.Name);
        return original;
    }

    private sealed class MyThreshold : IThresholdStrategy
    {
        public string Name => "mine";

        public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores) => Threshold.Quantile(0.99).Fit(calibrationScores);
    }

    private sealed class MyScaler : IScalerStrategy
    {
        public string Name => "mine";

        public FittedScaler Fit(ReadOnlySpan<float> values, int features) => Scaler.Standard().Fit(values, features);
    }

    private sealed class MyNormalization : IScoreNormalization
    {
        public string Name => "mine";

        public IFittedScoreNormalization Fit(ReadOnlySpan<double> calibrationScores, Span<double> normalized) =>
            ScoreNormalization.None.Fit(calibrationScores, normalized);
    }

    private sealed class MyScorer : IAnomalyScorer
    {
        public string Name => "mine";

        public int MinimumLength(int window) => 2;

        public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
            Scorer.Naive().Fit(context, progress, cancellationToken);
    }

    private sealed class MyLoss : ILoss
    {
        public string Name => "mine";

        public int PredictionsPerTarget => 1;

        public LossValue Evaluate(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> predictionGradient) =>
            Loss.Mse.Evaluate(predictions, targets, targetWidth, predictionGradient);

        public void PointLosses(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int targetWidth, Span<float> losses) =>
            Loss.Mse.PointLosses(predictions, targets, targetWidth, losses);
    }
}
