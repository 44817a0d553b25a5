namespace GruAnomaly.Evaluation;

public static partial class AnomalyMetrics
{
    /// <summary>Point-wise precision, recall and F1: every point counts once, whatever event it belongs to.</summary>
    /// <param name="labels">True where the point is anomalous.</param>
    /// <param name="predicted">True where the detector flagged the point; same length as <paramref name="labels"/>.</param>
    /// <returns>The confusion counts and the scores; undefined ratios are 0 (see <see cref="DetectionScores"/>).</returns>
    /// <exception cref="ArgumentException">The inputs are empty or differ in length.</exception>
    public static DetectionScores PointWise(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predicted)
    {
        MetricInputs.Flags(labels, predicted);
        int truePositives = 0, falsePositives = 0, falseNegatives = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (predicted[i])
            {
                if (labels[i]) truePositives++;
                else falsePositives++;
            }
            else if (labels[i])
            {
                falseNegatives++;
            }
        }

        int trueNegatives = labels.Length - truePositives - falsePositives - falseNegatives;
        return new DetectionScores(truePositives, falsePositives, falseNegatives, trueNegatives);
    }
}
