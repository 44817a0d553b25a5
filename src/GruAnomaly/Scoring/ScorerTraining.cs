using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>The training step shared by the built-in scorers.</summary>
internal static class ScorerTraining
{
    /// <summary>
    /// Trains <paramref name="model"/> from the seed of the trainer options and reports from which time step on no point
    /// of the training series was a training target (the trainer validates on the last windows). A window starting at s
    /// has its targets up to s + <paramref name="targetEnd"/> − 1.
    /// </summary>
    public static TrainingResult Train(ISequenceModel model, ISequenceDataset data, Func<int, int> startOf, int length, int targetEnd,
        ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, out int heldOutFrom)
    {
        float[] initial = model.CreateParameters(context.Trainer.Seed);
        TrainingResult result = new Trainer(context.Trainer, context.Logger).Fit(model, initial, data, progress, cancellationToken);
        int validation = ValidationSplit.Count(data.Count, context.Trainer.ValidationFraction);
        heldOutFrom = validation == 0 ? length : startOf(data.Count - validation - 1) + targetEnd;
        return result;
    }
}
