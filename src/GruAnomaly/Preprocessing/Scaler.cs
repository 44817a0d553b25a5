namespace GruAnomaly.Preprocessing;

/// <summary>The built-in scaling strategies.</summary>
public static class Scaler
{
    /// <summary>Standardization by mean and population standard deviation.</summary>
    /// <returns>A <see cref="StandardScaler"/>.</returns>
    public static IScalerStrategy Standard() => new StandardScaler();

    /// <summary>Min-max scaling of each feature's observed range onto <c>[min, max]</c>.</summary>
    /// <param name="min">The image of each feature's smallest observed value; finite.</param>
    /// <param name="max">The image of each feature's largest observed value; finite and greater than <paramref name="min"/>.</param>
    /// <returns>A <see cref="MinMaxScaler"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="max"/> is not greater than <paramref name="min"/>.</exception>
    public static IScalerStrategy MinMax(float min = 0f, float max = 1f) => new MinMaxScaler(min, max);

    /// <summary>Robust scaling by median and interquartile range.</summary>
    /// <returns>A <see cref="RobustScaler"/>.</returns>
    public static IScalerStrategy Robust() => new RobustScaler();

    /// <summary>No scaling (offset 0, scale 1).</summary>
    /// <returns>An <see cref="IdentityScaler"/>.</returns>
    public static IScalerStrategy None() => new IdentityScaler();
}
