namespace GruAnomaly.Scoring;

/// <summary>The built-in error combinations.</summary>
public static class ErrorCombination
{
    /// <summary>The mean over observed features of the absolute residual (or of the loss, for per-feature losses).</summary>
    /// <value>A shared <see cref="MeanErrorCombination"/>.</value>
    public static IErrorCombination Mean { get; } = new MeanErrorCombination();

    /// <summary>
    /// The Mahalanobis distance of the residual vector from the training residuals' mean, under their covariance:
    /// a break in the usual correlation of features scores high even when each residual alone is ordinary.
    /// </summary>
    /// <value>A shared <see cref="MahalanobisErrorCombination"/>.</value>
    public static IErrorCombination Mahalanobis { get; } = new MahalanobisErrorCombination();
}

/// <summary>The mean over observed features of |residual| (signed errors) or of the per-feature loss.</summary>
public sealed class MeanErrorCombination : IErrorCombination
{
    /// <inheritdoc />
    public string Name => "mean";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public bool RequiresSignedErrors => false;

    /// <inheritdoc />
    public IFittedErrorCombination Fit(ReadOnlySpan<float> errors, int features, bool signed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        return new FittedMeanErrorCombination(features, signed);
    }
}

/// <summary>A fitted <see cref="MeanErrorCombination"/>; it has nothing to learn but the feature count and the error kind.</summary>
internal sealed class FittedMeanErrorCombination : IFittedErrorCombination
{
    /// <summary>Creates the combination.</summary>
    /// <param name="features">Features per time step; positive.</param>
    /// <param name="signed">Whether errors are signed residuals (their absolute value is averaged) or losses (averaged as they are).</param>
    public FittedMeanErrorCombination(int features, bool signed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        Features = features;
        Signed = signed;
    }

    /// <inheritdoc />
    public string Name => "mean";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public int Features { get; }

    /// <summary>Gets whether the errors are signed residuals.</summary>
    public bool Signed { get; }

    /// <inheritdoc />
    public double Combine(ReadOnlySpan<float> errors, Span<double> contributions)
    {
        CombinationArguments.Validate(errors, contributions, Features);
        int observed = CountObserved(errors);
        double score = 0;
        for (int f = 0; f < Features; f++)
        {
            float error = errors[f];
            contributions[f] = float.IsNaN(error) ? 0 : (Signed ? Math.Abs(error) : error) / (double)observed;
            score += contributions[f];
        }

        return score;
    }

    /// <inheritdoc />
    public void Gradient(ReadOnlySpan<float> errors, Span<float> gradient)
    {
        CombinationArguments.Validate(errors, gradient, Features);
        int observed = CountObserved(errors);
        for (int f = 0; f < Features; f++)
        {
            float error = errors[f];
            gradient[f] = float.IsNaN(error) ? 0f : (Signed ? MathF.Sign(error) : 1f) / observed;
        }
    }

    private static int CountObserved(ReadOnlySpan<float> errors)
    {
        int observed = 0;
        foreach (float error in errors)
        {
            observed += float.IsNaN(error) ? 0 : 1;
        }

        return observed;
    }
}

/// <summary>Checks shared by the combinations.</summary>
internal static class CombinationArguments
{
    public static void Validate<T>(ReadOnlySpan<float> errors, Span<T> output, int features)
    {
        Diagnostics.Guard.Length(errors.Length, features, nameof(errors), "one error per feature");
        Diagnostics.Guard.Length(output.Length, features, nameof(output), "one value per feature");
        foreach (float error in errors)
        {
            if (float.IsInfinity(error))
            {
                throw new ArgumentException($"errors contains {error}; errors must be finite or NaN (missing).", nameof(errors));
            }
        }
    }
}
