namespace GruAnomaly.Preprocessing;

/// <summary>The built-in scaling strategies.</summary>
/// <remarks>
/// The factories never throw: for invalid arguments they return a placeholder that <c>AnomalyDetectorBuilder.Build</c>
/// reports with every other invalid choice and whose <c>Fit</c> throws an <see cref="ArgumentException"/> naming the problem.
/// The scalers' constructors still throw at once.
/// </remarks>
public static class Scaler
{
    /// <summary>Standardization by mean and population standard deviation.</summary>
    /// <returns>A <see cref="StandardScaler"/>.</returns>
    public static IScalerStrategy Standard() => new StandardScaler();

    /// <summary>Min-max scaling of each feature's observed range onto <c>[min, max]</c>.</summary>
    /// <param name="min">The image of each feature's smallest observed value; finite.</param>
    /// <param name="max">The image of each feature's largest observed value; finite and greater than <paramref name="min"/>.</param>
    /// <returns>A <see cref="MinMaxScaler"/>.</returns>
    public static IScalerStrategy MinMax(float min = 0f, float max = 1f) => InvalidScaler.Or("Scaler.MinMax", () => new MinMaxScaler(min, max));

    /// <summary>Robust scaling by median and interquartile range.</summary>
    /// <returns>A <see cref="RobustScaler"/>.</returns>
    public static IScalerStrategy Robust() => new RobustScaler();

    /// <summary>No scaling (offset 0, scale 1).</summary>
    /// <returns>An <see cref="IdentityScaler"/>.</returns>
    public static IScalerStrategy None() => new IdentityScaler();
}

/// <summary>What a <see cref="Scaler"/> factory returns for invalid arguments: reported by the builder, refused by <see cref="Fit"/>.</summary>
internal sealed class InvalidScaler(string name, string problem) : IScalerStrategy, Diagnostics.IInvalidChoice
{
    public string Name => name;

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    public string Problem => problem;

    /// <summary>Creates the scaler, or a placeholder that carries why its arguments were refused.</summary>
    public static IScalerStrategy Or(string factory, Func<IScalerStrategy> create) =>
        Diagnostics.DeferredArguments.TryCreate(factory, create, out string? problem) ?? new InvalidScaler($"{factory}(invalid)", problem!);

    public FittedScaler Fit(ReadOnlySpan<float> values, int features) => throw Diagnostics.DeferredArguments.Refusal(problem);
}
