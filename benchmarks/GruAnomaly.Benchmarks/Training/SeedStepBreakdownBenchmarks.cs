using BenchmarkDotNet.Attributes;

using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;
using GruAnomaly.Training.Optimizers;

namespace GruAnomaly.Benchmarks.Training;

/// <summary>
/// Where a mini-batch step of the seed epoch (<c>seed_epoch</c> of <c>compare.sh</c>: 2×GRU(1→64), reset-after, dense
/// head on the last step, windows of 100, batch 32, Adam, one thread) spends its time: the forward pass that records for
/// backward, the backward pass, the optimizer, and the whole epoch of 32 steps through the <see cref="Trainer"/> (its
/// time per step, so that the rest: batching windows, loss, clipping, shuffling, reads as the difference; and per step
/// of a two-epoch Fit, so that a Fit's one-off setup reads as the difference of the two). <c>ForwardBackwardUnfusedBackward</c>
/// runs the same pass with the fused small-hidden backward step withheld (the <c>prepareCells</c> argument of
/// <c>RecurrentNetwork.BackwardPass</c>), the backward path before it, in the same run. (A trainer step without the fused
/// backward step, <c>TrainerStepUnfusedBackward</c> in <c>fused-backward-2026-12-02.md</c>, needed a mutable switch on the
/// network and was removed with it.)
/// </summary>
[MemoryDiagnoser]
public class SeedStepBreakdownBenchmarks
{
    private const int Steps = 100, Batch = 32;
    private RecurrentNetwork _network = null!;
    private NetworkWorkspace _workspace = null!;
    private float[] _parameters = [], _inputs = [], _outputGradients = [], _gradients = [];
    private IOptimizerState _adam = null!;
    private WindowedSeries _data = null!;
    private Trainer _trainer = null!, _twoEpochs = null!;
    private NetworkWorkspace _unfusedWorkspace = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = RecurrentNetwork.CreateGru(1, 64, layers: 2, outputSize: 1, GruVariant.ResetAfter);
        _parameters = _network.CreateParameters(seed: 1);
        _workspace = _network.CreateWorkspace();
        _unfusedWorkspace = _network.CreateWorkspace();
        _inputs = [.. Enumerable.Range(0, Steps * Batch).Select(i => MathF.Sin(0.1f * i))];
        _outputGradients = [.. Enumerable.Repeat(0.01f, Batch)];
        _gradients = new float[_network.ParameterCount];
        _adam = new Adam().CreateState(_network.ParameterCount);
        _data = WindowedSeries.Univariate([.. Enumerable.Range(0, 1100).Select(i => MathF.Sin(0.1f * i))], window: Steps);
        var options = new TrainerOptions { Epochs = 1, BatchSize = Batch, ValidationFraction = 0, Shuffle = true, Seed = 1, MaxDegreeOfParallelism = 1 };
        _trainer = new Trainer(options);
        ForwardBackward();
        _twoEpochs = new Trainer(options with { Epochs = 2 });
    }

    [Benchmark(Baseline = true)]
    public void Forward() => _network.Forward(_parameters, _inputs, Steps, Batch, _workspace);

    [Benchmark]
    public void ForwardBackward()
    {
        _network.Forward(_parameters, _inputs, Steps, Batch, _workspace);
        _gradients.AsSpan().Clear();
        _network.Backward(_parameters, _workspace, _outputGradients, _gradients);
    }

    [Benchmark]
    public void ForwardBackwardUnfusedBackward()
    {
        _network.Forward(_parameters, _inputs, Steps, Batch, _unfusedWorkspace);
        _gradients.AsSpan().Clear();
        _network.BackwardPass(_parameters, _unfusedWorkspace, _outputGradients, _gradients, default, default, default, truncationSteps: 0, prepareCells: false);
    }

    /// <summary>
    /// The part of <see cref="ForwardBackward"/>'s backward pass outside the time loops: both layers' <c>FinishBackward</c>
    /// (weight and bias gradients of all 100 steps as one product each, and the top layer's gradient of its inputs).
    /// </summary>
    [Benchmark]
    public void FinishBackward()
    {
        const int Rows = Steps * Batch;
        int offset = _network.Layers[0].Parameters.Sum(spec => spec.Length);
        for (int layer = 1; layer >= 0; layer--)
        {
            IRecurrentCell cell = _network.Layers[layer];
            NetworkWorkspace.LayerBuffers buffers = _workspace.Layer(layer);
            Span<float> below = layer > 0 ? _workspace.Layer(layer - 1).OutputGradients.AsSpan(0, Rows * cell.InputSize) : default;
            below.Clear();
            int start = layer > 0 ? offset : 0, length = cell.Parameters.Sum(spec => spec.Length);
            cell.FinishBackward(new CellSequenceBackward
            {
                Rows = Rows, Parameters = _parameters.AsSpan(start, length),
                Inputs = layer > 0 ? _workspace.LayerOutputs(0) : _workspace.Inputs,
                PreviousStates = buffers.States.AsSpan(0, Rows * cell.StateSize), Caches = buffers.Caches.AsSpan(0, Rows * cell.CacheSize),
                StepGradients = buffers.StepGradients.AsSpan(0, Rows * cell.StepGradientSize),
                ParameterGradients = _gradients.AsSpan(start, length), InputGradients = below, Matrix = _network.MatrixProvider,
            });
        }
    }

    [Benchmark]
    public void AdamStep() => _adam.Step(_parameters.AsSpan(), _gradients, 1e-9f);

    /// <summary>One epoch (1000 windows: 31 steps of 32 and one of 8) per invocation, reported per step.</summary>
    [Benchmark(OperationsPerInvoke = 32)]
    public TrainingResult TrainerStep() => _trainer.Fit(_network, _parameters, _data);

    /// <summary>Two epochs per invocation, per step: against <see cref="TrainerStep"/>, what one Fit's setup costs.</summary>
    [Benchmark(OperationsPerInvoke = 64)]
    public TrainingResult TrainerStepOfTwoEpochs() => _twoEpochs.Fit(_network, _parameters, _data);
}
