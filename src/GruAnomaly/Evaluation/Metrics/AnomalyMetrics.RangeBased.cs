using GruAnomaly.Data;

namespace GruAnomaly.Evaluation;

public static partial class AnomalyMetrics
{
    private static readonly RangeBasedOptions DefaultRangeBasedOptions = new();

    /// <summary>
    /// Range-based precision and recall of Tatbul et al., "Precision and Recall for Time Series" (NeurIPS 2018): each
    /// run of true labels is a labelled range, each run of true flags a predicted range, and ranges are scored by how
    /// much, where and by how many pieces they are covered.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Recall is the mean over labelled ranges R of <c>α·Existence(R) + (1 − α)·Overlap(R)</c>, where Existence is 1 if
    /// any predicted range overlaps R, and <c>Overlap(R) = CardinalityFactor(R) · Σⱼ ω(R, R ∩ Pⱼ)</c>. Here
    /// <c>ω(R, O) = Σ_{i ∈ O} δ(i, |R|) / Σ_{i ∈ R} δ(i, |R|)</c> is the share of R's positional weight δ that is
    /// covered, and the cardinality factor is 1 when at most one predicted range overlaps R, otherwise γ
    /// (1, or 1/x for x overlapping ranges). Precision is the same with the roles of labelled and predicted ranges
    /// swapped and α = 0.
    /// </para>
    /// <para>
    /// Undefined ratios are 0: recall is 0 when no point is labelled anomalous, precision is 0 when no point is flagged.
    /// With α = 0, flat bias and ranges that are all single points, both reduce to the point-wise scores.
    /// </para>
    /// </remarks>
    /// <param name="labels">True where the point is anomalous.</param>
    /// <param name="predicted">True where the detector flagged the point; same length as <paramref name="labels"/>.</param>
    /// <param name="options">α, positional biases and cardinality; the defaults (α = 0, flat, reciprocal) when null.</param>
    /// <returns>The range-based precision, recall and F1.</returns>
    /// <exception cref="ArgumentException">The inputs are empty or differ in length, or the options are invalid.</exception>
    public static RangeDetectionScores RangeBased(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predicted, RangeBasedOptions? options = null)
    {
        MetricInputs.Flags(labels, predicted);
        options ??= DefaultRangeBasedOptions;
        options.Validate();

        Run[] labelled = Run.Find(labels);
        Run[] flagged = Run.Find(predicted);
        double recall = MeanRangeReward(labelled, flagged, options.Alpha, options.RecallBias, options.Cardinality);
        double precision = MeanRangeReward(flagged, labelled, 0, options.PrecisionBias, options.Cardinality);

        // Rounding can push a mean of rewards in [0, 1] a hair above 1.
        return new RangeDetectionScores(Math.Min(precision, 1), Math.Min(recall, 1), labelled.Length, flagged.Length);
    }

    /// <summary>Mean over <paramref name="targets"/> of α·existence + (1 − α)·overlap reward against <paramref name="others"/>.</summary>
    private static double MeanRangeReward(Run[] targets, Run[] others, double alpha, PositionalBias bias, CardinalityPenalty cardinality)
    {
        if (targets.Length == 0)
        {
            return 0;
        }

        double total = 0;
        int firstCandidate = 0;
        foreach (Run target in targets)
        {
            // Both lists are sorted and disjoint, so ranges ending before this target cannot overlap any later one either.
            while (firstCandidate < others.Length && others[firstCandidate].End <= target.Start)
            {
                firstCandidate++;
            }

            int overlapping = 0;
            double coveredWeight = 0;
            for (int j = firstCandidate; j < others.Length && others[j].Start < target.End; j++)
            {
                overlapping++;
                int from = Math.Max(target.Start, others[j].Start) - target.Start;
                int to = Math.Min(target.End, others[j].End) - target.Start;
                coveredWeight += PositionalWeight(bias, from, to, target.Length);
            }

            if (overlapping == 0)
            {
                continue;
            }

            double cardinalityFactor = overlapping == 1 || cardinality == CardinalityPenalty.One ? 1 : 1.0 / overlapping;
            double overlapReward = cardinalityFactor * coveredWeight / PositionalWeight(bias, 0, target.Length, target.Length);
            total += alpha + ((1 - alpha) * overlapReward);
        }

        return total / targets.Length;
    }

    /// <summary>Σ δ(i, length) over the 1-based positions i = from + 1 .. to of a range.</summary>
    private static double PositionalWeight(PositionalBias bias, int from, int to, int length)
    {
        if (bias == PositionalBias.Flat)
        {
            return to - from;
        }

        double sum = 0;
        for (int i = from + 1; i <= to; i++)
        {
            sum += bias switch
            {
                PositionalBias.Front => length - i + 1,
                PositionalBias.Back => i,
                _ => 2 * i <= length ? i : length - i + 1,
            };
        }

        return sum;
    }
}
