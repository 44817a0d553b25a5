using BenchmarkDotNet.Attributes;

using GruAnomaly.Recurrent;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>
/// Streaming one series point by point through 2×GRU(1→64), batch 1, carrying the state (the comparison's
/// stream_point). Baseline: the general path, <see cref="RecurrentNetwork.Infer"/> with one step per call (which
/// validates all weights every call); against it the <see cref="NetworkStreamer"/>. Times are per point.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PointsPerSecondConfig))]
public class StreamingBenchmarks
{
    private const int Points = 1000;
    private RecurrentNetwork _network = null!;
    private NetworkStreamer _streamer = null!;
    private NetworkWorkspace _workspace = null!;
    private StreamState _state = null!;
    private float[] _parameters = [], _values = [], _carried = [], _output = [];

    [Params(GruVariant.ResetBefore, GruVariant.ResetAfter)]
    public GruVariant Variant { get; set; }

    [Params(false, true)]
    public bool Head { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = RecurrentNetwork.CreateGru(1, 64, layers: 2, outputSize: Head ? 1 : null, Variant);
        _parameters = _network.CreateParameters(seed: 1);
        _workspace = _network.CreateWorkspace();
        _streamer = _network.CreateStreamer(_parameters);
        _state = _streamer.CreateState();
        _values = [.. Enumerable.Range(0, Points).Select(i => MathF.Sin(0.1f * i))];
        _carried = new float[_network.StateSize];
        _output = new float[_network.OutputSize];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public void InferOneStep()
    {
        for (int i = 0; i < Points; i++)
        {
            _network.Infer(_parameters, _values.AsSpan(i, 1), steps: 1, batchSize: 1, _workspace, _carried);
            _workspace.CopyFinalStates(_carried);
        }
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public void Streamer()
    {
        for (int i = 0; i < Points; i++)
        {
            _streamer.Step(_state, _values.AsSpan(i, 1), _output);
        }
    }
}
