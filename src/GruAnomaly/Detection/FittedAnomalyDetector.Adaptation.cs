using GruAnomaly.Diagnostics;
using GruAnomaly.Scoring;
using GruAnomaly.Training;

namespace GruAnomaly.Detection;

/// <summary>Online adaptation: scoring a series chunk by chunk while the model is fine-tuned between chunks.</summary>
public sealed partial class FittedAnomalyDetector
{
    /// <summary>
    /// Scores the series in chunks of <see cref="OnlineAdaptation.Every"/> points, chunk k with weights fine-tuned only on
    /// points before it, so that no score reads later points through the weights. After each chunk the decision path runs
    /// over everything scored so far, which gives the flags known at that moment, and the scorer is fine-tuned on the last
    /// <see cref="OnlineAdaptation.Recent"/> points without them for the next chunk. The adapted scorers live only in this
    /// call: the fitted detector is never changed, and stays safe to share between threads.
    /// </summary>
    private void ScoreAdapting(OnlineAdaptation adaptation, float[] inputs, float[] observed, float[] expected, float[] errors)
    {
        int length = inputs.Length / Features, minimum = MinimumLength;
        TrainerOptions fineTuning = adaptation.FineTuning(Choices.Trainer);
        // Fit refuses online adaptation when the fitted scorer cannot be fine-tuned.
        var scorer = (IAdaptableScorer)Scorer;
        for (int start = 0; ;)
        {
            // Only a first chunk can be shorter than the scorer's minimum length: it then waits for enough points to score.
            int end = (int)Math.Min(length, Math.Max((long)start + adaptation.Every, minimum));
            int from = Math.Max(0, Math.Min(start - scorer.Lookback, end - minimum));
            ScoreChunk(scorer, inputs, observed, from, start, end, expected, errors);
            if (end == length)
            {
                return;
            }

            scorer = Adapt(scorer, adaptation, fineTuning, inputs, observed, errors, end);
            start = end;
        }
    }

    /// <summary>Scores steps [<paramref name="from"/>, <paramref name="end"/>) and keeps those from <paramref name="start"/> on.</summary>
    private void ScoreChunk(IFittedScorer scorer, float[] inputs, float[] observed, int from, int start, int end, float[] expected, float[] errors)
    {
        int features = Features, skip = (start - from) * features, count = (end - start) * features;
        var values = new Range(from * features, end * features);
        var sliceExpected = new float[(end - from) * features];
        var sliceErrors = new float[sliceExpected.Length];
        scorer.Score(inputs.AsSpan(values), observed.AsSpan(values), sliceExpected, sliceErrors);
        sliceExpected.AsSpan(skip, count).CopyTo(expected.AsSpan(start * features));
        sliceErrors.AsSpan(skip, count).CopyTo(errors.AsSpan(start * features));
    }

    /// <summary>Fine-tunes <paramref name="scorer"/> on the recent steps before <paramref name="end"/> that are not flagged.</summary>
    private IAdaptableScorer Adapt(IAdaptableScorer scorer, OnlineAdaptation adaptation, TrainerOptions fineTuning,
        float[] inputs, float[] observed, float[] errors, int end)
    {
        // The threshold's own flags, not the event rules': pruning compares an event with later ones, which are not known yet.
        bool[] flags = Decide(errors, end).Flags;
        int from = Math.Max(0, end - adaptation.Recent), features = Features;
        var values = new Range(from * features, end * features);
        ReadOnlyMemory<bool> excluded = flags.AsMemory(from..end);
        int flagged = excluded.Span.Count(true);
        IAdaptableScorer adapted = scorer.Adapt(new ScorerAdaptationContext
        {
            Inputs = inputs.AsMemory(values),
            Observed = observed.AsMemory(values),
            Excluded = excluded,
            Stride = Choices.Stride,
            Trainer = fineTuning,
            Logger = _logger,
        });
        if (ReferenceEquals(adapted, scorer))
        {
            _logger.AdaptationSkipped(scorer.Name, end, from, end - 1, flagged);
            return scorer;
        }

        TrainingHistory? history = adapted.History;
        _logger.ScorerAdapted(scorer.Name, end, from, end - 1, flagged, history is { Epochs.Count: > 0 } ? history.Epochs[^1].TrainingLoss : double.NaN,
            history?.Elapsed ?? TimeSpan.Zero);
        return adapted;
    }
}
