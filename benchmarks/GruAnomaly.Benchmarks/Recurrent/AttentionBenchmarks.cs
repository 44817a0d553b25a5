using BenchmarkDotNet.Attributes;

using GruAnomaly.Recurrent;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>
/// A forecast network as the detector builds it (1 input, GRU(64), a head of 2 outputs for the Gaussian NLL) over a
/// window of 64 steps, with its head reading the last step (baseline) or attention pooling of size 16 over every step.
/// Batch 2 is what a streamed point costs (the forecast stream reruns its window as a batch of two); batch 32 is a
/// training mini-batch.
/// </summary>
[MemoryDiagnoser]
public class AttentionBenchmarks
{
    private const int Steps = 64, Inputs = 1, Hidden = 64, Outputs = 2, Attention = 16;
    private RecurrentNetwork _plain = null!, _attention = null!;
    private NetworkWorkspace _plainWorkspace = null!, _attentionWorkspace = null!;
    private float[] _plainParameters = [], _attentionParameters = [], _inputs = [], _outputGradients = [];
    private float[] _plainGradients = [], _attentionGradients = [];

    [Params(2, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plain = RecurrentNetwork.CreateGru(Inputs, Hidden, layers: 1, outputSize: Outputs);
        _attention = new RecurrentNetwork(_plain.Layers, new DenseHead(Hidden, Outputs), new AttentionPooling(Hidden, Attention));
        _plainParameters = _plain.CreateParameters(seed: 1);
        _attentionParameters = _attention.CreateParameters(seed: 1);
        _plainWorkspace = _plain.CreateWorkspace();
        _attentionWorkspace = _attention.CreateWorkspace();
        var random = new Random(1);
        _inputs = [.. Enumerable.Range(0, Steps * Batch * Inputs).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        _outputGradients = new float[Batch * Outputs];
        Array.Fill(_outputGradients, 1f);
        _plainGradients = new float[_plain.ParameterCount];
        _attentionGradients = new float[_attention.ParameterCount];
    }

    [Benchmark(Baseline = true)]
    public void LastStepInfer() => _plain.Infer(_plainParameters, _inputs, Steps, Batch, _plainWorkspace);

    [Benchmark]
    public void AttentionInfer() => _attention.Infer(_attentionParameters, _inputs, Steps, Batch, _attentionWorkspace);

    [Benchmark]
    public void LastStepForwardBackward()
    {
        Array.Clear(_plainGradients);
        _plain.Forward(_plainParameters, _inputs, Steps, Batch, _plainWorkspace);
        _plain.Backward(_plainParameters, _plainWorkspace, _outputGradients, _plainGradients);
    }

    [Benchmark]
    public void AttentionForwardBackward()
    {
        Array.Clear(_attentionGradients);
        _attention.Forward(_attentionParameters, _inputs, Steps, Batch, _attentionWorkspace);
        _attention.Backward(_attentionParameters, _attentionWorkspace, _outputGradients, _attentionGradients);
    }
}
