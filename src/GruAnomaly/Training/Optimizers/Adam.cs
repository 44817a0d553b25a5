using GruAnomaly.Diagnostics;

namespace GruAnomaly.Training.Optimizers;

/// <summary>
/// Adam with bias correction and optional L2 weight decay added to the gradient, following <c>torch.optim.Adam</c>
/// (without AMSGrad).
/// </summary>
/// <remarks>
/// With learning rate γ, step t computes
/// <code>
/// g = ∇ + λ·θ
/// m = β₁·m + (1 − β₁)·g
/// v = β₂·v + (1 − β₂)·g²
/// θ = θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// With weight decay the penalty passes through the adaptive scaling; <see cref="AdamW"/> decouples it instead.
/// </remarks>
public sealed class Adam : IOptimizer
{
    /// <summary>Creates an Adam configuration.</summary>
    /// <param name="beta1">The decay rate β₁ of the first moment; in [0, 1).</param>
    /// <param name="beta2">The decay rate β₂ of the second moment; in [0, 1).</param>
    /// <param name="epsilon">The term ε added to the denominator; finite and positive.</param>
    /// <param name="weightDecay">The L2 penalty λ added to the gradient; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An argument is out of range; the message lists every problem and <see cref="ArgumentException.ParamName"/> names the first.
    /// </exception>
    public Adam(float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
    {
        ArgumentProblems problems = new();
        AdamState.Validate(problems, beta1, beta2, epsilon, weightDecay);
        problems.ThrowIfAny();
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
    }

    /// <summary>The decay rate β₁ of the first moment.</summary>
    /// <value>The default value is 0.9.</value>
    public float Beta1 { get; }

    /// <summary>The decay rate β₂ of the second moment.</summary>
    /// <value>The default value is 0.999.</value>
    public float Beta2 { get; }

    /// <summary>The term ε added to the denominator.</summary>
    /// <value>The default value is 1e-8.</value>
    public float Epsilon { get; }

    /// <summary>The L2 penalty λ added to the gradient.</summary>
    /// <value>The default value is 0.</value>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    /// <value>Always <c>"Adam"</c>.</value>
    public string Name => "Adam";

    /// <summary>Returns the name with the hyperparameters, for example <c>Adam(beta1=0.9, beta2=0.999, epsilon=1E-08, weightDecay=0)</c>.</summary>
    /// <returns>What this optimizer is, with its parameters.</returns>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{Name}(beta1={Beta1:G6}, beta2={Beta2:G6}, epsilon={Epsilon:G6}, weightDecay={WeightDecay:G6})");

    /// <inheritdoc/>
    public IOptimizerState CreateState(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        return new AdamState(parameterCount, Beta1, Beta2, Epsilon, WeightDecay, decoupledWeightDecay: false);
    }
}