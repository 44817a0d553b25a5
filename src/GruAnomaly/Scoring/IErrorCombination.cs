namespace GruAnomaly.Scoring;

/// <summary>
/// How the per-feature errors of one time step become one anomaly score. Fitted on training errors, so that a
/// combination can learn their typical size and correlation.
/// </summary>
public interface IErrorCombination
{
    /// <summary>Gets a short description for logs and reports.</summary>
    string Name { get; }

    /// <summary>Gets whether the combination needs signed residuals (observed − expected) rather than per-feature losses.</summary>
    bool RequiresSignedErrors { get; }

    /// <summary>Fits the combination.</summary>
    /// <param name="errors">Training errors, time-major (time × features); NaN marks a missing value and is skipped.</param>
    /// <param name="features">Features per time step.</param>
    /// <param name="signed">Whether the errors are signed residuals; otherwise they are per-feature losses.</param>
    /// <returns>The fitted, immutable combination.</returns>
    IFittedErrorCombination Fit(ReadOnlySpan<float> errors, int features, bool signed);
}

/// <summary>A fitted error combination: immutable and thread-safe.</summary>
public interface IFittedErrorCombination
{
    /// <summary>Gets a short description for logs and reports.</summary>
    string Name { get; }

    /// <summary>Gets the number of features per time step.</summary>
    int Features { get; }

    /// <summary>Combines one time step's errors into a score and splits the score among the features.</summary>
    /// <param name="errors">The errors of one time step; NaN marks a missing feature, which contributes nothing.</param>
    /// <param name="contributions">Receives each feature's share of the score; the shares add up to the score.</param>
    /// <returns>The score; 0 when every feature is missing.</returns>
    double Combine(ReadOnlySpan<float> errors, Span<double> contributions);

    /// <summary>Writes ∂score/∂error for one time step (0 for missing features), for saliency.</summary>
    /// <param name="errors">The errors of one time step.</param>
    /// <param name="gradient">Receives the gradient, one value per feature.</param>
    void Gradient(ReadOnlySpan<float> errors, Span<float> gradient);
}
