using BenchmarkDotNet.Attributes;
using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>
/// One time step of each GRU cell over a mini-batch of 32 (input projection precomputed, as in a layer's time loop):
/// inference, training forward (which records for backward) and backward. Baseline: the classic cell's inference step.
/// </summary>
[MemoryDiagnoser]
public class CellStepBenchmarks
{
    private const int Batch = 32;
    private CellOperands _classic = null!;
    private CellOperands _resetAfter = null!;

    [Params(64, 256)]
    public int Hidden { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _classic = new CellOperands(new GruCell(Hidden, Hidden), Batch);
        _resetAfter = new CellOperands(new GruResetAfterCell(Hidden, Hidden), Batch);
        _classic.Forward();
        _resetAfter.Forward();
    }

    [Benchmark(Baseline = true)]
    public void ResetBeforeInfer() => _classic.Infer();

    [Benchmark]
    public void ResetBeforeForward() => _classic.Forward();

    [Benchmark]
    public void ResetBeforeBackward() => _classic.Backward();

    [Benchmark]
    public void ResetAfterInfer() => _resetAfter.Infer();

    [Benchmark]
    public void ResetAfterForward() => _resetAfter.Forward();

    [Benchmark]
    public void ResetAfterBackward() => _resetAfter.Backward();

    /// <summary>Seeded buffers for one cell step over a batch.</summary>
    private sealed class CellOperands
    {
        private readonly IRecurrentCell _cell;
        private readonly int _batch;
        private readonly float[] _parameters, _inputs, _projection, _previous, _state, _cache, _scratch;
        private readonly float[] _stateGradient, _previousGradient, _inputGradient, _stepGradient, _parameterGradients;

        public CellOperands(IRecurrentCell cell, int batch)
        {
            _cell = cell;
            _batch = batch;
            var network = new RecurrentNetwork([cell]);
            _parameters = network.CreateParameters(seed: 3);
            var random = new Random(4);
            float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
            _inputs = Values(batch * cell.InputSize);
            _previous = Values(batch * cell.HiddenSize);
            _stateGradient = Values(batch * cell.HiddenSize);
            _projection = new float[batch * cell.InputProjectionSize];
            cell.ProjectInputs(_parameters, _inputs, batch, _projection, ManagedMatrixProvider.Instance);
            _state = new float[batch * cell.HiddenSize];
            _cache = new float[batch * cell.CacheSize];
            _scratch = new float[batch * cell.ScratchSize];
            _previousGradient = new float[batch * cell.HiddenSize];
            _inputGradient = new float[batch * cell.InputSize];
            _stepGradient = new float[batch * cell.StepGradientSize];
            _parameterGradients = new float[_parameters.Length];
        }

        public void Infer() => _cell.Infer(new CellInference
        {
            BatchSize = _batch, Parameters = _parameters, Input = _inputs, InputProjection = _projection,
            PreviousState = _previous, State = _state, Scratch = _scratch,
        });

        public void Forward() => _cell.Forward(new CellForward
        {
            BatchSize = _batch, Parameters = _parameters, Input = _inputs, InputProjection = _projection,
            PreviousState = _previous, State = _state, Cache = _cache,
        });

        public void Backward() => _cell.Backward(new CellBackward
        {
            BatchSize = _batch, Parameters = _parameters, Input = _inputs, InputProjection = _projection,
            PreviousState = _previous, State = _state, Cache = _cache, StateGradient = _stateGradient,
            PreviousStateGradient = _previousGradient, InputGradient = _inputGradient, StepGradient = _stepGradient,
            ParameterGradients = _parameterGradients, Scratch = _scratch,
        });
    }
}
