namespace GruAnomaly.Training.Optimizers;

/// <summary>The mutable state of one training run of an optimizer: its moment buffers and step count.</summary>
/// <remarks>Not thread-safe. <see cref="Step"/> does not allocate.</remarks>
public interface IOptimizerState
{
    /// <summary>The number of steps taken so far.</summary>
    int StepCount { get; }

    /// <summary>Updates the flat parameter vector in place with one step of the rule (PyTorch semantics).</summary>
    /// <param name="parameters">The parameters; exactly the count the state was created for.</param>
    /// <param name="gradients">The gradient of the loss with respect to <paramref name="parameters"/>; same length.</param>
    /// <param name="learningRate">The learning rate for this step, usually from the schedule; finite and non-negative.</param>
    /// <exception cref="ArgumentException">A span does not have the length the state was created for.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not finite.</exception>
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate);

    /// <summary>Copies the complete state, for checkpoints, restoring the best epoch and persistence.</summary>
    /// <returns>A snapshot that shares no memory with the live state.</returns>
    OptimizerSnapshot Snapshot();

    /// <summary>Replaces the state with a copy of a snapshot taken from state of the same optimizer and size.</summary>
    /// <param name="snapshot">The snapshot to restore; it is copied, not kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The snapshot's buffers do not match this state in number or length, or its step count is negative.</exception>
    void Restore(OptimizerSnapshot snapshot);
}