using System.Globalization;

namespace GruAnomaly.Thresholds;

/// <summary>
/// Settings of the non-parametric dynamic threshold of Hundman et al. ("Detecting Spacecraft Anomalies Using LSTMs
/// and Nonparametric Dynamic Thresholding", KDD 2018). Validated, with every problem listed, when a strategy is
/// created or <see cref="DynamicThreshold.Epsilon"/> is called.
/// </summary>
public sealed class DynamicThresholdOptions
{
    /// <summary>The first z of the grid of candidate thresholds <c>ε = mean + z·std</c>.</summary>
    /// <value>The default value is 2.5.</value>
    public double MinimumZ { get; init; } = 2.5;

    /// <summary>
    /// The end of the grid, exclusive (as numpy's <c>arange(2.5, 12, 0.5)</c>, the last candidate is 11.5). It is
    /// also the fallback: when no candidate passes the guardrails, <c>ε = mean + MaximumZ·std</c>.
    /// </summary>
    /// <value>The default value is 12.</value>
    public double MaximumZ { get; init; } = 12;

    /// <summary>The step of the z grid.</summary>
    /// <value>The default value is 0.5.</value>
    public double ZStep { get; init; } = 0.5;

    /// <summary>
    /// The number of trailing scores each threshold is computed from, or null to use the whole applied sequence as one
    /// window. Telemanom uses 30 batches of 70 (2100).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? WindowLength { get; init; }

    /// <summary>
    /// The number of new scores per window step when <see cref="WindowLength"/> is set: the first window's threshold
    /// covers its <see cref="WindowLength"/> scores; then each batch of this many scores gets the threshold of the
    /// window of <see cref="WindowLength"/> scores that ends with it.
    /// </summary>
    /// <value>The default value is 70.</value>
    public int BatchLength { get; init; } = 70;

    /// <summary>
    /// The number of neighbours on each side of a point above ε that count as flagged when scoring a candidate ε
    /// (telemanom's <c>error_buffer</c> minus one; it groups nearby points into one sequence). It does not change
    /// which points are flagged by <c>Apply</c>, only which ε is chosen.
    /// </summary>
    /// <value>The default value is 0.</value>
    public int AnomalyPadding { get; init; }

    /// <summary>Guardrail: a candidate ε with more flagged sequences than this is skipped.</summary>
    /// <value>The default value is 5 (telemanom's value).</value>
    public int MaximumSequences { get; init; } = 5;

    /// <summary>Guardrail: a candidate ε must flag fewer than this fraction of the window.</summary>
    /// <value>The default value is 0.5 (telemanom's value).</value>
    public double MaximumFlaggedFraction { get; init; } = 0.5;

    internal static DynamicThresholdOptions Default { get; } = new();

    internal void Validate()
    {
        var errors = new List<string>();
        if (!double.IsFinite(MinimumZ)) errors.Add(Invariant($"MinimumZ must be finite; got {MinimumZ}."));
        if (!double.IsFinite(MaximumZ) || !(MaximumZ > MinimumZ)) errors.Add(Invariant($"MaximumZ must be finite and greater than MinimumZ ({MinimumZ}); got {MaximumZ}."));
        if (!(ZStep > 0) || !double.IsFinite(ZStep)) errors.Add(Invariant($"ZStep must be positive and finite; got {ZStep}."));
        if (double.IsFinite(ZStep) && ZStep > 0 && double.IsFinite(MaximumZ) && double.IsFinite(MinimumZ) && (MaximumZ - MinimumZ) / ZStep > 10_000)
        {
            errors.Add(Invariant($"The z grid from {MinimumZ} to {MaximumZ} in steps of {ZStep} has more than 10000 candidates; use a larger ZStep."));
        }

        if (WindowLength is int window && window < 2) errors.Add(Invariant($"WindowLength must be at least 2 or null (whole sequence); got {window}."));
        if (BatchLength < 1) errors.Add(Invariant($"BatchLength must be positive; got {BatchLength}."));
        if (WindowLength is int w && BatchLength > w) errors.Add(Invariant($"BatchLength ({BatchLength}) must not exceed WindowLength ({w})."));
        if (AnomalyPadding < 0) errors.Add(Invariant($"AnomalyPadding must be 0 or positive; got {AnomalyPadding}."));
        if (MaximumSequences < 1) errors.Add(Invariant($"MaximumSequences must be positive; got {MaximumSequences}."));
        if (!(MaximumFlaggedFraction > 0 && MaximumFlaggedFraction <= 1)) errors.Add(Invariant($"MaximumFlaggedFraction must be in (0, 1]; got {MaximumFlaggedFraction}."));
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid dynamic threshold options: " + string.Join(" ", errors), "options");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
