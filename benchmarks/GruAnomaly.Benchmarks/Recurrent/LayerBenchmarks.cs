using BenchmarkDotNet.Attributes;

using GruAnomaly.Recurrent;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>
/// One GRU layer over a mini-batch of sequences: 8 inputs, 100 steps, batch 32 (the comparison's layer workloads).
/// Baseline: the inference pass; forward + backward adds the record and backpropagation through time without the
/// input gradient.
/// </summary>
[MemoryDiagnoser]
public class LayerBenchmarks
{
    private const int Steps = 100, Batch = 32, Inputs = 8;
    private RecurrentNetwork _network = null!;
    private NetworkWorkspace _workspace = null!;
    private float[] _parameters = [], _inputs = [], _outputGradients = [], _gradients = [];

    [Params(32, 64, 128, 256, 512)]
    public int Hidden { get; set; }

    [Params(GruVariant.ResetBefore, GruVariant.ResetAfter)]
    public GruVariant Variant { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _network = RecurrentNetwork.CreateGru(Inputs, Hidden, layers: 1, outputSize: null, Variant);
        _parameters = _network.CreateParameters(seed: 1);
        _workspace = _network.CreateWorkspace();
        var random = new Random(1);
        _inputs = [.. Enumerable.Range(0, Steps * Batch * Inputs).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        _outputGradients = new float[Steps * Batch * Hidden];
        Array.Fill(_outputGradients, 1f);
        _gradients = new float[_network.ParameterCount];
    }

    [Benchmark(Baseline = true)]
    public void Forward() => _network.Infer(_parameters, _inputs, Steps, Batch, _workspace);

    [Benchmark]
    public void ForwardBackward()
    {
        Array.Clear(_gradients);
        _network.Forward(_parameters, _inputs, Steps, Batch, _workspace);
        _network.Backward(_parameters, _workspace, _outputGradients, _gradients);
    }
}
