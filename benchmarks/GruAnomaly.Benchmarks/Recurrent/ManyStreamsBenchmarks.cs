using BenchmarkDotNet.Attributes;

using GruAnomaly.Recurrent;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>
/// 1000 independent series advanced by one point each through 2×GRU(1→64) + dense head (a service watching many
/// series). Times are per point (OperationsPerInvoke = streams), with a points/s column. Baseline: the general path,
/// <see cref="RecurrentNetwork.Infer"/> with one step over a batch of all streams. Against it: the streamer's batch
/// step on one thread and on two, and 1000 single-stream steps.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PointsPerSecondConfig))]
public class ManyStreamsBenchmarks
{
    private const int Streams = 1000;
    private RecurrentNetwork _network = null!;
    private NetworkStreamer _streamer = null!;
    private NetworkWorkspace _workspace = null!;
    private StreamBatchState _batch = null!;
    private StreamState[] _singles = [];
    private float[] _parameters = [], _inputs = [], _carried = [], _outputs = [];

    [Params(GruVariant.ResetBefore, GruVariant.ResetAfter)]
    public GruVariant Variant { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = RecurrentNetwork.CreateGru(1, 64, layers: 2, outputSize: 1, Variant);
        _parameters = _network.CreateParameters(seed: 1);
        _workspace = _network.CreateWorkspace();
        _streamer = _network.CreateStreamer(_parameters);
        _batch = _streamer.CreateBatchState(Streams);
        _singles = [.. Enumerable.Range(0, Streams).Select(_ => _streamer.CreateState())];
        _inputs = [.. Enumerable.Range(0, Streams).Select(i => MathF.Sin(0.1f * i))];
        _carried = new float[Streams * _network.StateSize];
        _outputs = new float[Streams];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Streams)]
    public void InferBatch()
    {
        _network.Infer(_parameters, _inputs, steps: 1, batchSize: Streams, _workspace, _carried);
        _workspace.CopyFinalStates(_carried);
    }

    [Benchmark(OperationsPerInvoke = Streams)]
    public void StreamerBatch() => _streamer.Step(_batch, _inputs, _outputs);

    [Benchmark(OperationsPerInvoke = Streams)]
    public void StreamerBatchTwoThreads() => _streamer.Step(_batch, _inputs, _outputs, maxDegreeOfParallelism: 2);

    [Benchmark(OperationsPerInvoke = Streams)]
    public void StreamerOneByOne()
    {
        for (int i = 0; i < Streams; i++)
        {
            _streamer.Step(_singles[i], _inputs.AsSpan(i, 1), _outputs.AsSpan(i, 1));
        }
    }
}
