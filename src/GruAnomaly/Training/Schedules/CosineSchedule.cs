using GruAnomaly.Diagnostics;

namespace GruAnomaly.Training.Schedules;

/// <summary>
/// Cosine annealing from the initial learning rate down to a minimum over <see cref="TotalEpochs"/> epochs, like
/// PyTorch's <c>CosineAnnealingLR</c>: after e completed epochs the rate is
/// <c>min + (initial − min)·(1 + cos(π·e/T))/2</c>, with e clamped to T so the rate stays at the minimum afterwards
/// (PyTorch would climb back up).
/// </summary>
public sealed class CosineSchedule : ILearningRateSchedule
{
    private readonly double _minimumLearningRate;

    /// <summary>Creates a cosine-annealing schedule.</summary>
    /// <param name="totalEpochs">The number of epochs T over which the rate falls to the minimum; positive.</param>
    /// <param name="minimumLearningRate">The rate reached after <paramref name="totalEpochs"/> epochs; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An argument is out of range; the message lists every problem and <see cref="ArgumentException.ParamName"/> names the first.
    /// </exception>
    public CosineSchedule(int totalEpochs, float minimumLearningRate = 0f)
    {
        ArgumentProblems problems = new();
        if (totalEpochs <= 0)
        {
            problems.Add(nameof(totalEpochs), totalEpochs, $"totalEpochs must be positive; got {totalEpochs}.");
        }

        if (!ScheduleArguments.IsFiniteNonNegative(minimumLearningRate))
        {
            problems.Add(nameof(minimumLearningRate), minimumLearningRate, $"minimumLearningRate must be finite and non-negative; got {minimumLearningRate}.");
        }

        problems.ThrowIfAny();
        TotalEpochs = totalEpochs;
        MinimumLearningRate = minimumLearningRate;
        _minimumLearningRate = ShortestDecimal.ToDouble(minimumLearningRate);
    }

    /// <summary>The number of epochs over which the rate falls to the minimum.</summary>
    /// <value>The value given to the constructor.</value>
    public int TotalEpochs { get; }

    /// <summary>The rate reached after <see cref="TotalEpochs"/> epochs and kept afterwards.</summary>
    /// <value>The default value is 0.</value>
    public float MinimumLearningRate { get; }

    /// <inheritdoc/>
    /// <remarks>A minimum above <paramref name="initialLearningRate"/> is allowed, as in PyTorch; the rate then rises along the cosine.</remarks>
    public ILearningRateScheduler Start(float initialLearningRate) => new Scheduler(this, initialLearningRate);

    private sealed class Scheduler(CosineSchedule schedule, float initialLearningRate) : EpochFunctionScheduler(initialLearningRate)
    {
        protected override double LearningRateAfter(int completedEpochs)
        {
            int epoch = Math.Min(completedEpochs, schedule.TotalEpochs);
            double minimum = schedule._minimumLearningRate;
            return minimum + ((InitialLearningRate - minimum) * (1 + Math.Cos(Math.PI * epoch / schedule.TotalEpochs)) / 2);
        }
    }
}