using BenchmarkDotNet.Attributes;

using GruAnomaly.Detection;
using GruAnomaly.Scoring;

namespace GruAnomaly.Benchmarks.Detection;

/// <summary>
/// What a stream of the default scorer costs against the previous default's: the forecast, rolling z-score, windowed
/// Gaussian (500 points) and both nearest-neighbour distances over the last 2000 training steps, calibrated per point
/// (the plain one at three lengths since 2026-12-03; the committed results are of the one-length default), against the
/// forecast fused with the rolling z-score; and the same five parts, one length, with the nearest-neighbour references
/// as long as they get (the last 10,000 training steps). All on the detector of <see cref="DetectionBenchmarks"/> (window 32,
/// GRU(32)), fitted on 10,000 points. Streaming times are per point over 10,000 points; creating a stream is timed once
/// per stream, and its allocated bytes are what a stream holds.
/// </summary>
[MemoryDiagnoser]
public class FusionStreamBenchmarks
{
    private const int Points = 10_000;
    private FittedAnomalyDetector _previousDefault = null!;
    private FittedAnomalyDetector _default = null!;
    private FittedAnomalyDetector _fullReference = null!;
    private float[] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        (FittedAnomalyDetector[] fitted, _values) = DetectionBenchmarks.FitOnSine(Points, Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore()),
            Scorer.Default(),
            Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(), Scorer.RollingZScore(),
                Scorer.WindowedGaussian(window: 500), Scorer.NearestNeighbour(), Scorer.NearestNeighbour(normalize: true)));
        (_previousDefault, _default, _fullReference) = (fitted[0], fitted[1], fitted[2]);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public StreamPoint StreamPreviousDefault() => DetectorStreamBenchmarks.Stream(_previousDefault, _values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamDefault() => DetectorStreamBenchmarks.Stream(_default, _values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamDefaultWithFullReference() => DetectorStreamBenchmarks.Stream(_fullReference, _values);

    [Benchmark]
    public DetectorStream CreateStreamPreviousDefault() => _previousDefault.CreateStream();

    [Benchmark]
    public DetectorStream CreateStreamDefault() => _default.CreateStream();

    [Benchmark]
    public DetectorStream CreateStreamDefaultWithFullReference() => _fullReference.CreateStream();
}
