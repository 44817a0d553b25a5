namespace GruAnomaly.Training;

/// <summary>Why training ended.</summary>
public enum StopReason
{
    /// <summary>Every epoch ran.</summary>
    Completed = 0,

    /// <summary>The validation loss stopped improving for the patience given.</summary>
    EarlyStopping = 1,

    /// <summary>The cancellation token fired; training stopped between mini-batches.</summary>
    Cancelled = 2,
}

/// <summary>What one completed epoch achieved.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainingLoss">Mean loss over the observed training targets of the epoch.</param>
/// <param name="ValidationLoss">Mean loss over the validation targets after the epoch, or NaN without a validation split.</param>
/// <param name="LearningRate">The learning rate used during the epoch.</param>
/// <param name="Elapsed">Time since training started, at the end of the epoch.</param>
/// <param name="ExamplesPerSecond">Training throughput of the epoch.</param>
/// <param name="SkippedBatches">Mini-batches skipped because of a non-finite loss or gradient.</param>
public readonly record struct EpochSummary(
    int Epoch, double TrainingLoss, double ValidationLoss, float LearningRate, TimeSpan Elapsed, double ExamplesPerSecond, int SkippedBatches);

/// <summary>The per-epoch figures of one training run, why it stopped and which epoch was best.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(IReadOnlyList<EpochSummary> epochs, StopReason stopReason, int bestEpoch, int batchesInLastEpoch, TimeSpan elapsed)
    {
        Epochs = epochs;
        StopReason = stopReason;
        BestEpoch = bestEpoch;
        BatchesCompletedInStoppedEpoch = batchesInLastEpoch;
        Elapsed = elapsed;
    }

    /// <summary>Gets the completed epochs in order.</summary>
    public IReadOnlyList<EpochSummary> Epochs { get; }

    /// <summary>Gets why training ended.</summary>
    public StopReason StopReason { get; }

    /// <summary>Gets the 1-based epoch with the lowest validation loss (training loss without validation); 0 when none completed.</summary>
    public int BestEpoch { get; }

    /// <summary>Gets how many mini-batches of the interrupted epoch completed before cancellation (0 otherwise).</summary>
    public int BatchesCompletedInStoppedEpoch { get; }

    /// <summary>Gets the total training time.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Returns a short summary, for example <c>40 epochs (EarlyStopping), best epoch 32, 3.2 s</c>.</summary>
    /// <returns>How long training ran, why it stopped and which epoch was best.</returns>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{Epochs.Count} epoch{(Epochs.Count == 1 ? "" : "s")} ({StopReason}), best epoch {BestEpoch}, {Elapsed.TotalSeconds:0.###} s");
}

/// <summary>The outcome of <see cref="Trainer.Fit"/>: the trained weights and the history.</summary>
public sealed class TrainingResult
{
    internal TrainingResult(float[] parameters, TrainingHistory history)
    {
        Parameters = parameters;
        History = history;
    }

    /// <summary>Gets the trained parameter vector: the best epoch's when restoring best weights, else the last completed step's.</summary>
    public ReadOnlyMemory<float> Parameters { get; }

    /// <summary>Gets the per-epoch figures and the stop reason.</summary>
    public TrainingHistory History { get; }
}

/// <summary>A progress report after each mini-batch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Maximum epochs.</param>
/// <param name="Batch">1-based mini-batch within the epoch.</param>
/// <param name="Batches">Mini-batches per epoch.</param>
/// <param name="TrainingLoss">Mean training loss of the epoch so far.</param>
/// <param name="ValidationLoss">Validation loss of the previous epoch, or NaN before the first.</param>
/// <param name="LearningRate">Current learning rate.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="ExamplesPerSecond">Training throughput of the epoch so far.</param>
public readonly record struct TrainingProgress(
    int Epoch, int Epochs, int Batch, int Batches, double TrainingLoss, double ValidationLoss, float LearningRate, TimeSpan Elapsed, double ExamplesPerSecond);
