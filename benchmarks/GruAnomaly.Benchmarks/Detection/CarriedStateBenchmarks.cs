using BenchmarkDotNet.Attributes;

using GruAnomaly.Benchmarks.Recurrent;
using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace GruAnomaly.Benchmarks.Detection;

/// <summary>
/// The two ways to give the forecaster its context (issue 11), same model (GRU(32)) and window (32), on a 20,000-point
/// sine: the sliding window reruns the network over the last 32 points for every point (Detect batches 128 windows per
/// matrix product; a stream runs one window as a batch of two), the carried state steps the network once per point.
/// Times are per point; baseline: Detect with the sliding window.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PointsPerSecondConfig))]
public class CarriedStateDetectionBenchmarks
{
    private const int Points = 20_000;
    private FittedAnomalyDetector _sliding = null!;
    private FittedAnomalyDetector _carried = null!;
    private float[] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        float[] training = DetectionBenchmarks.Sine(random, 2000);
        _values = DetectionBenchmarks.Sine(random, Points);
        _sliding = DetectionBenchmarks.Builder().Build().Fit(training);
        _carried = DetectionBenchmarks.Builder().WithScorer(Scorer.CarriedStateForecast()).Build().Fit(training);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public DetectionResult DetectSlidingWindow() => _sliding.Detect(_values);

    [Benchmark(OperationsPerInvoke = Points)]
    public DetectionResult DetectCarriedState() => _carried.Detect(_values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamSlidingWindow() => DetectorStreamBenchmarks.Stream(_sliding, _values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamCarriedState() => DetectorStreamBenchmarks.Stream(_carried, _values);
}

/// <summary>
/// One training epoch of each scorer on the same 10,000-point sine (GRU(32), window 32, batch 32, Adam, Gaussian NLL, no
/// validation): the sliding window with stride 1 (every point a target once, 32 steps each), the carried state with its
/// default sequences of four windows (every point a target once, 128-step sequences overlapping by their 32-step burn-in).
/// One epoch per invocation; baseline: the sliding window.
/// </summary>
[MemoryDiagnoser]
public class CarriedStateEpochBenchmarks
{
    private ScorerFitContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        float[] series = DetectionBenchmarks.Sine(new Random(2), 10_000);
        _context = new ScorerFitContext
        {
            Inputs = series,
            Observed = series,
            Features = 1,
            Window = 32,
            Stride = 1,
            Model = Models.Gru(hiddenSize: 32),
            Trainer = new TrainerOptions { Epochs = 1, BatchSize = 32, ValidationFraction = 0, Seed = 1, Loss = Losses.Loss.GaussianNll },
            Logger = NullLogger.Instance,
        };
    }

    [Benchmark(Baseline = true)]
    public IFittedScorer EpochSlidingWindow() => Scorer.Forecast().Fit(_context, progress: null, CancellationToken.None);

    [Benchmark]
    public IFittedScorer EpochCarriedState() => Scorer.CarriedStateForecast().Fit(_context, progress: null, CancellationToken.None);
}
