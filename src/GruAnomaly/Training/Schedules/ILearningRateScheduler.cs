namespace GruAnomaly.Training.Schedules;

/// <summary>The mutable state of a learning-rate schedule during one training run.</summary>
/// <remarks>
/// The trainer reads <see cref="LearningRate"/> for every step of an epoch and calls <see cref="OnEpochEnd"/> once
/// after the epoch, like calling <c>scheduler.step()</c> at the end of an epoch in PyTorch. Not thread-safe.
/// </remarks>
public interface ILearningRateScheduler
{
    /// <summary>The learning rate to use for the current epoch.</summary>
    float LearningRate { get; }

    /// <summary>Advances the schedule after an epoch.</summary>
    /// <param name="completedEpochs">The number of epochs completed so far, counting the one that just ended (1 after the first epoch).</param>
    /// <param name="monitoredLoss">The loss the schedule may react to (usually the validation loss); ignored by schedules that depend only on the epoch.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="completedEpochs"/> is not positive.</exception>
    void OnEpochEnd(int completedEpochs, double monitoredLoss);

    /// <summary>Copies the scheduler's state, so that a run can be checkpointed and resumed.</summary>
    /// <returns>An immutable snapshot.</returns>
    SchedulerSnapshot Snapshot();

    /// <summary>
    /// Replaces the state with a snapshot taken from a scheduler of the same schedule started with the same initial
    /// learning rate.
    /// </summary>
    /// <param name="snapshot">The snapshot to restore.</param>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The snapshot holds an impossible state (negative counts, non-finite or negative learning rate, NaN best loss).</exception>
    void Restore(SchedulerSnapshot snapshot);
}