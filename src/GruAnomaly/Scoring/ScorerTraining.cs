using GruAnomaly.Data;
using GruAnomaly.Diagnostics;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging;

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
        return Train(model, initial, data, startOf, length, targetEnd, context.Trainer, context.Logger, progress, cancellationToken, out heldOutFrom);
    }

    /// <summary>As the other overload, but starting from given weights (which are not modified): a fine-tuning.</summary>
    public static TrainingResult Train(ISequenceModel model, ReadOnlySpan<float> initial, ISequenceDataset data, Func<int, int> startOf, int length,
        int targetEnd, TrainerOptions trainer, ILogger logger, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, out int heldOutFrom)
    {
        TrainingResult result = new Trainer(trainer, logger).Fit(model, initial, data, progress, cancellationToken);
        int validation = ValidationSplit.Count(data.Count, trainer.ValidationFraction);
        heldOutFrom = validation == 0 ? length : startOf(data.Count - validation - 1) + targetEnd;
        return result;
    }

    /// <summary>
    /// Checks an adaptation context against a scorer's features and returns the observations with every excluded time
    /// step set to NaN (so the masked loss never learns it), or null when no value from <paramref name="firstTarget"/> on
    /// is left to learn.
    /// </summary>
    public static float[]? AdaptationTargets(ScorerAdaptationContext context, int features, int firstTarget, out int length)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(context.Trainer);
        ArgumentNullException.ThrowIfNull(context.Logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(context.Stride);
        ReadOnlySpan<float> inputs = context.Inputs.Span;
        ReadOnlySpan<bool> excluded = context.Excluded.Span;
        if (inputs.Length % features != 0)
        {
            throw new ArgumentException($"The inputs hold {inputs.Length} values, not a whole number of time steps of {features} features.", nameof(context));
        }

        length = inputs.Length / features;
        Guard.Length(context.Observed.Length, inputs.Length, "context.Observed", "one per input value");
        Guard.Length(excluded.Length, length, "context.Excluded", "one per time step");
        Guard.Finite(inputs, "context.Inputs", "model inputs (missing values filled)");
        float[] targets = context.Observed.ToArray();
        bool anyLeft = false;
        for (int t = 0; t < length; t++)
        {
            Span<float> row = targets.AsSpan(t * features, features);
            if (excluded[t])
            {
                row.Fill(float.NaN);
                continue;
            }

            foreach (float value in row)
            {
                anyLeft |= t >= firstTarget && !float.IsNaN(value);
            }
        }

        return anyLeft ? targets : null;
    }
}
