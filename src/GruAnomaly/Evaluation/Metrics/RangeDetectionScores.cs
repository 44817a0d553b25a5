using GruAnomaly.Diagnostics;

namespace GruAnomaly.Evaluation;

/// <summary>Range-based (event-wise) precision and recall of Tatbul et al. (2018), and the F1 they give.</summary>
/// <remarks>
/// Undefined ratios are 0: recall is 0 when the labels hold no anomalous range, precision is 0 when nothing is
/// flagged, and F1 is 0 when precision and recall are both 0. See <see cref="AnomalyMetrics.RangeBased"/>.
/// </remarks>
public sealed record RangeDetectionScores
{
    /// <summary>Creates range-based scores from their parts.</summary>
    /// <param name="precision">Mean score of the predicted ranges, in [0, 1].</param>
    /// <param name="recall">Mean score of the labelled ranges, in [0, 1].</param>
    /// <param name="labelledRangeCount">Number of labelled (real) anomalous ranges.</param>
    /// <param name="predictedRangeCount">Number of predicted ranges.</param>
    /// <exception cref="ArgumentOutOfRangeException">A score is outside [0, 1] or a count is negative.</exception>
    public RangeDetectionScores(double precision, double recall, int labelledRangeCount, int predictedRangeCount)
    {
        var problems = new ArgumentProblems();
        if (!(precision >= 0 && precision <= 1)) problems.Add(nameof(precision), precision, $"precision must be in [0, 1]; got {precision}.");
        if (!(recall >= 0 && recall <= 1)) problems.Add(nameof(recall), recall, $"recall must be in [0, 1]; got {recall}.");
        if (labelledRangeCount < 0) problems.Add(nameof(labelledRangeCount), labelledRangeCount, $"labelledRangeCount must be 0 or more; got {labelledRangeCount}.");
        if (predictedRangeCount < 0) problems.Add(nameof(predictedRangeCount), predictedRangeCount, $"predictedRangeCount must be 0 or more; got {predictedRangeCount}.");
        problems.ThrowIfAny();

        Precision = precision;
        Recall = recall;
        LabelledRangeCount = labelledRangeCount;
        PredictedRangeCount = predictedRangeCount;
    }

    /// <summary>Gets the range-based precision: the mean over predicted ranges of how well each is covered by labelled ranges.</summary>
    public double Precision { get; }

    /// <summary>Gets the range-based recall: the mean over labelled ranges of how well each is covered by predicted ranges.</summary>
    public double Recall { get; }

    /// <summary>Gets the harmonic mean 2·P·R / (P + R); 0 when both are 0.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Gets the number of labelled anomalous ranges (runs of true labels).</summary>
    public int LabelledRangeCount { get; }

    /// <summary>Gets the number of predicted ranges (runs of true flags).</summary>
    public int PredictedRangeCount { get; }
}
