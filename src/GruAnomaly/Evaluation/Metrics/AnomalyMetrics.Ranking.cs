namespace GruAnomaly.Evaluation;

public static partial class AnomalyMetrics
{
    /// <summary>
    /// Area under the ROC curve of <paramref name="scores"/> against <paramref name="labels"/>: the probability that a
    /// random anomalous point scores higher than a random normal one, ties counting one half.
    /// </summary>
    /// <remarks>
    /// Computed from average ranks (the Mann–Whitney U statistic divided by positives × negatives), which equals the
    /// trapezoidal area of scikit-learn's <c>roc_auc_score</c>, ties included. O(n log n).
    /// </remarks>
    /// <param name="labels">True where the point is anomalous; both classes must occur.</param>
    /// <param name="scores">The detector's scores, higher = more anomalous; finite, same length as <paramref name="labels"/>.</param>
    /// <returns>The area, in [0, 1]; 0.5 for uninformative scores.</returns>
    /// <exception cref="ArgumentException">
    /// The inputs are empty or differ in length, a score is NaN or infinite, or the labels hold only one class.
    /// </exception>
    public static double RocAuc(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        MetricInputs.Scores(labels, scores);
        int positives = MetricInputs.PositivesOfTwoClasses(labels, "ROC-AUC");
        int negatives = labels.Length - positives;
        (double[] sorted, bool[] sortedLabels) = SortByScore(labels, scores);

        double positiveRankSum = 0;
        int start = 0;
        while (start < sorted.Length)
        {
            int end = start;
            int positivesInGroup = 0;
            while (end < sorted.Length && sorted[end] == sorted[start])
            {
                if (sortedLabels[end]) positivesInGroup++;
                end++;
            }

            // Tied scores share the mean of the 1-based ranks start + 1 .. end.
            positiveRankSum += positivesInGroup * ((start + 1 + end) / 2.0);
            start = end;
        }

        double u = positiveRankSum - (positives * (positives + 1.0) / 2);
        return u / ((double)positives * negatives);
    }

    /// <summary>
    /// Average precision of <paramref name="scores"/> against <paramref name="labels"/>, the usual PR-AUC:
    /// <c>Σₙ (Rₙ − Rₙ₋₁)·Pₙ</c> over the distinct score thresholds from high to low, as scikit-learn's
    /// <c>average_precision_score</c>.
    /// </summary>
    /// <remarks>
    /// Points with equal scores enter at the same threshold (they are never split). Unlike a trapezoidal area under the
    /// precision–recall curve this does not interpolate, so it is not optimistic. A random detector scores about the
    /// share of anomalous points. O(n log n).
    /// </remarks>
    /// <param name="labels">True where the point is anomalous; both classes must occur.</param>
    /// <param name="scores">The detector's scores, higher = more anomalous; finite, same length as <paramref name="labels"/>.</param>
    /// <returns>The average precision, in (0, 1].</returns>
    /// <exception cref="ArgumentException">
    /// The inputs are empty or differ in length, a score is NaN or infinite, or the labels hold only one class.
    /// </exception>
    public static double AveragePrecision(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        MetricInputs.Scores(labels, scores);
        int positives = MetricInputs.PositivesOfTwoClasses(labels, "average precision");
        (double[] sorted, bool[] sortedLabels) = SortByScore(labels, scores);

        double sum = 0;
        int truePositives = 0;
        int end = sorted.Length;
        while (end > 0)
        {
            int start = end - 1;
            int positivesInGroup = sortedLabels[start] ? 1 : 0;
            while (start > 0 && sorted[start - 1] == sorted[end - 1])
            {
                start--;
                if (sortedLabels[start]) positivesInGroup++;
            }

            truePositives += positivesInGroup;
            int flagged = sorted.Length - start;

            // Recall rises by positivesInGroup / positives at this threshold; that factor is applied once at the end.
            sum += positivesInGroup * ((double)truePositives / flagged);
            end = start;
        }

        return sum / positives;
    }

    /// <summary>Scores in ascending order, with the labels carried along.</summary>
    private static (double[] Scores, bool[] Labels) SortByScore(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        double[] sorted = scores.ToArray();
        bool[] sortedLabels = labels.ToArray();
        Array.Sort(sorted, sortedLabels);
        return (sorted, sortedLabels);
    }
}
