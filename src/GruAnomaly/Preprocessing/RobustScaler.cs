namespace GruAnomaly.Preprocessing;

/// <summary>
/// Robust scaling: each feature's offset is its median and its scale its interquartile range <c>Q(0.75) − Q(0.25)</c>,
/// over the observed values, as scikit-learn's <c>RobustScaler</c>.
/// </summary>
/// <remarks>
/// Quantiles interpolate linearly between order statistics, as NumPy's default (<c>method='linear'</c>): with the
/// <c>n</c> observed values sorted as <c>v[0..n−1]</c>, <c>Q(q) = v[k] + (h − k)·(v[k+1] − v[k])</c> where
/// <c>h = (n − 1)·q</c> and <c>k = ⌊h⌋</c>. A feature whose interquartile range is zero gets scale 1: it is centred on
/// its median, not divided by zero.
/// </remarks>
public sealed class RobustScaler : IScalerStrategy
{
    /// <inheritdoc/>
    /// <value>Always <c>"Robust"</c>.</value>
    public string Name => "Robust";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public FittedScaler Fit(ReadOnlySpan<float> values, int features)
    {
        SeriesArguments.Observed(values, features, nameof(values), nameof(features));
        float[] offsets = new float[features];
        float[] scales = new float[features];
        float[] observed = new float[values.Length / features];
        for (int f = 0; f < features; f++)
        {
            int count = 0;
            for (int i = f; i < values.Length; i += features)
            {
                if (!float.IsNaN(values[i]))
                {
                    observed[count++] = values[i];
                }
            }

            Span<float> sorted = observed.AsSpan(0, count);
            sorted.Sort();
            offsets[f] = ScalerFitting.Offset(Quantile(sorted, 0.5), f, nameof(values));
            scales[f] = ScalerFitting.ScaleOrOne(Quantile(sorted, 0.75) - Quantile(sorted, 0.25), f, nameof(values));
        }

        return new FittedScaler(Name, offsets, scales);
    }

    /// <summary>NumPy's linear quantile of sorted values (see the remarks of <see cref="RobustScaler"/>).</summary>
    internal static double Quantile(ReadOnlySpan<float> sorted, double q)
    {
        double position = (sorted.Length - 1) * q;
        int below = (int)Math.Floor(position);
        if (below + 1 >= sorted.Length)
        {
            return sorted[below];
        }

        double fraction = position - below;
        return sorted[below] + (fraction * ((double)sorted[below + 1] - sorted[below]));
    }
}
