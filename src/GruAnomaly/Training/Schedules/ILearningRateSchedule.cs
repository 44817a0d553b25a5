namespace GruAnomaly.Training.Schedules;

/// <summary>
/// The immutable configuration of a learning-rate schedule. Each training run calls <see cref="Start"/> to get its
/// own <see cref="ILearningRateScheduler"/>.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>Starts a run: creates a scheduler whose learning rate for the first epoch is <paramref name="initialLearningRate"/>.</summary>
    /// <param name="initialLearningRate">The learning rate of the first epoch; finite and non-negative.</param>
    /// <returns>New, independent scheduler state.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialLearningRate"/> is negative or not finite.</exception>
    ILearningRateScheduler Start(float initialLearningRate);
}