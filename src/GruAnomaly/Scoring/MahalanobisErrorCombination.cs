using MathNet.Numerics.LinearAlgebra;

namespace GruAnomaly.Scoring;

/// <summary>
/// The Mahalanobis distance <c>√((e − μ)ᵀ Σ⁻¹ (e − μ))</c> of a residual vector e, with μ and Σ the mean and covariance
/// of the training residuals. Needs signed residuals.
/// </summary>
public sealed class MahalanobisErrorCombination : IErrorCombination
{
    /// <inheritdoc />
    public string Name => "mahalanobis";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public bool RequiresSignedErrors => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">
    /// The errors are not signed residuals, or fewer than features + 1 time steps have every feature observed.
    /// </exception>
    public IFittedErrorCombination Fit(ReadOnlySpan<float> errors, int features, bool signed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (!signed)
        {
            throw new ArgumentException(
                "The Mahalanobis combination needs signed residuals; this scorer gives per-feature losses (use ErrorCombination.Mean).",
                nameof(signed));
        }

        var mean = new double[features];
        var covariance = new double[features * features];
        int rows = 0;
        for (int start = 0; start + features <= errors.Length; start += features)
        {
            ReadOnlySpan<float> row = errors.Slice(start, features);
            if (!IsComplete(row))
            {
                continue;
            }

            rows++;
            for (int f = 0; f < features; f++)
            {
                mean[f] += row[f];
            }
        }

        if (rows <= features)
        {
            throw new ArgumentException(
                $"The Mahalanobis combination needs more than {features} time steps with every feature observed; got {rows}.", nameof(errors));
        }

        for (int f = 0; f < features; f++)
        {
            mean[f] /= rows;
        }

        for (int start = 0; start + features <= errors.Length; start += features)
        {
            ReadOnlySpan<float> row = errors.Slice(start, features);
            if (!IsComplete(row))
            {
                continue;
            }

            for (int i = 0; i < features; i++)
            {
                for (int j = 0; j < features; j++)
                {
                    covariance[(i * features) + j] += (row[i] - mean[i]) * (row[j] - mean[j]) / (rows - 1);
                }
            }
        }

        if (Enumerable.Range(0, features).All(f => covariance[(f * features) + f] == 0))
        {
            throw new ArgumentException(
                "The training residuals have zero variance in every feature (a constant training series?); the Mahalanobis " +
                "distance needs residuals that vary. Use ErrorCombination.Mean.", nameof(errors));
        }

        return new FittedMahalanobisCombination(mean, covariance);
    }

    private static bool IsComplete(ReadOnlySpan<float> row)
    {
        foreach (float value in row)
        {
            if (!float.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A fitted Mahalanobis combination: the training residuals' mean and covariance.</summary>
internal sealed class FittedMahalanobisCombination : IFittedErrorCombination
{
    /// <summary>
    /// Ridge added to the covariance's diagonal, relative to its mean variance: keeps exactly collinear residuals
    /// (for example two identical features) invertible without visibly changing well-conditioned ones.
    /// </summary>
    public const double RelativeRidge = 1e-6;

    /// <summary>
    /// The smallest ridge, in the squared units of the residuals (scaled series, so of order 1): keeps a feature whose
    /// residuals never varied finite instead of dividing by nothing.
    /// </summary>
    public const double MinimumRidge = 1e-12;

    private readonly double[] _mean;
    private readonly double[] _covariance;
    private readonly double[] _precision;

    /// <summary>Creates the combination from a mean and a covariance (for example read back from storage).</summary>
    /// <param name="mean">Mean residual per feature.</param>
    /// <param name="covariance">Covariance of the residuals, features × features, row-major, symmetric positive semi-definite.</param>
    /// <exception cref="ArgumentException">The shapes disagree, a value is not finite, or the covariance is not symmetric positive semi-definite.</exception>
    public FittedMahalanobisCombination(IReadOnlyList<double> mean, IReadOnlyList<double> covariance)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        int features = mean.Count;
        ArgumentOutOfRangeException.ThrowIfZero(features, nameof(mean));
        Diagnostics.Guard.Length(covariance.Count, features * features, nameof(covariance), "features × features");
        if (mean.Concat(covariance).Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("The mean and covariance must be finite.", nameof(covariance));
        }

        Features = features;
        _mean = [.. mean];
        _covariance = [.. covariance];
        Matrix<double> sigma = Matrix<double>.Build.Dense(features, features, (i, j) => covariance[(i * features) + j]);
        if (!sigma.IsSymmetric())
        {
            throw new ArgumentException("The covariance must be symmetric.", nameof(covariance));
        }

        double ridge = Math.Max(sigma.Diagonal().Average() * RelativeRidge, MinimumRidge);
        Matrix<double> regularized = sigma + Matrix<double>.Build.DenseIdentity(features) * ridge;
        Matrix<double> precision;
        try
        {
            precision = regularized.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(features));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException("The covariance must be positive semi-definite.", nameof(covariance), e);
        }

        if (!precision.Enumerate().All(double.IsFinite))
        {
            throw new ArgumentException("The covariance is too close to singular to invert.", nameof(covariance));
        }

        _precision = new double[features * features];
        for (int i = 0; i < features; i++)
        {
            for (int j = 0; j < features; j++)
            {
                _precision[(i * features) + j] = precision[i, j];
            }
        }
    }

    /// <inheritdoc />
    public string Name => "mahalanobis";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public int Features { get; }

    /// <summary>Gets the mean training residual per feature.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>Gets the covariance of the training residuals, row-major.</summary>
    public IReadOnlyList<double> Covariance => _covariance;

    /// <inheritdoc />
    /// <remarks>
    /// Feature f's share is <c>dₓ·(Σ⁻¹d)_f / score</c> with d = e − μ: the shares add up to the score, and a feature whose
    /// residual breaks its usual correlation with another can take a share larger than the score while the other's is negative.
    /// A missing feature is taken at its mean residual.
    /// </remarks>
    public double Combine(ReadOnlySpan<float> errors, Span<double> contributions)
    {
        CombinationArguments.Validate(errors, contributions, Features);
        Span<double> deviation = stackalloc double[Features];
        Span<double> solved = stackalloc double[Features];
        double squared = Solve(errors, deviation, solved);
        double score = Math.Sqrt(squared);
        for (int f = 0; f < Features; f++)
        {
            contributions[f] = score == 0 ? 0 : deviation[f] * solved[f] / score;
        }

        return score;
    }

    /// <inheritdoc />
    public void Gradient(ReadOnlySpan<float> errors, Span<float> gradient)
    {
        CombinationArguments.Validate(errors, gradient, Features);
        Span<double> deviation = stackalloc double[Features];
        Span<double> solved = stackalloc double[Features];
        double score = Math.Sqrt(Solve(errors, deviation, solved));
        for (int f = 0; f < Features; f++)
        {
            gradient[f] = score == 0 || float.IsNaN(errors[f]) ? 0f : (float)(solved[f] / score);
        }
    }

    private double Solve(ReadOnlySpan<float> errors, Span<double> deviation, Span<double> solved)
    {
        for (int f = 0; f < Features; f++)
        {
            deviation[f] = float.IsNaN(errors[f]) ? 0 : errors[f] - _mean[f];
        }

        double squared = 0;
        for (int i = 0; i < Features; i++)
        {
            double sum = 0;
            for (int j = 0; j < Features; j++)
            {
                sum += _precision[(i * Features) + j] * deviation[j];
            }

            solved[i] = sum;
            squared += deviation[i] * sum;
        }

        return Math.Max(squared, 0);
    }
}
