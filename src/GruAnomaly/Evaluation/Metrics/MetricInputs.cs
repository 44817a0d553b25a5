using GruAnomaly.Diagnostics;

namespace GruAnomaly.Evaluation;

/// <summary>Argument checks shared by the metrics, with messages that say what was wrong and what was expected.</summary>
internal static class MetricInputs
{
    public static void Flags(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predicted)
    {
        NotEmpty(labels.Length, "labels");
        Guard.Length(predicted.Length, labels.Length, nameof(predicted), "one predicted flag per label");
    }

    public static void Scores(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        NotEmpty(labels.Length, nameof(labels));
        Guard.Length(scores.Length, labels.Length, nameof(scores), "one score per label");
        for (int i = 0; i < scores.Length; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException(
                    $"scores contains {scores[i]} at index {i}; scores must be finite (no NaN or infinity).", nameof(scores));
            }
        }
    }

    /// <summary>Counts the positive labels and rejects a single class, on which a ranking metric is undefined.</summary>
    public static int PositivesOfTwoClasses(ReadOnlySpan<bool> labels, string metric)
    {
        int positives = labels.Count(true);
        if (positives == 0 || positives == labels.Length)
        {
            string only = positives == 0 ? "negatives (false)" : "positives (true)";
            throw new ArgumentException(
                $"labels contains only {only}; {metric} needs at least one positive and one negative label.", nameof(labels));
        }

        return positives;
    }

    private static void NotEmpty(int length, string paramName)
    {
        if (length == 0)
        {
            throw new ArgumentException($"{paramName} is empty; expected at least one point.", paramName);
        }
    }
}
