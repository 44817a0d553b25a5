namespace GruAnomaly.Preprocessing;

/// <summary>
/// Min-max scaling: each feature's observed range <c>[lo, hi]</c> maps linearly onto <c>[Min, Max]</c>, as
/// scikit-learn's <c>MinMaxScaler(feature_range=(Min, Max))</c>. As an affine map, <c>Scales[f] = (hi − lo) / (Max − Min)</c>
/// and <c>Offsets[f] = lo − Min·Scales[f]</c>.
/// </summary>
/// <remarks>
/// A constant feature (<c>hi = lo</c>) gets scale 1 and maps to <see cref="Min"/>. Values outside the fitted range map
/// outside <c>[Min, Max]</c>; they are not clipped.
/// </remarks>
public sealed class MinMaxScaler : IScalerStrategy
{
    /// <summary>Creates a min-max strategy.</summary>
    /// <param name="min">The image of each feature's smallest observed value; finite.</param>
    /// <param name="max">The image of each feature's largest observed value; finite and greater than <paramref name="min"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="max"/> is not greater than <paramref name="min"/>.</exception>
    public MinMaxScaler(float min = 0f, float max = 1f)
    {
        if (!float.IsFinite(min))
        {
            throw new ArgumentOutOfRangeException(nameof(min), min, "min must be finite.");
        }

        if (!float.IsFinite(max) || !(max > min))
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, $"max must be finite and greater than min ({SeriesArguments.Format(min)}).");
        }

        if (float.IsInfinity(max - min))
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, "max − min must be a finite float.");
        }

        Min = min;
        Max = max;
    }

    /// <summary>The image of each feature's smallest observed value.</summary>
    /// <value>The value given to the constructor; 0 by default.</value>
    public float Min { get; }

    /// <summary>The image of each feature's largest observed value.</summary>
    /// <value>The value given to the constructor; 1 by default.</value>
    public float Max { get; }

    /// <inheritdoc/>
    /// <value>Always <c>"MinMax"</c>; the target range is folded into the fitted offsets and scales.</value>
    public string Name => "MinMax";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public FittedScaler Fit(ReadOnlySpan<float> values, int features)
    {
        SeriesArguments.Observed(values, features, nameof(values), nameof(features));
        float[] offsets = new float[features];
        float[] scales = new float[features];
        double targetRange = (double)Max - Min;
        for (int f = 0; f < features; f++)
        {
            float lo = float.PositiveInfinity;
            float hi = float.NegativeInfinity;
            for (int i = f; i < values.Length; i += features)
            {
                float value = values[i];
                if (!float.IsNaN(value))
                {
                    lo = MathF.Min(lo, value);
                    hi = MathF.Max(hi, value);
                }
            }

            float scale = ScalerFitting.ScaleOrOne(((double)hi - lo) / targetRange, f, nameof(values));
            scales[f] = scale;
            offsets[f] = ScalerFitting.Offset(lo - (Min * (double)scale), f, nameof(values));
        }

        return new FittedScaler(Name, offsets, scales);
    }
}
