using BenchmarkDotNet.Attributes;

using GruAnomaly.Detection;
using GruAnomaly.Scoring;

namespace GruAnomaly.Benchmarks.Detection;

/// <summary>
/// What the plain distance at three lengths costs the default in a stream: the default against the same fusion with the
/// plain distance at the window's length alone (the default until then), on the detector of <see cref="DetectionBenchmarks"/>
/// (window 32, so lengths 32, 16 and 64; GRU(32)) fitted on 10,000 points. Streaming times are per point over 10,000
/// points; creating a stream is timed once per stream, and its allocated bytes are what a stream holds.
/// </summary>
[MemoryDiagnoser]
public class MultiLengthStreamBenchmarks
{
    private const int Points = 10_000;
    private FittedAnomalyDetector _default = null!;
    private FittedAnomalyDetector _oneLength = null!;
    private float[] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        (FittedAnomalyDetector[] fitted, _values) = DetectionBenchmarks.FitOnSine(Points, Scorer.Default(),
            Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(), Scorer.RollingZScore(),
                Scorer.WindowedGaussian(window: 500), Scorer.NearestNeighbour(reference: 2000), Scorer.NearestNeighbour(normalize: true, reference: 2000)));
        (_default, _oneLength) = (fitted[0], fitted[1]);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public StreamPoint StreamOneLength() => DetectorStreamBenchmarks.Stream(_oneLength, _values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamDefault() => DetectorStreamBenchmarks.Stream(_default, _values);

    [Benchmark]
    public DetectorStream CreateStreamOneLength() => _oneLength.CreateStream();

    [Benchmark]
    public DetectorStream CreateStreamDefault() => _default.CreateStream();
}
