using BenchmarkDotNet.Attributes;

using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Benchmarks.Training;

/// <summary>
/// One training epoch of the seed shape on one thread against two: 2×GRU(1→H) + dense head on the last step, 1000 sine
/// windows of 100, batch 32 (two shards of 16), Adam, MSE, no validation. Both give bit-identical weights; only the time
/// differs. Baseline: one thread.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/GruAnomaly.Benchmarks -- --job short --inProcess --filter '*ParallelEpoch*'</c>.
/// </remarks>
[MemoryDiagnoser]
public class ParallelEpochBenchmarks
{
    private WindowedSeries _data = null!;
    private Trainer _oneThread = null!, _twoThreads = null!;
    private RecurrentNetwork _network = null!;
    private float[] _parameters = [];

    /// <summary>Units per layer.</summary>
    [Params(64, 256)]
    public int Hidden { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        float[] series = [.. Enumerable.Range(0, 1100).Select(i => MathF.Sin(0.1f * i))];
        _data = WindowedSeries.Univariate(series, window: 100);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 32, ValidationFraction = 0, Shuffle = true, Seed = 1 };
        _oneThread = new Trainer(options with { MaxDegreeOfParallelism = 1 });
        _twoThreads = new Trainer(options with { MaxDegreeOfParallelism = 2 });
        _network = RecurrentNetwork.CreateGru(1, Hidden, layers: 2, outputSize: 1);
        _parameters = _network.CreateParameters(seed: 1);
    }

    [Benchmark(Baseline = true)]
    public TrainingResult OneThread() => _oneThread.Fit(_network, _parameters, _data);

    [Benchmark]
    public TrainingResult TwoThreads() => _twoThreads.Fit(_network, _parameters, _data);
}
