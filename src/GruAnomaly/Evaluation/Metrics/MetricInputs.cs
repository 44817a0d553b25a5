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

    /// <summary>Checks that alarms are time steps of the labelled series, in strictly increasing order.</summary>
    public static void Alarms(ReadOnlySpan<bool> labels, IReadOnlyList<int> alarms)
    {
        NotEmpty(labels.Length, nameof(labels));
        ArgumentNullException.ThrowIfNull(alarms);
        for (int i = 0; i < alarms.Count; i++)
        {
            int alarm = alarms[i];
            if (alarm < 0 || alarm >= labels.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(alarms), alarm,
                    $"alarms[{i}] is {alarm}; every alarm must be a time step in [0, {labels.Length}) (the length of labels).");
            }

            if (i > 0 && alarm <= alarms[i - 1])
            {
                throw new ArgumentException(
                    $"alarms[{i}] is {alarm}, not after alarms[{i - 1}] = {alarms[i - 1]}; alarms must be strictly increasing time steps.",
                    nameof(alarms));
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
