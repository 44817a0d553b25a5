using Microsoft.Extensions.Logging;

namespace GruAnomaly.Diagnostics;

/// <summary>Source-generated log messages with stable event ids; never called from a kernel.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Training started: {TrainingExamples} training and {ValidationExamples} validation examples, {Parameters} parameters, {Epochs} epochs of {Batches} batches")]
    public static partial void TrainingStarted(this ILogger logger, int trainingExamples, int validationExamples, int parameters, int epochs, int batches);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug,
        Message = "Epoch {Epoch}/{Epochs}: loss {TrainingLoss}, validation {ValidationLoss}, learning rate {LearningRate}, {ExamplesPerSecond} examples/s")]
    public static partial void EpochCompleted(this ILogger logger, int epoch, int epochs, double trainingLoss, double validationLoss, float learningRate, double examplesPerSecond);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "Skipped batch {Batch} of epoch {Epoch}: the loss or gradient is not finite (loss {Loss}, gradient norm {GradientNorm})")]
    public static partial void BatchSkipped(this ILogger logger, int epoch, int batch, double loss, float gradientNorm);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "Early stopping after epoch {Epoch}: no improvement for {Patience} epochs; best epoch {BestEpoch}")]
    public static partial void EarlyStopped(this ILogger logger, int epoch, int patience, int bestEpoch);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information,
        Message = "Training cancelled in epoch {Epoch} after {Batches} batches")]
    public static partial void TrainingCancelled(this ILogger logger, int epoch, int batches);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information,
        Message = "Training finished ({StopReason}) after {Epochs} epochs in {Elapsed}; best epoch {BestEpoch}")]
    public static partial void TrainingFinished(this ILogger logger, string stopReason, int epochs, TimeSpan elapsed, int bestEpoch);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "Matrix products use {Provider}")]
    public static partial void MatrixProviderSelected(this ILogger logger, string provider);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning,
        Message = "Intel MKL is not available to MathNet.Numerics (the packages MathNet.Numerics.Providers.MKL and MathNet.Numerics.MKL.<platform> are not referenced, or MKL's native library did not load); matrix products use {Provider} instead")]
    public static partial void NativeMklUnavailable(this ILogger logger, string provider);
}
