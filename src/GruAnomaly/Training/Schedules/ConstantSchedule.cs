namespace GruAnomaly.Training.Schedules;

/// <summary>Keeps the initial learning rate for the whole run.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <inheritdoc/>
    public ILearningRateScheduler Start(float initialLearningRate) => new Scheduler(initialLearningRate);

    private sealed class Scheduler(float initialLearningRate) : EpochFunctionScheduler(initialLearningRate)
    {
        protected override double LearningRateAfter(int completedEpochs) => InitialLearningRate;
    }
}