using System.Numerics.Tensors;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

using GruAnomaly.Recurrent;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>
/// The fused element-wise gate work of <see cref="GateMath"/> against the same formulas written as a chain of
/// TensorPrimitives calls (one pass over memory per operation), on one row of the given hidden width.
/// Each category has its own baseline: the unfused chain.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GateMathBenchmarks
{
    private float[] _stateGradient = [], _update = [], _candidate = [], _previous = [];
    private float[] _previousGradient = [], _updateGradient = [], _candidateGradient = [];
    private float[] _state = [], _temp1 = [], _temp2 = [], _temp3 = [];

    [Params(64, 256, 512)]
    public int Hidden { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        float[] Values(float low, float high) =>
            [.. Enumerable.Range(0, Hidden).Select(_ => low + ((high - low) * (float)random.NextDouble()))];
        _stateGradient = Values(-1, 1);
        _update = Values(0, 1);
        _candidate = Values(-1, 1);
        _previous = Values(-1, 1);
        _previousGradient = Values(-1, 1);
        _updateGradient = new float[Hidden];
        _candidateGradient = new float[Hidden];
        _state = new float[Hidden];
        _temp1 = new float[Hidden];
        _temp2 = new float[Hidden];
        _temp3 = new float[Hidden];
    }

    [BenchmarkCategory("Blend"), Benchmark(Baseline = true)]
    public void BlendUnfused()
    {
        // (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)
        TensorPrimitives.Subtract(_previous, _candidate, _temp1);
        TensorPrimitives.MultiplyAdd(_temp1, _update, _candidate, _state);
    }

    [BenchmarkCategory("Blend"), Benchmark]
    public void Blend() => GateMath.Blend(_update, _candidate, _previous, _state);

    [BenchmarkCategory("BackwardBlend"), Benchmark(Baseline = true)]
    public void BackwardBlendUnfused()
    {
        TensorPrimitives.MultiplyAdd(_stateGradient, _update, _previousGradient, _previousGradient);
        TensorPrimitives.Subtract(_previous, _candidate, _temp1);
        TensorPrimitives.Multiply(_temp1, _stateGradient, _temp1);
        TensorPrimitives.Subtract(1f, _update, _temp2);
        TensorPrimitives.Multiply(_temp2, _update, _temp3);
        TensorPrimitives.Multiply(_temp1, _temp3, _updateGradient);
        TensorPrimitives.Multiply(_candidate, _candidate, _temp3);
        TensorPrimitives.Subtract(1f, _temp3, _temp3);
        TensorPrimitives.Multiply(_temp3, _temp2, _temp3);
        TensorPrimitives.Multiply(_temp3, _stateGradient, _candidateGradient);
    }

    [BenchmarkCategory("BackwardBlend"), Benchmark]
    public void BackwardBlend() =>
        GateMath.BackwardBlend(_stateGradient, _update, _candidate, _previous, _previousGradient, _updateGradient, _candidateGradient);

    [BenchmarkCategory("SigmoidDerivative"), Benchmark(Baseline = true)]
    public void SigmoidDerivativeUnfused()
    {
        TensorPrimitives.Subtract(1f, _update, _temp1);
        TensorPrimitives.Multiply(_temp1, _update, _temp1);
        TensorPrimitives.Multiply(_updateGradient, _temp1, _updateGradient);
    }

    [BenchmarkCategory("SigmoidDerivative"), Benchmark]
    public void SigmoidDerivative() => GateMath.SigmoidDerivativeInPlace(_updateGradient, _update);
}
