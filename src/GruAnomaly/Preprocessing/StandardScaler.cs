namespace GruAnomaly.Preprocessing;

/// <summary>
/// Standardization: each feature's offset is its mean and its scale its population standard deviation (divisor n, as
/// scikit-learn's <c>StandardScaler</c>), over the observed values.
/// </summary>
/// <remarks>A feature whose standard deviation is zero (constant) gets scale 1: it is centred, not divided by zero.</remarks>
public sealed class StandardScaler : IScalerStrategy
{
    /// <inheritdoc/>
    /// <value>Always <c>"Standard"</c>.</value>
    public string Name => "Standard";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public FittedScaler Fit(ReadOnlySpan<float> values, int features)
    {
        SeriesArguments.Observed(values, features, nameof(values), nameof(features));
        float[] offsets = new float[features];
        float[] scales = new float[features];
        for (int f = 0; f < features; f++)
        {
            double sum = 0;
            int count = 0;
            for (int i = f; i < values.Length; i += features)
            {
                if (!float.IsNaN(values[i]))
                {
                    sum += values[i];
                    count++;
                }
            }

            // Two passes: the sum of squared deviations from the mean does not cancel catastrophically, unlike E[x²] − E[x]².
            double mean = sum / count;
            double squares = 0;
            for (int i = f; i < values.Length; i += features)
            {
                if (!float.IsNaN(values[i]))
                {
                    double deviation = values[i] - mean;
                    squares += deviation * deviation;
                }
            }

            offsets[f] = ScalerFitting.Offset(mean, f, nameof(values));
            scales[f] = ScalerFitting.ScaleOrOne(Math.Sqrt(squares / count), f, nameof(values));
        }

        return new FittedScaler(Name, offsets, scales);
    }
}
