using GruAnomaly.Diagnostics;

namespace GruAnomaly.Evaluation;

/// <summary>
/// The confusion counts of flagged points against labelled points, and the precision, recall and F1 they give.
/// </summary>
/// <remarks>
/// Undefined ratios are 0, as scikit-learn's <c>zero_division=0</c>: precision is 0 when nothing is flagged, recall
/// is 0 when nothing is labelled anomalous, and F1 = 2·TP / (2·TP + FP + FN) is 0 when both are empty (and whenever
/// TP is 0). A detector that flags nothing on a series without anomalies therefore scores 0, not 1: these scores only
/// mean something when the labels contain anomalies.
/// </remarks>
public sealed record DetectionScores
{
    /// <summary>Creates the scores of the given confusion counts.</summary>
    /// <param name="truePositives">Anomalous points that were flagged.</param>
    /// <param name="falsePositives">Normal points that were flagged.</param>
    /// <param name="falseNegatives">Anomalous points that were not flagged.</param>
    /// <param name="trueNegatives">Normal points that were not flagged.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public DetectionScores(int truePositives, int falsePositives, int falseNegatives, int trueNegatives)
    {
        var problems = new ArgumentProblems();
        if (truePositives < 0) problems.Add(nameof(truePositives), truePositives, $"truePositives must be 0 or more; got {truePositives}.");
        if (falsePositives < 0) problems.Add(nameof(falsePositives), falsePositives, $"falsePositives must be 0 or more; got {falsePositives}.");
        if (falseNegatives < 0) problems.Add(nameof(falseNegatives), falseNegatives, $"falseNegatives must be 0 or more; got {falseNegatives}.");
        if (trueNegatives < 0) problems.Add(nameof(trueNegatives), trueNegatives, $"trueNegatives must be 0 or more; got {trueNegatives}.");
        problems.ThrowIfAny();

        TruePositives = truePositives;
        FalsePositives = falsePositives;
        FalseNegatives = falseNegatives;
        TrueNegatives = trueNegatives;
    }

    /// <summary>Gets the number of anomalous points that were flagged (TP).</summary>
    public int TruePositives { get; }

    /// <summary>Gets the number of normal points that were flagged (FP).</summary>
    public int FalsePositives { get; }

    /// <summary>Gets the number of anomalous points that were not flagged (FN).</summary>
    public int FalseNegatives { get; }

    /// <summary>Gets the number of normal points that were not flagged (TN).</summary>
    public int TrueNegatives { get; }

    /// <summary>Gets TP / (TP + FP), the share of flagged points that are anomalous; 0 when nothing is flagged.</summary>
    public double Precision => Ratio(TruePositives, (double)TruePositives + FalsePositives);

    /// <summary>Gets TP / (TP + FN), the share of anomalous points that are flagged; 0 when nothing is labelled anomalous.</summary>
    public double Recall => Ratio(TruePositives, (double)TruePositives + FalseNegatives);

    /// <summary>Gets 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall; 0 when TP is 0.</summary>
    public double F1 => Ratio(2.0 * TruePositives, (2.0 * TruePositives) + FalsePositives + FalseNegatives);

    private static double Ratio(double numerator, double denominator) => denominator == 0 ? 0 : numerator / denominator;
}
