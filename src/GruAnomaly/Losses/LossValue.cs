namespace GruAnomaly.Losses;

/// <summary>The result of <see cref="ILoss.Evaluate"/>: a sum of per-value losses and how many values it covers.</summary>
/// <remarks>
/// Keeping the sum and the count apart lets a trainer combine batches of different sizes (or with different numbers
/// of missing targets) into an exact epoch mean.
/// </remarks>
/// <param name="Sum">The sum of per-value losses over observed (non-NaN) targets.</param>
/// <param name="Count">The number of observed targets.</param>
public readonly record struct LossValue(double Sum, int Count)
{
    /// <summary>The mean loss over observed targets, <c>Sum / Count</c>; 0 when nothing was observed.</summary>
    public double Mean => Count == 0 ? 0 : Sum / Count;
}