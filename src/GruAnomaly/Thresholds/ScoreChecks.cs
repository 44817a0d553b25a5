using System.Globalization;

namespace GruAnomaly.Thresholds;

/// <summary>Argument checks shared by the threshold strategies, with messages that say what was expected.</summary>
internal static class ScoreChecks
{
    public static void Calibration(ReadOnlySpan<double> scores, int minimumCount, string strategyName, string paramName = "calibrationScores")
    {
        if (scores.Length < minimumCount)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{paramName} has {scores.Length} scores; {strategyName} needs at least {minimumCount}."),
                paramName);
        }

        Finite(scores, paramName);
    }

    public static void Finite(ReadOnlySpan<double> values, string paramName)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{paramName} contains {values[i]} at index {i}; scores must be finite (no NaN or infinity)."),
                    paramName);
            }
        }
    }

    public static void Apply(ReadOnlySpan<double> scores, Span<double> thresholds)
    {
        if (thresholds.Length != scores.Length)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"thresholds has {thresholds.Length} values; expected {scores.Length} (one per score)."),
                nameof(thresholds));
        }

        Finite(scores, nameof(scores));
    }

    public static void Probability(double value, string paramName, bool allowZero = false, bool allowOne = false)
    {
        bool aboveLower = allowZero ? value >= 0 : value > 0;
        bool belowUpper = allowOne ? value <= 1 : value < 1;
        if (!(aboveLower && belowUpper))
        {
            string lower = allowZero ? "[0" : "(0";
            string upper = allowOne ? "1]" : "1)";
            throw new ArgumentOutOfRangeException(
                paramName, value, $"{paramName} must be in {lower}, {upper}.");
        }
    }

    public static void FiniteArgument(double value, string paramName)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite.");
        }
    }

    public static void NonNegativeFinite(double value, string paramName)
    {
        if (!(value >= 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite and at least 0.");
        }
    }

    public static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
