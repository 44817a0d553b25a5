namespace GruAnomaly.Data;

/// <summary>How the datasets fill the inputs they hand to a network, which must never read NaN.</summary>
internal static class SeriesFill
{
    /// <summary>
    /// Replaces each missing value (NaN) by the last observed value of its feature, and those before the first
    /// observation by that first value.
    /// </summary>
    /// <exception cref="ArgumentException">A value is infinite, or a feature is never observed.</exception>
    public static float[] ForwardFill(float[] values, int features)
    {
        var filled = new float[values.Length];
        int length = values.Length / features;
        for (int f = 0; f < features; f++)
        {
            float last = float.NaN;
            for (int t = 0; t < length; t++)
            {
                float value = values[t * features + f];
                if (float.IsInfinity(value))
                {
                    throw new ArgumentException($"The series holds {value} at time {t}, feature {f}; values must be finite or NaN (missing).", nameof(values));
                }

                if (float.IsNaN(last) && !float.IsNaN(value))
                {
                    // Points before the first observation take its value.
                    for (int earlier = 0; earlier < t; earlier++)
                    {
                        filled[earlier * features + f] = value;
                    }
                }

                last = float.IsNaN(value) ? last : value;
                filled[t * features + f] = last;
            }

            if (float.IsNaN(last))
            {
                throw new ArgumentException($"Feature {f} is never observed (every value is NaN).", nameof(values));
            }
        }

        return filled;
    }
}
