using BenchmarkDotNet.Attributes;

using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>
/// Where one GRU backward step goes, batch 32 (the seed epoch's shape), both forms: the whole step as the cells ran it
/// before the fused path (<c>Unfused</c>, the baseline), and its pieces as that path runs them: the element-wise gate
/// backward (<c>Elementwise</c>: blend, squashing derivatives and reset-gate products, row by row) and the products
/// against the recurrent weights (<c>Products</c>: the general GEMM with W_h transposed). The rest of the layer's time
/// loop per step (adding the output gradient, clearing the next carried gradient) is <c>LoopRest</c>. <c>Fused</c> is the
/// same step through the fused kernel (<c>GruBackwardKernels</c>, given W_hᵀ as the network prepares it once per pass).
/// <c>Layer*</c>: the backward pass of a whole layer (8 inputs, 100 steps, batch 32, recorded once in setup) with the
/// fused step switched off and on (the <c>prepareCells</c> argument of <c>RecurrentNetwork.BackwardPass</c>); the forward is the same in both.
/// <c>LayerFinishBackward</c>: that pass's weight gradients of all steps (the cell's <c>FinishBackward</c>), which no
/// step kernel touches.
/// </summary>
[MemoryDiagnoser]
public class BackwardStepBenchmarks
{
    private const int Batch = 32;
    private IRecurrentCell _cell = null!;
    private float[] _parameters = [], _inputs = [], _projection = [], _previous = [], _state = [], _cache = [], _scratch = [];
    private float[] _stateGradient = [], _previousGradient = [], _stepGradient = [], _parameterGradients = [], _transposed = [];
    private RecurrentNetwork _layer = null!;
    private NetworkWorkspace _layerWorkspace = null!;
    private float[] _layerParameters = [], _layerOutputGradients = [], _layerGradients = [];

    [Params(32, 64)]
    public int Hidden { get; set; }

    [Params(GruVariant.ResetAfter, GruVariant.ResetBefore)]
    public GruVariant Variant { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var network = RecurrentNetwork.CreateGru(Hidden, Hidden, layers: 1, outputSize: null, Variant);
        _cell = network.Layers[0];
        _parameters = network.CreateParameters(seed: 3);
        var random = new Random(4);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        _inputs = Values(Batch * Hidden);
        _previous = Values(Batch * Hidden);
        _stateGradient = Values(Batch * Hidden);
        _projection = new float[Batch * _cell.InputProjectionSize];
        _cell.ProjectInputs(_parameters, _inputs, Batch, _projection, ManagedMatrixProvider.Instance);
        _state = new float[Batch * Hidden];
        _cache = new float[Batch * _cell.CacheSize];
        _scratch = new float[Batch * _cell.ScratchSize];
        _previousGradient = new float[Batch * Hidden];
        _stepGradient = new float[Batch * _cell.StepGradientSize];
        _parameterGradients = new float[_parameters.Length];
        _cell.Forward(new CellForward
        {
            BatchSize = Batch, Parameters = _parameters, Input = _inputs, InputProjection = _projection,
            PreviousState = _previous, State = _state, Cache = _cache,
        });
        _transposed = new float[3 * Hidden * Hidden];
        ((IBackwardPreparation)_cell).PrepareBackward(_parameters, _transposed);

        const int Steps = 100, Inputs = 8;
        _layer = RecurrentNetwork.CreateGru(Inputs, Hidden, layers: 1, outputSize: null, Variant);
        _layerParameters = _layer.CreateParameters(seed: 1);
        _layerWorkspace = _layer.CreateWorkspace();
        _layer.Forward(_layerParameters, Values(Steps * Batch * Inputs), Steps, Batch, _layerWorkspace);
        _layerOutputGradients = Values(Steps * Batch * Hidden);
        _layerGradients = new float[_layer.ParameterCount];
    }

    [Benchmark(Baseline = true)]
    public void Unfused() => _cell.Backward(new CellBackward
    {
        BatchSize = Batch, Parameters = _parameters, Input = _inputs, InputProjection = _projection,
        PreviousState = _previous, State = _state, Cache = _cache, StateGradient = _stateGradient,
        PreviousStateGradient = _previousGradient, StepGradient = _stepGradient,
        ParameterGradients = _parameterGradients, Scratch = _scratch,
    });

    [Benchmark]
    public void Fused() => _cell.Backward(new CellBackward
    {
        BatchSize = Batch, Parameters = _parameters, Input = _inputs, InputProjection = _projection,
        PreviousState = _previous, State = _state, Cache = _cache, StateGradient = _stateGradient,
        PreviousStateGradient = _previousGradient, StepGradient = _stepGradient,
        ParameterGradients = _parameterGradients, Scratch = _scratch, Prepared = _transposed,
    });

    [Benchmark]
    public void LayerBackwardUnfused() => LayerBackward(fused: false);

    [Benchmark]
    public void LayerBackwardFused() => LayerBackward(fused: true);

    /// <summary>The part of the layer's backward pass outside the time loop: weight and bias gradients of all 100 steps at once.</summary>
    [Benchmark]
    public void LayerFinishBackward()
    {
        const int Rows = 100 * Batch;
        IRecurrentCell cell = _layer.Layers[0];
        NetworkWorkspace.LayerBuffers buffers = _layerWorkspace.Layer(0);
        Array.Clear(_layerGradients);
        cell.FinishBackward(new CellSequenceBackward
        {
            Rows = Rows, Parameters = _layerParameters, Inputs = _layerWorkspace.Inputs,
            PreviousStates = buffers.States.AsSpan(0, Rows * Hidden), Caches = buffers.Caches.AsSpan(0, Rows * cell.CacheSize),
            StepGradients = buffers.StepGradients.AsSpan(0, Rows * cell.StepGradientSize), ParameterGradients = _layerGradients,
            Matrix = ManagedMatrixProvider.Instance,
        });
    }

    /// <summary>The element-wise work of the unfused step (both of its row loops for reset-before).</summary>
    [Benchmark]
    public void Elementwise()
    {
        int h = Hidden, width = _cell.StepGradientSize, record = _cell.CacheSize;
        for (int row = 0; row < Batch; row++)
        {
            ReadOnlySpan<float> cache = _cache.AsSpan(row * record, record);
            ReadOnlySpan<float> r = cache[..h], z = cache.Slice(h, h), n = cache.Slice(2 * h, h), fourth = cache.Slice(3 * h, h);
            ReadOnlySpan<float> previous = _previous.AsSpan(row * h, h);
            Span<float> gradient = _stepGradient.AsSpan(row * width, width);
            Span<float> previousGradient = _previousGradient.AsSpan(row * h, h);
            if (Variant == GruVariant.ResetAfter)
            {
                GateMath.BackwardBlend(_stateGradient.AsSpan(row * h, h), z, n, previous, previousGradient, gradient.Slice(h, h), gradient.Slice(3 * h, h));
                ReadOnlySpan<float> candidateGradient = gradient.Slice(3 * h, h);
                ElementwiseKernels.Multiply(candidateGradient, r, gradient.Slice(2 * h, h));
                ElementwiseKernels.Multiply(candidateGradient, fourth, gradient[..h]);
                GateMath.SigmoidDerivativeInPlace(gradient[..h], r);
            }
            else
            {
                GateMath.BackwardBlend(_stateGradient.AsSpan(row * h, h), z, n, previous, previousGradient, gradient.Slice(h, h), gradient.Slice(2 * h, h));
                ReadOnlySpan<float> resetGradient = _scratch.AsSpan(row * h, h);
                ElementwiseKernels.MultiplyAdd(resetGradient, r, previousGradient, previousGradient);
                ElementwiseKernels.Multiply(resetGradient, previous, gradient[..h]);
                GateMath.SigmoidDerivativeInPlace(gradient[..h], r);
            }
        }
    }

    /// <summary>The products against W_h of the unfused step, through the general GEMM (packing W_h transposed each call).</summary>
    [Benchmark]
    public void Products()
    {
        int h = Hidden, gates = 3 * h, width = _cell.StepGradientSize;
        ReadOnlySpan<float> recurrent = _parameters.AsSpan(h * gates, h * gates);
        IMatrixProvider matrix = ManagedMatrixProvider.Instance;
        if (Variant == GruVariant.ResetAfter)
        {
            matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, Batch, h, gates,
                1f, _stepGradient, width, recurrent, gates, 1f, _previousGradient, h);
            return;
        }

        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, Batch, h, h,
            1f, _stepGradient.AsSpan(2 * h), gates, recurrent[(2 * h)..], gates, 0f, _scratch.AsSpan(0, Batch * h), h);
        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, Batch, h, 2 * h,
            1f, _stepGradient, gates, recurrent, gates, 1f, _previousGradient, h);
    }

    /// <summary>What the layer's time loop does around each step: output gradient into the carried one, next one cleared.</summary>
    [Benchmark]
    public void LoopRest()
    {
        ElementwiseKernels.Add(_stateGradient, _state, _state);
        _previousGradient.AsSpan().Clear();
    }

    private void LayerBackward(bool fused)
    {
        Array.Clear(_layerGradients);
        _layer.BackwardPass(_layerParameters, _layerWorkspace, _layerOutputGradients, _layerGradients, default, default, default, truncationSteps: 0, prepareCells: fused);
    }
}
