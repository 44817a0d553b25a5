using BenchmarkDotNet.Attributes;

using GruAnomaly.Benchmarks.Recurrent;
using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Benchmarks.Detection;

/// <summary>
/// Batch detection throughput: a fitted detector (window 32, GRU(32), POT threshold) scores a 10,000-point series:
/// scaling, missing-value fill, the model over every window, combination, threshold, events. Times are per point
/// (OperationsPerInvoke), with a points/s column. Baseline: forecast scoring; against it, reconstruction scoring.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PointsPerSecondConfig))]
public class DetectionBenchmarks
{
    private const int Points = 10_000;
    private FittedAnomalyDetector _forecast = null!;
    private FittedAnomalyDetector _reconstruction = null!;
    private TimeSeries _series = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        float[] training = Sine(random, 2000);
        _series = TimeSeries.Univariate(Sine(random, Points));
        _forecast = Builder().Build().Fit(training);
        _reconstruction = Builder().WithScorer(Scorer.Reconstruction()).Build().Fit(training);
    }

    /// <summary>The benchmarks' detector: the forecast scorer alone, window 32, GRU(32), two epochs, POT threshold.</summary>
    internal static AnomalyDetectorBuilder Builder() => AnomalyDetector.CreateBuilder()
        .WithScorer(Scorer.Forecast())
        .WithWindow(32)
        .WithModel(Models.Gru(hiddenSize: 32))
        .WithTrainer(new TrainerOptions { Epochs = 2, Seed = 1 })
        .WithThreshold(Threshold.PeaksOverThreshold(riskLevel: 1e-3));

    /// <summary>A sine of period 40 with uniform noise.</summary>
    internal static float[] Sine(Random random, int length) =>
        [.. Enumerable.Range(0, length).Select(t => MathF.Sin(t * 0.157f) + (0.1f * (float)(random.NextDouble() - 0.5)))];

    /// <summary>
    /// The stream-cost benchmarks' setup: the benchmarks' detector with each scorer, fitted on 10,000 points of
    /// <see cref="Sine"/>, and <paramref name="points"/> more points to stream, from one seeded generator.
    /// </summary>
    internal static (FittedAnomalyDetector[] Detectors, float[] Values) FitOnSine(int points, params IAnomalyScorer[] scorers)
    {
        var random = new Random(1);
        float[] training = Sine(random, 10_000);
        float[] values = Sine(random, points);
        return ([.. scorers.Select(scorer => Builder().WithScorer(scorer).Build().Fit(training))], values);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public DetectionResult Forecast() => _forecast.Detect(_series);

    [Benchmark(OperationsPerInvoke = Points)]
    public DetectionResult Reconstruction() => _reconstruction.Detect(_series);
}
