using GruAnomaly.Diagnostics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Training.Optimizers;

/// <summary>The state shared by <see cref="Adam"/> (L2 weight decay) and <see cref="AdamW"/> (decoupled weight decay).</summary>
internal sealed class AdamState : IOptimizerState
{
    private readonly int _parameterCount;
    private readonly bool _decoupledWeightDecay;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _weightDecay;
    private readonly float _beta1Single;
    private readonly float _beta2Single;
    private readonly float _oneMinusBeta1;
    private readonly float _oneMinusBeta2;
    private readonly float _epsilon;
    private readonly float _weightDecaySingle;
    private readonly float[] _firstMoment;
    private readonly float[] _secondMoment;

    public AdamState(int parameterCount, float beta1, float beta2, float epsilon, float weightDecay, bool decoupledWeightDecay)
    {
        _parameterCount = parameterCount;
        _decoupledWeightDecay = decoupledWeightDecay;

        // The bias corrections and 1 − β are formed in double from the decimal the user wrote, as PyTorch does;
        // see ShortestDecimal for why the float itself is not good enough.
        _beta1 = ShortestDecimal.ToDouble(beta1);
        _beta2 = ShortestDecimal.ToDouble(beta2);
        _weightDecay = ShortestDecimal.ToDouble(weightDecay);
        _beta1Single = beta1;
        _beta2Single = beta2;
        _oneMinusBeta1 = (float)(1.0 - _beta1);
        _oneMinusBeta2 = (float)(1.0 - _beta2);
        _epsilon = epsilon;
        _weightDecaySingle = weightDecay;
        _firstMoment = new float[parameterCount];
        _secondMoment = new float[parameterCount];
    }

    public int StepCount { get; private set; }

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        OptimizerStateChecks.ValidateStep(_parameterCount, parameters, gradients, learningRate);
        int step = StepCount + 1;

        double biasCorrection1 = 1.0 - Math.Pow(_beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(_beta2, step);
        bool decays = _weightDecaySingle != 0f;
        var coefficients = new AdamCoefficients(
            _beta1Single, _oneMinusBeta1, _beta2Single, _oneMinusBeta2,
            BiasCorrection2Sqrt: (float)Math.Sqrt(biasCorrection2),
            _epsilon,
            StepSize: (float)(learningRate / biasCorrection1),
            L2WeightDecay: decays && !_decoupledWeightDecay ? _weightDecaySingle : 0f,
            DecoupledDecayFactor: decays && _decoupledWeightDecay ? (float)(1.0 - (learningRate * _weightDecay)) : 1f);
        OptimizerKernels.AdamStep(parameters, gradients, _firstMoment, _secondMoment, coefficients);
        StepCount = step;
    }

    public OptimizerSnapshot Snapshot()
    {
        return OptimizerStateChecks.Snapshot(StepCount, _firstMoment, _secondMoment);
    }

    public void Restore(OptimizerSnapshot snapshot)
    {
        OptimizerStateChecks.Restore(snapshot, _firstMoment, _secondMoment);
        StepCount = snapshot.StepCount;
    }

    /// <summary>Records every out-of-range Adam hyperparameter.</summary>
    internal static void Validate(ArgumentProblems problems, float beta1, float beta2, float epsilon, float weightDecay)
    {
        if (!(beta1 >= 0f && beta1 < 1f))
        {
            problems.Add(nameof(beta1), beta1, $"beta1 must be in [0, 1); got {beta1}.");
        }

        if (!(beta2 >= 0f && beta2 < 1f))
        {
            problems.Add(nameof(beta2), beta2, $"beta2 must be in [0, 1); got {beta2}.");
        }

        if (!(epsilon > 0f) || !float.IsFinite(epsilon))
        {
            problems.Add(nameof(epsilon), epsilon, $"epsilon must be finite and in (0, ∞); got {epsilon}.");
        }

        if (!(weightDecay >= 0f) || !float.IsFinite(weightDecay))
        {
            problems.Add(nameof(weightDecay), weightDecay, $"weightDecay must be finite and in [0, ∞); got {weightDecay}.");
        }
    }
}