using System.Collections.ObjectModel;

namespace GruAnomaly.Evaluation;

/// <summary>
/// F1 after PA%K adjustment for every integer K from 0 to 100, and the normalised area under that curve
/// (Kim et al., AAAI 2022). See <see cref="AnomalyMetrics.PointAdjustedAtK"/>.
/// </summary>
/// <remarks>
/// The curve falls from the optimistic point-adjusted F1 at K = 0 to the point-wise F1 at K = 100; its area does not
/// depend on a hand-picked K. Like every point-adjusted score it rewards a detector for hitting long events anywhere,
/// so compare it only with the same score of a baseline (for example random flags at the same rate).
/// </remarks>
public sealed class PointAdjustedCurve
{
    /// <summary>The number of points on the curve: K = 0, 1, ..., 100.</summary>
    public const int PointCount = 101;

    /// <summary>Creates a curve from its F1 values.</summary>
    /// <param name="f1ByK">F1 at K = 0, 1, ..., 100 (101 values, each in [0, 1]); copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f1ByK"/> is null.</exception>
    /// <exception cref="ArgumentException">There are not 101 values, or a value is outside [0, 1].</exception>
    public PointAdjustedCurve(IReadOnlyList<double> f1ByK)
    {
        ArgumentNullException.ThrowIfNull(f1ByK);
        if (f1ByK.Count != PointCount)
        {
            throw new ArgumentException($"f1ByK has {f1ByK.Count} values; expected {PointCount} (one per K = 0, 1, ..., 100).", nameof(f1ByK));
        }

        var values = new double[PointCount];
        for (int k = 0; k < PointCount; k++)
        {
            double f1 = f1ByK[k];
            if (!(f1 >= 0 && f1 <= 1))
            {
                throw new ArgumentException($"f1ByK contains {f1} at K = {k}; every F1 must be in [0, 1].", nameof(f1ByK));
            }

            values[k] = f1;
        }

        F1ByK = Array.AsReadOnly(values);

        // Trapezoids of width 1 over K = 0..100, divided by the width of the K axis so a constant curve has its own value as area.
        double sum = 0;
        for (int k = 0; k < PointCount; k++)
        {
            sum += values[k];
        }

        Area = (sum - (0.5 * (values[0] + values[PointCount - 1]))) / (PointCount - 1);
    }

    /// <summary>Gets F1 after PA%K adjustment; the index is K in percent.</summary>
    public ReadOnlyCollection<double> F1ByK { get; }

    /// <summary>Gets the trapezoidal area under F1 over K ∈ [0, 100], divided by 100, so it lies in [0, 1].</summary>
    public double Area { get; }

    /// <summary>Gets the point-adjusted F1 (K = 0), the optimistic end of the curve.</summary>
    public double PointAdjustedF1 => F1ByK[0];

    /// <summary>Gets the point-wise F1 (K = 100), the strict end of the curve.</summary>
    public double PointWiseF1 => F1ByK[PointCount - 1];
}
