namespace GruAnomaly.Training.Optimizers;

/// <summary>A copy of an optimizer's state: its step count and its per-parameter buffers.</summary>
/// <remarks>
/// Buffers, in order: for <see cref="Sgd"/> with momentum the momentum buffer (none without momentum); for
/// <see cref="Adam"/> and <see cref="AdamW"/> the first moment m and the second moment v. Every buffer has one entry
/// per parameter. <see cref="IOptimizerState.Snapshot"/> creates the arrays for the snapshot alone and
/// <see cref="IOptimizerState.Restore"/> copies out of them, so a snapshot never aliases live state; do not modify
/// the arrays of a snapshot you intend to restore.
/// </remarks>
/// <param name="StepCount">The number of steps taken when the snapshot was made.</param>
/// <param name="Buffers">The optimizer's per-parameter buffers.</param>
public sealed record OptimizerSnapshot(int StepCount, IReadOnlyList<float[]> Buffers);