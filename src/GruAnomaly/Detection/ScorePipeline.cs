using GruAnomaly.Preprocessing;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Detection;

/// <summary>The steps between a scorer's errors and thresholded scores, shared by fitting and detection.</summary>
internal static class ScorePipeline
{
    /// <summary>
    /// Combines each scored time step's errors into a score. Unscored steps (warm-up, or every feature
    /// missing) get a NaN score, which <see cref="Smooth"/> passes over and the caller reports as not scored.
    /// </summary>
    public static void Combine(ReadOnlySpan<float> errors, int features, int warmUp, IFittedErrorCombination combination,
        Span<double> scores, Span<double> contributions, Span<bool> scored)
    {
        int length = scores.Length;
        for (int t = 0; t < length; t++)
        {
            scores[t] = CombineRow(errors.Slice(t * features, features), t >= warmUp, combination, contributions.Slice(t * features, features), out scored[t]);
        }
    }

    /// <summary>Smooths combined scores in place (span 1 leaves them), starting from <paramref name="start"/>; NaN (unscored) steps pass through.</summary>
    public static void Smooth(Span<double> scores, int span, double start)
    {
        if (span > 1)
        {
            new ExponentialSmoothing(span).Apply(scores, scores, start);
        }
    }

    /// <summary>The mean of the scored scores from <paramref name="from"/> on: where smoothing starts, so that it starts as normal data would.</summary>
    public static double TypicalScore(ReadOnlySpan<double> scores, ReadOnlySpan<bool> scored, int from)
    {
        double sum = 0;
        int count = 0;
        for (int t = from; t < scores.Length; t++)
        {
            if (scored[t])
            {
                sum += scores[t];
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>
    /// One time step of <see cref="Combine"/> before smoothing, shared with a detector's stream: the combined score, or NaN
    /// (and no contributions) when the step is not <paramref name="scored"/>: in the warm-up, or every feature missing.
    /// </summary>
    public static double CombineRow(ReadOnlySpan<float> errors, bool pastWarmUp, IFittedErrorCombination combination, Span<double> contributions,
        out bool scored)
    {
        scored = pastWarmUp && HasObservation(errors);
        contributions.Clear();
        return scored ? combination.Combine(errors, contributions) : double.NaN;
    }

    /// <summary>How many time steps from <paramref name="from"/> on have at least one observed error.</summary>
    public static int CountScorable(ReadOnlySpan<float> errors, int features, int from)
    {
        int count = 0;
        for (int start = from * features; start < errors.Length; start += features)
        {
            count += HasObservation(errors.Slice(start, features)) ? 1 : 0;
        }

        return count;
    }

    /// <summary>The scored values from <paramref name="from"/> on, in time order.</summary>
    public static double[] Scored(ReadOnlySpan<double> scores, ReadOnlySpan<bool> scored, int from)
    {
        var list = new List<double>(scores.Length);
        for (int t = from; t < scores.Length; t++)
        {
            if (scored[t])
            {
                list.Add(scores[t]);
            }
        }

        return [.. list];
    }

    /// <summary>
    /// One step of the decision after the raw score: normalizes it, reads the threshold in force, advances the threshold
    /// and tells the normalization whether the score was flagged. Shared by a stream and by <c>Detect</c> (for a
    /// normalization that follows decisions), so that both decide alike.
    /// </summary>
    public static double Decide(ScoreNormalizationState normalization, ThresholdState threshold, double raw, out double inForce, out bool flagged)
    {
        double score = normalization.Normalize(raw);
        inForce = threshold.Threshold;
        threshold.Advance(score);
        flagged = score > inForce;
        normalization.Decided(flagged);
        return score;
    }

    internal static bool HasObservation(ReadOnlySpan<float> row)
    {
        foreach (float value in row)
        {
            if (!float.IsNaN(value))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Turns a raw series into what the scorer reads and what it is measured against.</summary>
internal static class SeriesPreparation
{
    /// <summary>
    /// Scales the series; <paramref name="inputs"/> has missing values filled by the policy (forward fill when masked, so
    /// the model reads the last value), <paramref name="observed"/> keeps them NaN only when masked.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A feature is never observed in the series, under every policy: nothing could be scored for it, and an all-missing
    /// series would come back with no score at all. (A stream, which cannot know what is still to come, accepts it.)
    /// </exception>
    public static void Prepare(TimeSeries series, FittedScaler scaler, MissingValuePolicy policy, out float[] inputs, out float[] observed)
    {
        int features = series.Features;
        var scaled = new float[series.Values.Length];
        scaler.Transform(series.Values, scaled);
        observed = scaled;
        int[] missing = MissingValues.CountMissing(scaled, features);
        int never = Array.IndexOf(missing, series.Length);
        if (never >= 0)
        {
            int count = missing.Count(m => m == series.Length);
            throw new ArgumentException(
                $"Feature {never} of the series has no observed value (all {series.Length} are NaN){(count > 1 ? $", and so have {count - 1} other feature{(count > 2 ? "s" : string.Empty)}" : string.Empty)}; " +
                "every feature needs at least one observed value, under the Mask policy too (nothing could be scored for it).",
                nameof(series));
        }

        inputs = MissingValues.Fill(scaled, features, policy == MissingValuePolicy.Mask ? MissingValuePolicy.ForwardFill : policy);
        observed = policy == MissingValuePolicy.Mask ? observed : inputs;
    }
}
