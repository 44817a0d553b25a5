using System.Numerics.Tensors;

using GruAnomaly.Diagnostics;

namespace GruAnomaly.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, following
/// <c>torch.optim.SGD</c> with dampening 0.
/// </summary>
/// <remarks>
/// With learning rate γ, momentum μ and weight decay λ, step t computes
/// <code>
/// g  = ∇ + λ·θ
/// b  = g                      (t = 1)
/// b  = μ·b + g                (t > 1)
/// d  = g + μ·b  if Nesterov, else b   (d = g when μ = 0)
/// θ  = θ − γ·d
/// </code>
/// </remarks>
public sealed class Sgd : IOptimizer
{
    /// <summary>Creates an SGD configuration.</summary>
    /// <param name="momentum">The momentum factor μ; finite and non-negative, 0 for plain SGD.</param>
    /// <param name="weightDecay">The L2 penalty λ added to the gradient; finite and non-negative.</param>
    /// <param name="nesterov">Whether to use Nesterov momentum; requires a positive <paramref name="momentum"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An argument is out of range; the message lists every problem and <see cref="ArgumentException.ParamName"/> names the first.
    /// </exception>
    public Sgd(float momentum = 0f, float weightDecay = 0f, bool nesterov = false)
    {
        ArgumentProblems problems = new();
        if (!(momentum >= 0f) || !float.IsFinite(momentum))
        {
            problems.Add(nameof(momentum), momentum, $"momentum must be finite and in [0, ∞); got {momentum}.");
        }

        if (!(weightDecay >= 0f) || !float.IsFinite(weightDecay))
        {
            problems.Add(nameof(weightDecay), weightDecay, $"weightDecay must be finite and in [0, ∞); got {weightDecay}.");
        }

        if (nesterov && !(momentum > 0f))
        {
            problems.Add(nameof(nesterov), nesterov, $"nesterov requires momentum in (0, ∞); got momentum {momentum}.");
        }

        problems.ThrowIfAny();
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>The momentum factor μ.</summary>
    /// <value>The default value is 0 (no momentum).</value>
    public float Momentum { get; }

    /// <summary>The L2 penalty λ added to the gradient.</summary>
    /// <value>The default value is 0.</value>
    public float WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    /// <value>Always <c>"SGD"</c>.</value>
    public string Name => "SGD";

    /// <summary>Returns the name with the hyperparameters, for example <c>SGD(momentum=0.9, weightDecay=0, nesterov=False)</c>.</summary>
    /// <returns>What this optimizer is, with its parameters.</returns>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{Name}(momentum={Momentum:G6}, weightDecay={WeightDecay:G6}, nesterov={Nesterov})");

    /// <inheritdoc/>
    public IOptimizerState CreateState(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        return new State(this, parameterCount);
    }

    private sealed class State : IOptimizerState
    {
        private readonly float _momentum;
        private readonly float _weightDecay;
        private readonly bool _nesterov;
        private readonly int _parameterCount;

        // Empty when momentum is 0: plain SGD keeps no state besides the step count.
        private readonly float[] _momentumBuffer;

        // Holds the decayed gradient or the Nesterov direction, because the caller's gradient is read-only.
        private readonly float[] _scratch;

        public State(Sgd configuration, int parameterCount)
        {
            _momentum = configuration.Momentum;
            _weightDecay = configuration.WeightDecay;
            _nesterov = configuration.Nesterov;
            _parameterCount = parameterCount;
            _momentumBuffer = _momentum != 0f ? new float[parameterCount] : [];
            _scratch = _weightDecay != 0f || _nesterov ? new float[parameterCount] : [];
        }

        public int StepCount { get; private set; }

        public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
        {
            OptimizerStateChecks.ValidateStep(_parameterCount, parameters, gradients, learningRate);

            ReadOnlySpan<float> direction = gradients;
            if (_weightDecay != 0f)
            {
                TensorPrimitives.MultiplyAdd(parameters, _weightDecay, gradients, _scratch);
                direction = _scratch;
            }

            if (_momentum != 0f)
            {
                // PyTorch seeds the buffer with the first gradient rather than decaying a zero buffer.
                if (StepCount == 0)
                {
                    direction.CopyTo(_momentumBuffer);
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(_momentumBuffer, _momentum, direction, _momentumBuffer);
                }

                if (_nesterov)
                {
                    TensorPrimitives.MultiplyAdd(_momentumBuffer, _momentum, direction, _scratch);
                    direction = _scratch;
                }
                else
                {
                    direction = _momentumBuffer;
                }
            }

            TensorPrimitives.MultiplyAdd(direction, -learningRate, parameters, parameters);
            StepCount++;
        }

        public OptimizerSnapshot Snapshot()
        {
            return _momentum != 0f
                ? OptimizerStateChecks.Snapshot(StepCount, _momentumBuffer)
                : OptimizerStateChecks.Snapshot(StepCount);
        }

        public void Restore(OptimizerSnapshot snapshot)
        {
            if (_momentum != 0f)
            {
                OptimizerStateChecks.Restore(snapshot, _momentumBuffer);
            }
            else
            {
                OptimizerStateChecks.Restore(snapshot);
            }

            StepCount = snapshot.StepCount;
        }
    }
}