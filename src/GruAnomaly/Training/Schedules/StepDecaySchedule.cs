using GruAnomaly.Diagnostics;

namespace GruAnomaly.Training.Schedules;

/// <summary>
/// Multiplies the learning rate by γ every <see cref="StepSize"/> epochs, like PyTorch's <c>StepLR</c>:
/// after e completed epochs the rate is <c>initial · γ^⌊e / stepSize⌋</c>.
/// </summary>
public sealed class StepDecaySchedule : ILearningRateSchedule
{
    private readonly double _gamma;

    /// <summary>Creates a step-decay schedule.</summary>
    /// <param name="stepSize">The number of epochs between reductions; positive.</param>
    /// <param name="gamma">The factor applied at each reduction; in (0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An argument is out of range; the message lists every problem and <see cref="ArgumentException.ParamName"/> names the first.
    /// </exception>
    public StepDecaySchedule(int stepSize, float gamma)
    {
        ArgumentProblems problems = new();
        if (stepSize <= 0)
        {
            problems.Add(nameof(stepSize), stepSize, $"stepSize must be positive; got {stepSize}.");
        }

        if (!(gamma > 0f && gamma <= 1f))
        {
            problems.Add(nameof(gamma), gamma, $"gamma must be in (0, 1]; got {gamma}.");
        }

        problems.ThrowIfAny();
        StepSize = stepSize;
        Gamma = gamma;
        _gamma = ShortestDecimal.ToDouble(gamma);
    }

    /// <summary>The number of epochs between reductions.</summary>
    /// <value>The value given to the constructor.</value>
    public int StepSize { get; }

    /// <summary>The factor applied at each reduction.</summary>
    /// <value>The value given to the constructor.</value>
    public float Gamma { get; }

    /// <inheritdoc/>
    public ILearningRateScheduler Start(float initialLearningRate) => new Scheduler(this, initialLearningRate);

    private sealed class Scheduler(StepDecaySchedule schedule, float initialLearningRate) : EpochFunctionScheduler(initialLearningRate)
    {
        protected override double LearningRateAfter(int completedEpochs)
        {
            return InitialLearningRate * Math.Pow(schedule._gamma, completedEpochs / schedule.StepSize);
        }
    }
}