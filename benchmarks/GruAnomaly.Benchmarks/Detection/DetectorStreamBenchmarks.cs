using BenchmarkDotNet.Attributes;

using GruAnomaly.Benchmarks.Recurrent;
using GruAnomaly.Detection;
using GruAnomaly.Scoring;

namespace GruAnomaly.Benchmarks.Detection;

/// <summary>
/// Streaming detection against batch detection of the same 10,000-point series with the detector of
/// <see cref="DetectionBenchmarks"/> (window 32, GRU(32), POT threshold): a stream runs the network over a whole window
/// (as a batch of two) for every point, where Detect runs 128 windows per matrix product. Times are per point; baseline:
/// Detect. The rolling z-score stream shows the cost of the decision path without a network.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PointsPerSecondConfig))]
public class DetectorStreamBenchmarks
{
    private const int Points = 10_000;
    private FittedAnomalyDetector _forecast = null!;
    private FittedAnomalyDetector _rolling = null!;
    private float[] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        float[] training = DetectionBenchmarks.Sine(random, 2000);
        _values = DetectionBenchmarks.Sine(random, Points);
        _forecast = DetectionBenchmarks.Builder().Build().Fit(training);
        _rolling = DetectionBenchmarks.Builder().WithScorer(Scorer.RollingZScore()).Build().Fit(training);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public DetectionResult Detect() => _forecast.Detect(_values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamForecast() => Stream(_forecast, _values);

    [Benchmark(OperationsPerInvoke = Points)]
    public StreamPoint StreamRollingZScore() => Stream(_rolling, _values);

    /// <summary>Every value through a new stream of <paramref name="detector"/>; the last point, so that nothing is optimised away.</summary>
    internal static StreamPoint Stream(FittedAnomalyDetector detector, float[] values)
    {
        DetectorStream stream = detector.CreateStream();
        StreamPoint last = default;
        foreach (float value in values)
        {
            last = stream.Observe(value);
        }

        return last;
    }
}
