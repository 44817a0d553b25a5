using System.Diagnostics;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;
using GruAnomaly.Training.Optimizers;

namespace GruAnomaly.Benchmarks.Training;

/// <summary>
/// One training epoch of the seed shape on one thread against two: 2×GRU(1→H) + dense head on the last step, 1000 sine
/// windows of 100, batch 32 (two shards of 16), Adam, MSE, no validation. Both give bit-identical weights; only the time
/// differs. Baseline: one thread.
/// </summary>
/// <remarks>
/// On a machine shared with other jobs the wall-clock ratio says little about scaling (two threads only help when two
/// cores are free), so every invocation also records the process's CPU time, and the global cleanup prints the median
/// wall and CPU seconds per epoch: CPU time that two threads do not raise shows the sharding adds no work.
/// <see cref="OneThreadUncut31"/> trains batches of 31, which are not cut (one shard), to price the cut on one thread.
/// <see cref="SerialParts"/> times what a step still does on one thread, for the 32 steps of an epoch: adding the second
/// shard's gradient, the gradient norm, the Adam step and the finite check of the weights (the loss over 32 outputs and
/// the gathering of 32 windows are smaller still). It bounds the speed-up by Amdahl's law.
/// Run: <c>dotnet run -c Release --project benchmarks/GruAnomaly.Benchmarks -- --job short --inProcess --filter '*ParallelEpoch*'</c>.
/// </remarks>
[MemoryDiagnoser]
public class ParallelEpochBenchmarks
{
    private WindowedSeries _data = null!;
    private Trainer _oneThread = null!, _twoThreads = null!, _uncut = null!;
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
        _uncut = new Trainer(options with { BatchSize = 31, MaxDegreeOfParallelism = 1 });
        _network = RecurrentNetwork.CreateGru(1, Hidden, layers: 2, outputSize: 1);
        _parameters = _network.CreateParameters(seed: 1);
        _weights = [.. _parameters];
        _gradient = [.. _parameters.Select(w => w * 1e-3f)];
        _shardGradient = [.. _gradient];
        _adam = new Adam().CreateState(_weights.Length);
    }

    private float[] _weights = [], _gradient = [], _shardGradient = [];
    private IOptimizerState _adam = null!;
    private readonly List<(double Wall, double Cpu)> _times = [];
    private string _case = "";

    [Benchmark(Baseline = true)]
    public TrainingResult OneThread() => Timed(_oneThread, nameof(OneThread));

    [Benchmark]
    public TrainingResult TwoThreads() => Timed(_twoThreads, nameof(TwoThreads));

    /// <summary>
    /// Batches of 31, which are one shard: every matrix product has 31 rows, as before sharding, against two shards of 16.
    /// The same 1000 windows in 33 steps instead of 32, so the cost per example of an uncut batch.
    /// </summary>
    [Benchmark]
    public TrainingResult OneThreadUncut31() => Timed(_uncut, nameof(OneThreadUncut31));

    [Benchmark]
    public float SerialParts()
    {
        _case = nameof(SerialParts);
        float norm = 0;
        for (int step = 0; step < 32; step++)
        {
            TensorPrimitives.Add(_gradient, _shardGradient, _gradient);
            norm += GradientClipping.GlobalNorm(_gradient);
            _adam.Step(_weights, _gradient, 1e-6f);
            norm += TensorPrimitives.IsFiniteAll(_weights) ? 1 : 0;
            _gradient.AsSpan().Fill(1e-4f);
        }

        return norm;
    }

    [GlobalCleanup]
    public void Report()
    {
        if (_times.Count == 0)
        {
            return;
        }

        double wall = Median(_times.Select(t => t.Wall)), cpu = Median(_times.Select(t => t.Cpu));
        Console.WriteLine($"// CPU-TIME {_case} H{Hidden}: {_times.Count} epochs, median wall {wall:F3} s, median CPU {cpu:F3} s, CPU/wall {cpu / wall:F2}");
        _times.Clear();
    }

    private TrainingResult Timed(Trainer trainer, string name)
    {
        _case = name;
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        TrainingResult result = trainer.Fit(_network, _parameters, _data);
        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        _times.Add((wall, (process.TotalProcessorTime - cpuBefore).TotalSeconds));
        return result;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
