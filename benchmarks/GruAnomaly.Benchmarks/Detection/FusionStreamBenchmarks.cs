using BenchmarkDotNet.Attributes;

using GruAnomaly.Detection;
using GruAnomaly.Scoring;

namespace GruAnomaly.Benchmarks.Detection;

/// <summary>
/// What a stream of the best fusion of issue 10's quality benchmark costs against the default's: the forecast, rolling
/// z-score, windowed Gaussian (500 points) and both nearest-neighbour distances, calibrated per point, against the
/// forecast and rolling z-score. Both on the detector of <see cref="DetectionBenchmarks"/> (window 32, GRU(32)), fitted on
/// 10,000 points, so that the nearest-neighbour references are as long as they get (the scorer keeps the last 10,000
/// training steps), and the same fusion with references of the last 2000 steps. Streaming times are per point over 10,000 points; creating a stream is timed once per stream, and its
/// allocated bytes are what a stream holds.
/// </summary>
[MemoryDiagnoser]
public class FusionStreamBenchmarks
{
    private const int Points = 10_000;
    private FittedAnomalyDetector _default = null!;
    private FittedAnomalyDetector _neighbours = null!;
    private FittedAnomalyDetector _shorterReference = null!;
    private float[] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        float[] training = DetectionBenchmarks.Sine(random, 10_000);
        _values = DetectionBenchmarks.Sine(random, Points);
        _default = DetectionBenchmarks.Builder().WithScorer(Scorer.Default()).Build().Fit(training);
        _neighbours = DetectionBenchmarks.Builder().WithScorer(FivePart(NearestNeighbourScorer.MaximumReference)).Build().Fit(training);
        _shorterReference = DetectionBenchmarks.Builder().WithScorer(FivePart(2000)).Build().Fit(training);

        static IAnomalyScorer FivePart(int reference) => Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(),
            Scorer.RollingZScore(), Scorer.WindowedGaussian(window: 500), Scorer.NearestNeighbour(reference: reference),
            Scorer.NearestNeighbour(normalize: true, reference: reference));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public StreamPoint StreamDefault() => DetectorStreamBenchmarks.Stream(_default, _values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamWithNeighboursPerPoint() => DetectorStreamBenchmarks.Stream(_neighbours, _values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamWithNeighboursOver2000PerPoint() => DetectorStreamBenchmarks.Stream(_shorterReference, _values);

    [Benchmark]
    public DetectorStream CreateStreamDefault() => _default.CreateStream();

    [Benchmark]
    public DetectorStream CreateStreamWithNeighboursPerPoint() => _neighbours.CreateStream();

    [Benchmark]
    public DetectorStream CreateStreamWithNeighboursOver2000PerPoint() => _shorterReference.CreateStream();
}
