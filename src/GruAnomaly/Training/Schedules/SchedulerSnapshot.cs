namespace GruAnomaly.Training.Schedules;

/// <summary>The state of an <see cref="ILearningRateScheduler"/>.</summary>
/// <remarks>
/// Schedules that depend only on the epoch recompute their learning rate from <see cref="CompletedEpochs"/> on
/// restore and leave the plateau fields at their defaults; <see cref="LearningRateSchedule.ReduceOnPlateau"/> uses them all.
/// </remarks>
/// <param name="CompletedEpochs">The number of epochs completed when the snapshot was taken.</param>
/// <param name="LearningRate">The current learning rate, in double as the scheduler keeps it.</param>
public sealed record SchedulerSnapshot(int CompletedEpochs, double LearningRate)
{
    /// <summary>The best monitored loss seen so far.</summary>
    /// <value>The default value is positive infinity (nothing seen yet).</value>
    public double BestMonitoredLoss { get; init; } = double.PositiveInfinity;

    /// <summary>The number of consecutive epochs without sufficient improvement.</summary>
    /// <value>The default value is 0.</value>
    public int BadEpochs { get; init; }

    /// <summary>The number of epochs left in the cool-down after a reduction.</summary>
    /// <value>The default value is 0.</value>
    public int CooldownRemaining { get; init; }

    /// <summary>Throws if the snapshot describes an impossible state.</summary>
    internal void Validate()
    {
        List<string> errors = [];
        if (CompletedEpochs < 0)
        {
            errors.Add($"CompletedEpochs must be non-negative; got {CompletedEpochs}.");
        }

        if (!(LearningRate >= 0) || double.IsPositiveInfinity(LearningRate))
        {
            errors.Add($"LearningRate must be finite and non-negative; got {LearningRate}.");
        }

        if (double.IsNaN(BestMonitoredLoss))
        {
            errors.Add("BestMonitoredLoss must not be NaN.");
        }

        if (BadEpochs < 0)
        {
            errors.Add($"BadEpochs must be non-negative; got {BadEpochs}.");
        }

        if (CooldownRemaining < 0)
        {
            errors.Add($"CooldownRemaining must be non-negative; got {CooldownRemaining}.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("The scheduler snapshot is invalid: " + string.Join(" ", errors), "snapshot");
        }
    }
}