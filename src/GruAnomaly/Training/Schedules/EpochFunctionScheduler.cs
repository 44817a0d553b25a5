namespace GruAnomaly.Training.Schedules;

/// <summary>A scheduler whose learning rate is a closed-form function of the number of completed epochs.</summary>
/// <remarks>
/// Computing from the epoch count instead of updating step by step makes a restored run bit-identical to an
/// uninterrupted one and keeps the snapshot down to one number.
/// </remarks>
internal abstract class EpochFunctionScheduler : ILearningRateScheduler
{
    private double _learningRate;
    private int _completedEpochs;

    protected EpochFunctionScheduler(float initialLearningRate)
    {
        ScheduleArguments.ValidateInitialLearningRate(initialLearningRate);
        InitialLearningRate = ShortestDecimal.ToDouble(initialLearningRate);
        _learningRate = InitialLearningRate;
    }

    public float LearningRate => (float)_learningRate;

    protected double InitialLearningRate { get; }

    public void OnEpochEnd(int completedEpochs, double monitoredLoss)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(completedEpochs);
        _completedEpochs = completedEpochs;
        _learningRate = LearningRateAfter(completedEpochs);
    }

    public SchedulerSnapshot Snapshot() => new(_completedEpochs, _learningRate);

    public void Restore(SchedulerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.Validate();
        _completedEpochs = snapshot.CompletedEpochs;
        _learningRate = LearningRateAfter(snapshot.CompletedEpochs);
    }

    /// <summary>The learning rate after <paramref name="completedEpochs"/> epochs (0 gives the initial rate).</summary>
    protected abstract double LearningRateAfter(int completedEpochs);
}