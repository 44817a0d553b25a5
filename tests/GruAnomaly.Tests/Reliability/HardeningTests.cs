using GruAnomaly.Detection;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Tests.Reliability;

/// <summary>The defects of issue 13 ("Hardening"), one test (or theory) each.</summary>
public sealed class HardeningTests
{
    private static readonly TrainerOptions OneEpoch = new() { Epochs = 2, BatchSize = 32, Seed = 1 };

    private static AnomalyDetectorBuilder Tiny() => AnomalyDetector.CreateBuilder()
        .WithWindow(8)
        .WithModel(Models.Gru(hiddenSize: 4))
        .WithTrainer(OneEpoch);

    private static TimeSeries Series(int length, int seed = 1) => new(Synthetic.Normal(length, seed));

    /// <summary>The number of progress reports of one fit of <see cref="Tiny"/> on <see cref="Series"/>(300).</summary>
    private static int ReportsOfOneFit()
    {
        var counter = new CallbackProgress(_ => { });
        Tiny().Build().Fit(Series(300), counter);
        return counter.Calls;
    }

    public static TheoryData<string> CallPoints => ["first", "middle", "last"];

    private static int CallIndex(string point, int total) => point switch
    {
        "first" => 1,
        "middle" => (total + 1) / 2,
        _ => total,
    };

    // Issue 13, item 1: an ArgumentException thrown by the caller's progress sink came back as "The training series …
    // is not enough to train the forecast scorer".
    [Theory]
    [MemberData(nameof(CallPoints))]
    public async Task AnExceptionOfTheProgressCallbackReachesTheCallerAsItself(string point)
    {
        int total = ReportsOfOneFit();
        Assert.True(total >= 3, $"the fit reports {total} times");
        int at = CallIndex(point, total);
        var thrown = new ArgumentException("the progress sink is full", "value");
        var progress = new CallbackProgress(call =>
        {
            if (call == at)
            {
                throw thrown;
            }
        });

        var caught = Assert.Throws<ArgumentException>(() => Tiny().Build().Fit(Series(300), progress));
        Assert.Same(thrown, caught);
        Assert.Equal(at, progress.Calls);

        var other = new InvalidOperationException("not now");
        var asynchronous = await Assert.ThrowsAsync<InvalidOperationException>(() => Tiny().Build().FitAsync(Series(300),
            new CallbackProgress(call => { if (call == at) throw other; }), TestContext.Current.CancellationToken));
        Assert.Same(other, asynchronous);
    }

    // A cancellation-token callback runs inside CancellationTokenSource.Cancel: when the caller cancels from the
    // progress callback, what the registrations throw is the caller's too.
    [Theory]
    [MemberData(nameof(CallPoints))]
    public void CancellationFromTheCallbackAndThrowingRegistrationsPropagateUnchanged(string point)
    {
        int at = CallIndex(point, ReportsOfOneFit());
        using var quiet = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Tiny().Build().Fit(Series(300),
            new CallbackProgress(call => { if (call == at) quiet.Cancel(); }), quiet.Token));

        using var loud = new CancellationTokenSource();
        var registered = new ArgumentException("registration failed");
        using CancellationTokenRegistration registration = loud.Token.Register(() => throw registered);
        var caught = Assert.Throws<AggregateException>(() => Tiny().Build().Fit(Series(300),
            new CallbackProgress(call => { if (call == at) loud.Cancel(); }), loud.Token));
        Assert.Same(registered, Assert.Single(caught.InnerExceptions));
    }

    // Decision: logging never aborts a fit; a throwing logger's events are dropped (documented on WithLogger and Trainer).
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(-1)]
    public void ALoggerThatThrowsNeitherAbortsNorChangesAFit(int throwFromCall)
    {
        TimeSeries training = Series(300), test = Series(120, seed: 2);
        DetectionResult quiet = Tiny().Build().Fit(training).Detect(test);
        var logger = new ThrowingLogger(throwFromCall);
        DetectionResult logged = Tiny().WithLogger(logger).WithOnlineAdaptation(new OnlineAdaptation { Every = 40, Recent = 40, Epochs = 1 })
            .Build().Fit(training).Detect(test);

        Assert.True(logger.Calls > 1, "the logger was called");
        Assert.Equal(quiet.Length, logged.Length);
        var trainer = new Trainer(OneEpoch, new ThrowingLogger(throwFromCall));
        var network = RecurrentNetwork.CreateGru(1, 4, outputSize: 1);
        var data = GruAnomaly.Data.WindowedSeries.Univariate(Synthetic.Normal(200, seed: 3), window: 8);
        Assert.Equal(StopReason.Completed, trainer.Fit(network, network.CreateParameters(1), data).History.StopReason);
    }

    // Issue 13, item 2: a restored GRU state must be one the cell can produce.
    [Fact]
    public void RestoringAStateOutsideWhatTheCellProducesIsRefused()
    {
        var network = RecurrentNetwork.CreateGru(2, 3, layers: 2, outputSize: 1);
        var streamer = new NetworkStreamer(network, network.CreateParameters(4));
        StreamState state = streamer.CreateState();
        foreach (float bad in new[] { 1e30f, float.MaxValue, -1.0001f, 1.0000001f })
        {
            float[] saved = new float[state.StateSize];
            saved[4] = bad;
            var exception = Assert.Throws<ArgumentOutOfRangeException>(() => state.RestoreFrom(saved, 10));
            Assert.Equal("hiddenState", exception.ParamName);
            Assert.Contains("layer 1, unit 1", exception.Message, StringComparison.Ordinal);
            Assert.Contains("[-1, 1]", exception.Message, StringComparison.Ordinal);
            StreamBatchState batch = streamer.CreateBatchState(2);
            Assert.Throws<ArgumentOutOfRangeException>(() => batch.RestoreStream(1, saved, 10));
        }

        Assert.Throws<ArgumentException>(() => state.RestoreFrom([float.NaN, 0, 0, 0, 0, 0], 0));
        state.RestoreFrom([1f, -1f, 0.5f, 0f, 1f, -1f], 3);

        // Every state a stream reaches, even from inputs of 1e38, restores: the bound is what the cells produce.
        var random = new Random(5);
        float[] output = new float[1], copy = new float[state.StateSize];
        for (int t = 0; t < 500; t++)
        {
            float scale = t % 3 == 0 ? 1e38f : 10f;
            streamer.Step(state, [(float)(random.NextDouble() - 0.5) * scale, (float)(random.NextDouble() - 0.5) * scale], output);
            state.CopyTo(copy);
            state.RestoreFrom(copy, state.StepsSeen);
            Assert.True(float.IsFinite(output[0]));
        }
    }

    [Fact]
    public void ACustomCellWithoutAStateBoundAcceptsAnyFiniteState()
    {
        var network = new RecurrentNetwork([new GruAnomaly.Tests.Recurrent.MinimalGatedUnitCell(1, 2)], new DenseHead(2, 1));
        Assert.Equal(float.PositiveInfinity, ((IRecurrentCell)network.Layers[0]).StateBound);
        StreamState state = new NetworkStreamer(network, network.CreateParameters(1)).CreateState();
        state.RestoreFrom([1e30f, -3f], 0);
        Assert.Equal(1e30f, state.HiddenState[0]);
    }

    // Issue 13, item 3: sizes from the caller are multiplied in 64 bits and refused by name.
    [Fact]
    public void HugeSizesAreRefusedWithTheLimitInsteadOfOverflowing()
    {
        var network = RecurrentNetwork.CreateGru(3, 5, outputSize: 1);
        var streamer = new NetworkStreamer(network, network.CreateParameters(1));
        foreach (int streams in new[] { int.MaxValue, (int)((1L << 32) / 5 + 1), Array.MaxLength / 5 + 1 })
        {
            var exception = Assert.Throws<ArgumentOutOfRangeException>(() => streamer.CreateBatchState(streams));
            Assert.Equal("streams", exception.ParamName);
            Assert.Contains("Array.MaxLength", exception.Message, StringComparison.Ordinal);
        }

        var cell = Assert.Throws<ArgumentOutOfRangeException>(() => new GruCell(1, 1 << 16));
        Assert.Contains("Array.MaxLength", cell.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GruResetAfterCell(int.MaxValue, 1));

        foreach (IAnomalyScorer scorer in new[] { Scorer.Default(), Scorer.Forecast(), Scorer.Reconstruction() })
        {
            var window = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithScorer(scorer).WithLoss(GruAnomaly.Losses.Loss.Mse)
                .WithWindow(int.MaxValue).Build());
            Assert.Contains("window must be at most", window.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("-2147", window.Message, StringComparison.Ordinal);
        }

        // A model that no array can hold is refused when the fit creates it, by name, not blamed on the data.
        var model = Assert.Throws<ArgumentOutOfRangeException>(() => Tiny().WithModel(Models.Gru(hiddenSize: 1 << 15)).Build().Fit(Series(100)));
        Assert.Contains("Array.MaxLength", model.Message, StringComparison.Ordinal);
    }

    // Issue 13, item 4: Build lists every invalid choice, the factories' arguments included.
    [Fact]
    public void BuildListsTheInvalidArgumentsOfEveryFactoryAtOnce()
    {
        var exception = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder()
            .WithWindow(0)
            .WithModel(Models.Gru(hiddenSize: -1))
            .WithThreshold(Threshold.PeaksOverThreshold(riskLevel: 0))
            .WithScorer(Scorer.Fusion(Scorer.Forecast(horizon: 0), Scorer.RollingZScore(window: -2)))
            .WithScoreNormalization(ScoreNormalization.RobustZ(history: 3))
            .WithScaler(Scaler.MinMax(1, 0))
            .Build());
        string message = exception.Message;
        foreach (string expected in new[]
        {
            "WithWindow: window must be at least 1",
            "WithModel: Models.Gru: hiddenSize",
            "WithThreshold: Threshold.PeaksOverThreshold: riskLevel must be in (0, 1 − initialQuantile)",
            "WithScorer: Scorer.Forecast: horizon",
            "WithScorer: Scorer.RollingZScore: window",
            "WithScoreNormalization: ScoreNormalization.RobustZ: history",
            "WithScaler: Scaler.MinMax: max",
        })
        {
            Assert.Contains(expected, message, StringComparison.Ordinal);
        }

        foreach (IThresholdStrategy threshold in new IThresholdStrategy[]
        {
            Threshold.PeaksOverThreshold(riskLevel: 1), Threshold.Quantile(1.5), Threshold.Automatic(0.5), Threshold.Fixed(double.NaN),
            Threshold.MeanPlusSigma(double.PositiveInfinity), Threshold.MedianPlusMad(double.NaN), Threshold.StreamingPeaksOverThreshold(-1),
            Threshold.DriftingPeaksOverThreshold(0, 1e-3), Threshold.FalseAlarmBudget(2), Threshold.FalseAlarmBudget(0, TimeSpan.FromDays(1), TimeSpan.FromSeconds(1)),
            Threshold.Dynamic(new DynamicThresholdOptions { ZStep = 0 }),
        })
        {
            var refused = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithThreshold(threshold).WithModel(Models.Cells(" ", 0, null!)).Build());
            Assert.Contains("WithThreshold: Threshold.", refused.Message, StringComparison.Ordinal);
            Assert.Contains("WithModel: Models.Cells", refused.Message, StringComparison.Ordinal);
            // Used on its own, the strategy refuses to fit, naming the problem.
            Assert.Contains("invalid argument", Assert.Throws<ArgumentException>(() => threshold.Fit([1, 2, 3])).Message, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, int?> ThresholdsAndWindows()
    {
        var data = new TheoryData<string, int?>();
        foreach (string name in Thresholds.Keys)
        {
            data.Add(name, null);
            data.Add(name, 8);
        }

        return data;
    }

    private static readonly Dictionary<string, IThresholdStrategy> Thresholds = new()
    {
        ["default"] = Threshold.Automatic(AnomalyDetectorBuilder.DefaultRiskLevel),
        ["Fixed"] = Threshold.Fixed(3),
        ["MeanPlusSigma"] = Threshold.MeanPlusSigma(),
        ["Quantile"] = Threshold.Quantile(0.99),
        ["MedianPlusMad"] = Threshold.MedianPlusMad(),
        ["PeaksOverThreshold"] = Threshold.PeaksOverThreshold(),
        ["StreamingPeaksOverThreshold"] = Threshold.StreamingPeaksOverThreshold(1e-3),
        ["DriftingPeaksOverThreshold"] = Threshold.DriftingPeaksOverThreshold(10, 1e-3),
        ["Dynamic"] = Threshold.Dynamic(),
        ["FalseAlarmBudget"] = Threshold.FalseAlarmBudget(0.01),
        ["FalseAlarmBudget(0.05)"] = Threshold.FalseAlarmBudget(0.05),
    };

    // Issue 13, item 5: a series of exactly MinimumTrainingLength fits, with the default detector and every threshold.
    [Theory]
    [MemberData(nameof(ThresholdsAndWindows))]
    public void ASeriesOfExactlyTheMinimumTrainingLengthFits(string threshold, int? window)
    {
        AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder().WithModel(Models.Gru(hiddenSize: 4))
            .WithTrainer(new TrainerOptions { Epochs = 1, Seed = 2 }).WithThreshold(Thresholds[threshold]);
        if (window is int w)
        {
            builder.WithWindow(w);
        }

        AnomalyDetector detector = builder.Build();
        int minimum = detector.MinimumTrainingLength;
        FittedAnomalyDetector fitted = detector.Fit(Series(minimum, seed: 7));
        Assert.True(fitted.CalibrationScores >= Thresholds[threshold].MinimumCalibrationScores);
        var tooShort = Assert.Throws<ArgumentException>(() => detector.Fit(Series(minimum - 1, seed: 7)));
        Assert.Contains($"needs at least {minimum}", tooShort.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConstantSeriesFitsWithTheDefaultThresholdAndIsExplainedOtherwise()
    {
        var constant = new TimeSeries(Enumerable.Repeat(3f, 1200).ToArray());
        FittedAnomalyDetector fitted = Tiny().Build().Fit(constant);
        Assert.True(fitted.Detect(constant).Flags.ToArray().All(flag => !flag), "no alarm on the series it was fitted on");
        AnomalyDetector.CreateBuilder().WithModel(Models.Gru(hiddenSize: 4)).WithTrainer(OneEpoch).Build().Fit(constant);

        var exception = Assert.Throws<ArgumentException>(() => Tiny().WithThreshold(Threshold.PeaksOverThreshold()).Build().Fit(constant));
        Assert.Contains("constant", exception.Message, StringComparison.Ordinal);
        Assert.Contains("would not help", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a longer series gives more", exception.Message, StringComparison.Ordinal);
    }

    private sealed class CallbackProgress(Action<int> onCall) : IProgress<TrainingProgress>
    {
        public int Calls { get; private set; }

        public void Report(TrainingProgress value) => onCall(++Calls);
    }

    /// <summary>Throws from every member from call <c>throwFromCall</c> on (0 = always; −1 = only IsEnabled and BeginScope).</summary>
    private sealed class ThrowingLogger(int throwFromCall) : ILogger
    {
        public int Calls { get; private set; }

        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull => throw new InvalidOperationException("scope");

        public bool IsEnabled(LogLevel logLevel) => ++Calls > 0 && throwFromCall < 0 ? throw new FormatException("enabled?") : true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Calls++;
            if (throwFromCall >= 0 && Calls > throwFromCall)
            {
                throw new ArgumentException($"log sink failed at call {Calls}", nameof(state));
            }
        }
    }
}
