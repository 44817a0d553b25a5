using BenchmarkDotNet.Attributes;

using GruAnomaly.Detection;
using GruAnomaly.Scoring;

namespace GruAnomaly.Benchmarks.Detection;

/// <summary>
/// What the sliding nearest-neighbour distance costs in a stream: the default scorer (the plain distance at three lengths
/// since 2026-12-03; the committed results are of the one-length default) against the one-length default with the sliding
/// distance as a sixth part, and the sliding distance alone, on the detector of <see cref="DetectionBenchmarks"/> (window
/// 32, GRU(32)) fitted on 10,000 points. Streaming times are per point over 10,000 points; creating a stream is timed once
/// per stream, and its allocated bytes are what a stream holds.
/// </summary>
[MemoryDiagnoser]
public class SlidingNeighbourStreamBenchmarks
{
    private const int Points = 10_000;
    private FittedAnomalyDetector _default = null!;
    private FittedAnomalyDetector _withSliding = null!;
    private FittedAnomalyDetector _slidingAlone = null!;
    private float[] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        (FittedAnomalyDetector[] fitted, _values) = DetectionBenchmarks.FitOnSine(Points, Scorer.Default(),
            Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(), Scorer.RollingZScore(),
                Scorer.WindowedGaussian(window: 500), Scorer.NearestNeighbour(reference: 2000), Scorer.NearestNeighbour(normalize: true, reference: 2000),
                Scorer.SlidingNearestNeighbour()),
            Scorer.SlidingNearestNeighbour());
        (_default, _withSliding, _slidingAlone) = (fitted[0], fitted[1], fitted[2]);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public StreamPoint StreamDefault() => DetectorStreamBenchmarks.Stream(_default, _values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamDefaultWithSliding() => DetectorStreamBenchmarks.Stream(_withSliding, _values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamSlidingAlone() => DetectorStreamBenchmarks.Stream(_slidingAlone, _values);

    [Benchmark]
    public DetectorStream CreateStreamDefault() => _default.CreateStream();

    [Benchmark]
    public DetectorStream CreateStreamDefaultWithSliding() => _withSliding.CreateStream();

    [Benchmark]
    public DetectorStream CreateStreamSlidingAlone() => _slidingAlone.CreateStream();
}
