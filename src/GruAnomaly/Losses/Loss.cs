namespace GruAnomaly.Losses;

/// <summary>The built-in losses.</summary>
public static class Loss
{
    /// <summary>Mean squared error, <c>(p − t)²</c> per value.</summary>
    /// <value>A shared <see cref="MeanSquaredErrorLoss"/>.</value>
    public static ILoss Mse { get; } = new MeanSquaredErrorLoss();

    /// <summary>Mean absolute error, <c>|p − t|</c> per value.</summary>
    /// <value>A shared <see cref="MeanAbsoluteErrorLoss"/>.</value>
    public static ILoss Mae { get; } = new MeanAbsoluteErrorLoss();

    /// <summary>Gaussian negative log-likelihood with a predicted mean and log-variance per target value.</summary>
    /// <value>A shared <see cref="GaussianNegativeLogLikelihoodLoss"/>.</value>
    public static ILoss GaussianNll { get; } = new GaussianNegativeLogLikelihoodLoss();

    /// <summary>Huber loss: quadratic for residuals up to <paramref name="delta"/>, linear beyond.</summary>
    /// <param name="delta">The residual size at which the loss turns linear; positive and finite.</param>
    /// <returns>A <see cref="HuberLoss"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive and finite.</exception>
    public static ILoss Huber(float delta = 1f) => new HuberLoss(delta);
}