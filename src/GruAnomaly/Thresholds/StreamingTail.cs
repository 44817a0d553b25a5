namespace GruAnomaly.Thresholds;

/// <summary>
/// The mutable state of streaming SPOT (Siffer et al. 2017, Algorithm 1). Each caller of <c>Apply</c> builds its own
/// instance from the immutable fitted state, so fitted objects are never mutated.
/// </summary>
internal sealed class StreamingTail
{
    private readonly double _initialThreshold;
    private readonly double _riskLevel;
    private readonly List<double> _excesses;
    private long _observationCount;

    public StreamingTail(PeaksOverThresholdTail tail, EmpiricalDistribution calibration, double riskLevel)
    {
        _initialThreshold = tail.InitialThreshold;
        _riskLevel = riskLevel;
        _observationCount = tail.ObservationCount;
        ReadOnlySpan<double> sorted = calibration.SortedValues;
        _excesses = new List<double>((int)tail.PeakCount + 64);
        for (int i = sorted.Length - (int)tail.PeakCount; i < sorted.Length; i++)
        {
            _excesses.Add(sorted[i] - _initialThreshold);
        }

        Threshold = tail.ThresholdAt(riskLevel);
    }

    /// <summary>z_q, the threshold in force for the next value.</summary>
    public double Threshold { get; private set; }

    /// <summary>
    /// Takes one value: an alarm (above z_q) changes nothing; a peak (above t) joins the excesses and the GPD and z_q
    /// are refitted; any other value only counts as an observation.
    /// </summary>
    /// <returns>Whether the value is an alarm.</returns>
    public bool Observe(double value)
    {
        if (value > Threshold)
        {
            return true;
        }

        _observationCount++;
        if (value > _initialThreshold)
        {
            _excesses.Add(value - _initialThreshold);
            GeneralizedPareto fit = GeneralizedPareto.Fit(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_excesses));
            Threshold = PeaksOverThresholdTail.ThresholdAt(
                _initialThreshold, fit.Shape, fit.Scale, _riskLevel * _observationCount / _excesses.Count);
        }

        return false;
    }
}
