using GruAnomaly.Persistence;

namespace GruAnomaly.Thresholds;

/// <summary>
/// The mutable state of streaming SPOT (Siffer et al. 2017, Algorithm 1). Each caller of <c>Apply</c> builds its own
/// instance from the immutable fitted state, so fitted objects are never mutated.
/// </summary>
/// <remarks>
/// Memory is bounded: only the latest <see cref="MaximumPeaks"/> peaks are kept, and the peak rate N_t/n is taken over
/// the observations since the oldest kept peak, so the tail describes the recent stream at any length (10⁹ points and
/// beyond) instead of growing without end. The calibration peaks are given evenly spaced places in the calibration span.
/// </remarks>
internal sealed class StreamingTail : ThresholdState
{
    /// <summary>The most peaks the tail is refitted on.</summary>
    public const int MaximumPeaks = 5000;

    private readonly double _initialThreshold;
    private readonly double _riskLevel;
    private readonly double[] _excesses;
    private readonly long[] _observedAt;
    private readonly double[] _scratch;
    private int _oldest;
    private bool _evicted;
    private long _observationCount;
    private double _threshold;

    public StreamingTail(PeaksOverThresholdTail tail, EmpiricalDistribution calibration, double riskLevel)
    {
        _initialThreshold = tail.InitialThreshold;
        _riskLevel = riskLevel;
        _observationCount = tail.ObservationCount;
        _excesses = new double[MaximumPeaks];
        _observedAt = new long[MaximumPeaks];
        _scratch = new double[MaximumPeaks];
        ReadOnlySpan<double> sorted = calibration.SortedValues;
        int peaks = (int)Math.Min(tail.PeakCount, MaximumPeaks);
        _evicted = peaks < tail.PeakCount;
        for (int i = 0; i < peaks; i++)
        {
            // The largest calibration peaks are kept when there are more than fit; their times are unknown, so they are
            // spread evenly over the calibration span.
            Add(sorted[sorted.Length - peaks + i] - _initialThreshold, (long)i * tail.ObservationCount / peaks);
        }

        _threshold = tail.ThresholdAt(riskLevel);
    }

    /// <summary>z_q, the threshold in force for the next value.</summary>
    public override double Threshold => _threshold;

    /// <summary>The number of peaks held (at most <see cref="MaximumPeaks"/>).</summary>
    public int PeakCount { get; private set; }

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
            Add(value - _initialThreshold, _observationCount);
            Span<double> excesses = _scratch.AsSpan(0, PeakCount);
            for (int i = 0; i < PeakCount; i++)
            {
                excesses[i] = _excesses[(_oldest + i) % MaximumPeaks];
            }

            GeneralizedPareto fit = GeneralizedPareto.Fit(excesses);
            // Until a peak has been dropped this is Algorithm 1's rate over every observation.
            long observations = _evicted ? Math.Max(PeakCount, _observationCount - _observedAt[_oldest] + 1) : _observationCount;
            _threshold = PeaksOverThresholdTail.ThresholdAt(_initialThreshold, fit.Shape, fit.Scale, _riskLevel * observations / PeakCount);
        }

        return false;
    }

    /// <inheritdoc />
    public override void Advance(double score) => _ = Observe(score);

    /// <inheritdoc />
    /// <remarks>The peaks are written oldest first and read back from slot 0: where the ring starts changes nothing else.</remarks>
    public override void WriteState(FieldWriter writer)
    {
        writer.I64(_observationCount);
        writer.F64(_threshold);
        writer.Bool(_evicted);
        var excesses = new double[PeakCount];
        var observedAt = new long[PeakCount];
        for (int i = 0; i < PeakCount; i++)
        {
            excesses[i] = _excesses[(_oldest + i) % MaximumPeaks];
            observedAt[i] = _observedAt[(_oldest + i) % MaximumPeaks];
        }

        writer.Doubles(excesses);
        writer.Longs(observedAt);
    }

    /// <inheritdoc />
    public override void ReadState(FieldReader reader)
    {
        long observations = reader.I64("observations", 0, long.MaxValue);
        double threshold = reader.FiniteF64("threshold");
        bool evicted = reader.Bool("peaks dropped");
        double[] excesses = reader.Doubles("peaks", MaximumPeaks);
        long[] observedAt = reader.Longs("peak times", MaximumPeaks);
        if (observedAt.Length != excesses.Length)
        {
            throw reader.Invalid("peak times", $"has {observedAt.Length} values; expected {excesses.Length}, one per peak");
        }

        if (!excesses.All(e => e >= 0 && double.IsFinite(e)))
        {
            throw reader.Invalid("peaks", "hold an excess that is negative or not finite");
        }

        excesses.CopyTo(_excesses, 0);
        observedAt.CopyTo(_observedAt, 0);
        PeakCount = excesses.Length;
        _oldest = 0;
        _evicted = evicted;
        _observationCount = observations;
        _threshold = threshold;
    }

    private void Add(double excess, long observedAt)
    {
        int slot = (_oldest + PeakCount) % MaximumPeaks;
        if (PeakCount == MaximumPeaks)
        {
            _oldest = (_oldest + 1) % MaximumPeaks;
            _evicted = true;
        }
        else
        {
            PeakCount++;
        }

        _excesses[slot] = excess;
        _observedAt[slot] = observedAt;
    }
}
