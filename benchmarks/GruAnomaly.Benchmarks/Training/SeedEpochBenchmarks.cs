using BenchmarkDotNet.Attributes;

using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Benchmarks.Training;

/// <summary>
/// One training epoch of the seed model through the <see cref="Trainer"/>: 2×GRU(1→64) + dense head on the last step,
/// 1000 sine windows of 100, batch 32, Adam, MSE, no validation, one thread (as in the earlier reports; threads:
/// <see cref="ParallelEpochBenchmarks"/>). One epoch per invocation; baseline: the classic cell.
/// </summary>
[MemoryDiagnoser]
public class SeedEpochBenchmarks
{
    private WindowedSeries _data = null!;
    private Trainer _trainer = null!;
    private RecurrentNetwork _resetBefore = null!, _resetAfter = null!;
    private float[] _resetBeforeParameters = [], _resetAfterParameters = [];

    [GlobalSetup]
    public void Setup()
    {
        float[] series = [.. Enumerable.Range(0, 1100).Select(i => MathF.Sin(0.1f * i))];
        _data = WindowedSeries.Univariate(series, window: 100);
        _trainer = new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 32, ValidationFraction = 0, Shuffle = true, Seed = 1, MaxDegreeOfParallelism = 1 });
        _resetBefore = RecurrentNetwork.CreateGru(1, 64, layers: 2, outputSize: 1, GruVariant.ResetBefore);
        _resetAfter = RecurrentNetwork.CreateGru(1, 64, layers: 2, outputSize: 1, GruVariant.ResetAfter);
        _resetBeforeParameters = _resetBefore.CreateParameters(seed: 1);
        _resetAfterParameters = _resetAfter.CreateParameters(seed: 1);
    }

    [Benchmark(Baseline = true)]
    public TrainingResult EpochResetBefore() => _trainer.Fit(_resetBefore, _resetBeforeParameters, _data);

    [Benchmark]
    public TrainingResult EpochResetAfter() => _trainer.Fit(_resetAfter, _resetAfterParameters, _data);
}
