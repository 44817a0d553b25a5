using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>The training step shared by the built-in scorers.</summary>
internal static class ScorerTraining
{
    /// <summary>
    /// Trains <paramref name="model"/> from the seed of the trainer options and reports from which time step on the
    /// training series was never inside a training window (the trainer validates on the last windows).
    /// </summary>
    public static TrainingResult Train(ISequenceModel model, ISequenceDataset data, Func<int, int> startOf, int length,
        ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, out int heldOutFrom)
    {
        float[] initial = model.CreateParameters(context.Trainer.Seed);
        TrainingResult result = new Trainer(context.Trainer, context.Logger).Fit(model, initial, data, progress, cancellationToken);
        int validation = ValidationSplit.Count(data.Count, context.Trainer.ValidationFraction);
        heldOutFrom = validation == 0 ? length : startOf(data.Count - validation) + context.Window;
        return result;
    }
}
