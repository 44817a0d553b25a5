using BenchmarkDotNet.Attributes;

using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>
/// The fused small-hidden GRU step (<c>GruStepKernels</c>) against the unfused path it replaces, in one run: one
/// GRU layer of either form, 8 inputs, 100 steps, batch 32 (the comparison's <c>layer_f</c> / <c>layer_fb</c> workloads), and
/// one step of the cell. The unfused path is the same cell on a provider that forwards every product to the managed
/// GEMM: cells take the fused kernel only on <see cref="ManagedMatrixProvider"/>, so this is the code that ran before.
/// Hidden 128 is above the cells' threshold (the fused kernel is called directly there, to show why it stops at 64).
/// </summary>
[MemoryDiagnoser]
public class FusedStepBenchmarks
{
    private const int Steps = 100, Batch = 32, Inputs = 8;
    private readonly ForwardingProvider _forwarding = new();
    private RecurrentNetwork _fused = null!, _unfused = null!;
    private NetworkWorkspace _workspace = null!, _unfusedWorkspace = null!;
    private IRecurrentCell _cell = null!;
    private float[] _parameters = [], _inputs = [], _outputGradients = [], _gradients = [];
    private float[] _projection = [], _previous = [], _state = [], _scratch = [];

    [Params(32, 64, 128)]
    public int Hidden { get; set; }

    [Params(GruVariant.ResetAfter, GruVariant.ResetBefore)]
    public GruVariant Variant { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fused = RecurrentNetwork.CreateGru(Inputs, Hidden, layers: 1, outputSize: null, Variant);
        _unfused = RecurrentNetwork.CreateGru(Inputs, Hidden, layers: 1, outputSize: null, Variant, matrixProvider: _forwarding);
        _parameters = _fused.CreateParameters(seed: 1);
        _workspace = _fused.CreateWorkspace();
        _unfusedWorkspace = _unfused.CreateWorkspace();
        var random = new Random(1);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        _inputs = Values(Steps * Batch * Inputs);
        _outputGradients = new float[Steps * Batch * Hidden];
        Array.Fill(_outputGradients, 1f);
        _gradients = new float[_fused.ParameterCount];

        _cell = _fused.Layers[0];
        _projection = new float[Batch * _cell.InputProjectionSize];
        _cell.ProjectInputs(_parameters, _inputs.AsSpan(0, Batch * Inputs), Batch, _projection, ManagedMatrixProvider.Instance);
        _previous = Values(Batch * Hidden);
        _state = new float[Batch * Hidden];
        _scratch = new float[Batch * _cell.ScratchSize];
    }

    [Benchmark(Baseline = true)]
    public void LayerForwardUnfused() => _unfused.Infer(_parameters, _inputs, Steps, Batch, _unfusedWorkspace);

    [Benchmark]
    public void LayerForwardFused() => _fused.Infer(_parameters, _inputs, Steps, Batch, _workspace);

    [Benchmark]
    public void LayerForwardBackwardUnfused() => ForwardBackward(_unfused, _unfusedWorkspace);

    [Benchmark]
    public void LayerForwardBackwardFused() => ForwardBackward(_fused, _workspace);

    [Benchmark]
    public void StepInferUnfused() => Infer(_forwarding);

    [Benchmark]
    public void StepInferFused() => StepKernel(SimdLevels.Best);

    /// <summary>The kernel at 256 bits, as on a Zen 3 host (AVX2 + FMA, no AVX-512).</summary>
    [Benchmark]
    public void StepInferFusedVector256() => StepKernel(SimdLevel.Vector256);

    [Benchmark]
    public void StepInferFusedVector128() => StepKernel(SimdLevel.Vector128);

    private void ForwardBackward(RecurrentNetwork network, NetworkWorkspace workspace)
    {
        Array.Clear(_gradients);
        network.Forward(_parameters, _inputs, Steps, Batch, workspace);
        network.Backward(_parameters, workspace, _outputGradients, _gradients);
    }

    private void Infer(IMatrixProvider matrix) => _cell.Infer(new CellInference
    {
        BatchSize = Batch, Parameters = _parameters, Input = _inputs.AsSpan(0, Batch * Inputs), InputProjection = _projection,
        PreviousState = _previous, State = _state, Scratch = _scratch, Matrix = matrix,
    });

    private void StepKernel(SimdLevel level)
    {
        int h = Hidden, gates = 3 * h, recurrent = Inputs * gates;
        ReadOnlySpan<float> parameters = _parameters;
        if (Variant == GruVariant.ResetAfter)
        {
            GruStepKernels.ResetAfter(level, Batch, h, _previous, parameters.Slice(recurrent, h * gates),
                parameters.Slice(recurrent + (h * gates) + gates, gates), _projection, _state, default);
        }
        else
        {
            GruStepKernels.ResetBefore(level, Batch, h, _previous, parameters.Slice(recurrent, h * gates), _projection, _state, _scratch, recording: false);
        }
    }

    /// <summary>Every product to the managed GEMM, as another provider would: the cell then runs its unfused path.</summary>
    private sealed class ForwardingProvider : IMatrixProvider
    {
        public string Name => "forwarding";

        public void Multiply(MatrixTranspose transposeA, MatrixTranspose transposeB, int m, int n, int k,
            float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
            Gemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
