using BenchmarkDotNet.Attributes;

using GruAnomaly.Benchmarks.Recurrent;
using GruAnomaly.Detection;

namespace GruAnomaly.Benchmarks.Detection;

/// <summary>
/// Many series stepped together with the detector of <see cref="DetectionBenchmarks"/> (forecast, window 32, GRU(32)):
/// one stream per series, each running its window through the network as a batch of two, against one
/// <see cref="DetectorStreamBatch"/> that runs every series' window in one matrix product per step. Both report the same
/// values to the last bit (tested); times are per step (one point of every series).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PointsPerSecondConfig))]
public class DetectorStreamBatchBenchmarks
{
    private const int Steps = 400;
    private FittedAnomalyDetector _detector = null!;
    private float[][] _series = null!;

    [Params(16, 64)]
    public int Series { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _detector = DetectionBenchmarks.Builder().Build().Fit(DetectionBenchmarks.Sine(random, 2000));
        _series = [.. Enumerable.Range(0, Series).Select(_ => DetectionBenchmarks.Sine(random, Steps))];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps)]
    public StreamPoint SeparateStreams()
    {
        DetectorStream[] streams = [.. Enumerable.Range(0, Series).Select(_ => _detector.CreateStream())];
        StreamPoint last = default;
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < streams.Length; i++)
            {
                last = streams[i].Observe(_series[i][t]);
            }
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Steps)]
    public StreamPoint Batch()
    {
        DetectorStreamBatch batch = _detector.CreateStreamBatch(Series);
        var values = new float[Series];
        var results = new StreamPoint[Series];
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = _series[i][t];
            }

            batch.Observe(values, results);
        }

        return results[^1];
    }
}
