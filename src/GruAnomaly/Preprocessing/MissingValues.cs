namespace GruAnomaly.Preprocessing;

/// <summary>Counting and filling missing (NaN) values of time-major series (<c>values[t·features + f]</c>), feature by feature.</summary>
/// <remarks>Infinity is never a missing value: it is rejected everywhere.</remarks>
internal static class MissingValues
{
    /// <summary>Copies a series into <paramref name="destination"/> with its missing values treated by <paramref name="policy"/>.</summary>
    /// <param name="values">The series, time-major; NaN marks a missing value.</param>
    /// <param name="features">Values per time step.</param>
    /// <param name="policy">How to treat missing values; see <see cref="MissingValuePolicy"/>.</param>
    /// <param name="destination">Receives the series; same length as <paramref name="values"/>. May overlap it, including in place.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is not positive, or <paramref name="policy"/> is not defined.</exception>
    /// <exception cref="ArgumentException">
    /// The length of <paramref name="values"/> is not a multiple of <paramref name="features"/>, the series is empty,
    /// <paramref name="destination"/> has another length, the series holds an infinity, or a feature has no observed value
    /// (under every policy, <see cref="MissingValuePolicy.Mask"/> included: such a feature carries no information).
    /// </exception>
    public static void Fill(ReadOnlySpan<float> values, int features, MissingValuePolicy policy, Span<float> destination)
    {
        SeriesArguments.Observed(values, features, nameof(values), nameof(features));
        SeriesArguments.SameLength(values.Length, destination.Length, nameof(destination));
        if (!Enum.IsDefined(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "policy must be Mask, Interpolate or ForwardFill.");
        }

        // Every later read is from destination, so a destination overlapping values in any way is safe.
        values.CopyTo(destination);
        switch (policy)
        {
            case MissingValuePolicy.Interpolate:
                for (int f = 0; f < features; f++)
                {
                    Interpolate(destination, features, f);
                }

                break;
            case MissingValuePolicy.ForwardFill:
                for (int f = 0; f < features; f++)
                {
                    ForwardFill(destination, features, f);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>Returns a copy of a series with its missing values treated by <paramref name="policy"/>.</summary>
    /// <param name="values">The series, time-major; NaN marks a missing value.</param>
    /// <param name="features">Values per time step.</param>
    /// <param name="policy">How to treat missing values; see <see cref="MissingValuePolicy"/>.</param>
    /// <returns>The treated series.</returns>
    /// <exception cref="ArgumentOutOfRangeException">See <see cref="Fill(ReadOnlySpan{float}, int, MissingValuePolicy, Span{float})"/>.</exception>
    /// <exception cref="ArgumentException">See <see cref="Fill(ReadOnlySpan{float}, int, MissingValuePolicy, Span{float})"/>.</exception>
    public static float[] Fill(ReadOnlySpan<float> values, int features, MissingValuePolicy policy)
    {
        float[] result = new float[values.Length];
        Fill(values, features, policy, result);
        return result;
    }

    /// <summary>Counts the missing (NaN) values of each feature.</summary>
    /// <param name="values">The series, time-major; NaN marks a missing value.</param>
    /// <param name="features">Values per time step.</param>
    /// <returns>One count per feature; their sum is the total number of missing values.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="values"/> is not a multiple of <paramref name="features"/>, or the series holds an infinity.</exception>
    public static int[] CountMissing(ReadOnlySpan<float> values, int features)
    {
        SeriesArguments.Layout(values, features, nameof(values), nameof(features));
        SeriesArguments.NoInfinity(values, features, nameof(values));
        int[] counts = new int[features];
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i]))
            {
                counts[i % features]++;
            }
        }

        return counts;
    }

    private static void Interpolate(Span<float> series, int features, int feature)
    {
        int previous = -1;
        for (int i = feature; i < series.Length; i += features)
        {
            float value = series[i];
            if (float.IsNaN(value))
            {
                continue;
            }

            if (previous < 0)
            {
                FillRange(series, features, feature, i, value);
            }
            else if (i - previous > features)
            {
                double start = series[previous];
                double step = (value - start) / ((i - previous) / features);
                for (int gap = previous + features, k = 1; gap < i; gap += features, k++)
                {
                    series[gap] = (float)(start + (k * step));
                }
            }

            previous = i;
        }

        FillRange(series, features, previous + features, series.Length, series[previous]);
    }

    private static void ForwardFill(Span<float> series, int features, int feature)
    {
        float last = float.NaN;
        for (int i = feature; i < series.Length; i += features)
        {
            if (!float.IsNaN(series[i]))
            {
                if (float.IsNaN(last))
                {
                    FillRange(series, features, feature, i, series[i]);
                }

                last = series[i];
            }
            else if (!float.IsNaN(last))
            {
                series[i] = last;
            }
        }
    }

    /// <summary>Sets every <paramref name="features"/>-th element in <c>[from, to)</c> to <paramref name="value"/>.</summary>
    private static void FillRange(Span<float> series, int features, int from, int to, float value)
    {
        for (int i = from; i < to; i += features)
        {
            series[i] = value;
        }
    }
}
