namespace GruAnomaly.Preprocessing;

/// <summary>Conversion of fitted statistics, computed in double, to the float state of a <see cref="FittedScaler"/>.</summary>
internal static class ScalerFitting
{
    /// <summary>
    /// The scale of a feature with the given spread. A spread that is zero in float (a constant feature, or one too
    /// narrow to represent) gives 1, so that feature is only shifted instead of divided by zero.
    /// </summary>
    public static float ScaleOrOne(double spread, int feature, string valuesName)
    {
        float scale = (float)spread;
        if (float.IsPositiveInfinity(scale))
        {
            throw new ArgumentException(
                $"Feature {feature} of {valuesName} spreads wider than the float range (spread {SeriesArguments.Format(spread)}); "
                + "the spread of every feature must be a finite float.",
                valuesName);
        }

        return scale > 0f ? scale : 1f;
    }

    /// <summary>Rounds a fitted offset to float, rejecting one outside the float range.</summary>
    public static float Offset(double offset, int feature, string valuesName)
    {
        float rounded = (float)offset;
        if (!float.IsFinite(rounded))
        {
            throw new ArgumentException(
                $"Feature {feature} of {valuesName} gives offset {SeriesArguments.Format(offset)}, outside the float range; offsets must be finite floats.",
                valuesName);
        }

        return rounded;
    }
}
