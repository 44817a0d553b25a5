namespace GruAnomaly.Preprocessing;

/// <summary>
/// A way of scaling each feature of a series: an untrained, immutable estimator whose <see cref="Fit"/> measures a
/// training series and returns the per-feature affine map as a <see cref="FittedScaler"/>.
/// </summary>
/// <remarks>
/// Series are time-major (<c>values[t·features + f]</c>). Fitting ignores NaN (missing) values and rejects infinities.
/// Implementations are immutable and safe to share between threads.
/// </remarks>
public interface IScalerStrategy
{
    /// <summary>A short, stable name for logs and persisted models; copied into every <see cref="FittedScaler.Name"/>.</summary>
    string Name { get; }

    /// <summary>Measures each feature of <paramref name="values"/> and returns the fitted map.</summary>
    /// <param name="values">The training series, time-major; NaN marks a missing value and is ignored.</param>
    /// <param name="features">Values per time step.</param>
    /// <returns>The per-feature map <c>x′ = (x − Offsets[f]) / Scales[f]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is not positive.</exception>
    /// <exception cref="ArgumentException">
    /// The length of <paramref name="values"/> is not a multiple of <paramref name="features"/>, the series is empty, holds
    /// an infinity, or has a feature without any finite value.
    /// </exception>
    FittedScaler Fit(ReadOnlySpan<float> values, int features);
}
