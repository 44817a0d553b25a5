namespace GruAnomaly.Preprocessing;

/// <summary>No scaling: every offset is 0 and every scale 1, so values pass through unchanged.</summary>
/// <remarks>Fitting still checks the series (layout, no infinity, every feature observed) and records the feature count.</remarks>
public sealed class IdentityScaler : IScalerStrategy
{
    /// <inheritdoc/>
    /// <value>Always <c>"None"</c>.</value>
    public string Name => "None";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public FittedScaler Fit(ReadOnlySpan<float> values, int features)
    {
        SeriesArguments.Observed(values, features, nameof(values), nameof(features));
        float[] scales = new float[features];
        Array.Fill(scales, 1f);
        return new FittedScaler(Name, new float[features], scales);
    }
}
