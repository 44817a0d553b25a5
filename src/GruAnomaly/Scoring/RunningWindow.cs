using GruAnomaly.Persistence;

namespace GruAnomaly.Scoring;

/// <summary>
/// The last <c>capacity</c> values of a stream, kept both in arrival order (to know which leaves next) and sorted (for
/// quantiles in O(1)); adding costs two binary searches and one block move of the values between where the leaving
/// value was and where the new one goes.
/// </summary>
internal sealed class RunningWindow
{
    private readonly double[] _ring;
    private readonly double[] _sorted;
    private int _next;

    public RunningWindow(int capacity)
    {
        _ring = new double[capacity];
        _sorted = new double[capacity];
    }

    public int Count { get; private set; }

    /// <summary>Gets the values held, sorted (for tests).</summary>
    internal ReadOnlySpan<double> Sorted => _sorted.AsSpan(0, Count);

    public void Add(double value)
    {
        if (Count < _ring.Length)
        {
            int at = Array.BinarySearch(_sorted, 0, Count, value);
            at = at < 0 ? ~at : at;
            Array.Copy(_sorted, at, _sorted, at + 1, Count - at);
            _sorted[at] = value;
            Count++;
        }
        else
        {
            Replace(Array.BinarySearch(_sorted, 0, Count, _ring[_next]), value);
        }

        _ring[_next] = value;
        _next = (_next + 1) % _ring.Length;
    }

    /// <summary>
    /// Removes the sorted value at <paramref name="leaving"/> and inserts <paramref name="value"/> with one block move of
    /// the values between the two places, where removing and then inserting moved everything after each (about the whole
    /// window per score, which was most of a detection's decision path at the default history of 2,000). The insertion
    /// place is the one a binary search of the window without the leaving value finds, as before, so the sorted values
    /// end up exactly as they did.
    /// </summary>
    private void Replace(int leaving, double value)
    {
        double[] sorted = _sorted;
        int last = Count - 2, low = 0, high = last, at = -1;
        while (low <= high)
        {
            // Array.BinarySearch's halving over the window without index `leaving`.
            int middle = low + ((high - low) >> 1);
            int order = sorted[middle < leaving ? middle : middle + 1].CompareTo(value);
            if (order == 0)
            {
                at = middle;
                break;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        at = at < 0 ? low : at;
        if (at <= leaving)
        {
            Array.Copy(sorted, at, sorted, at + 1, leaving - at);
        }
        else
        {
            Array.Copy(sorted, leaving + 1, sorted, leaving, at - leaving);
        }

        sorted[at] = value;
    }

    /// <summary>The quantile with linear interpolation between order statistics (numpy's default).</summary>
    public double Quantile(double probability) =>
        Thresholds.EmpiricalDistribution.QuantileOfSorted(_sorted.AsSpan(0, Count), probability);

    /// <summary>Writes the values held, in arrival order and sorted, and where the next one goes.</summary>
    public void WriteState(FieldWriter writer)
    {
        writer.I32(_next);
        writer.Doubles(_ring.AsSpan(0, Count));
        writer.Doubles(_sorted.AsSpan(0, Count));
    }

    /// <summary>
    /// Reads what <see cref="WriteState"/> wrote into a window of the same capacity; refuses a sorted copy that is not the
    /// held values in order, which <see cref="Add"/>'s binary searches rely on.
    /// </summary>
    public void ReadState(FieldReader reader)
    {
        int next = reader.I32("next slot", 0, _ring.Length - 1);
        double[] ring = reader.Doubles("scores held", _ring.Length);
        double[] sorted = reader.Doubles("scores held, sorted", ring.Length, "as many as held");
        if (ring.Length < _ring.Length && next != ring.Length)
        {
            throw reader.Invalid("next slot", $"is {next}; a window that holds {ring.Length} of {_ring.Length} scores fills slot {ring.Length} next");
        }

        double[] check = (double[])ring.Clone();
        Array.Sort(check);
        for (int i = 0; i < check.Length; i++)
        {
            if (!double.IsFinite(check[i]) || check[i].CompareTo(sorted[i]) != 0)
            {
                throw reader.Invalid("scores held, sorted", "are not the scores held, finite and in ascending order");
            }
        }

        ring.CopyTo(_ring, 0);
        sorted.CopyTo(_sorted, 0);
        _next = next;
        Count = ring.Length;
    }

    /// <summary>The values held, oldest first.</summary>
    public double[] InTimeOrder()
    {
        var values = new double[Count];
        int oldest = Count == _ring.Length ? _next : 0;
        for (int i = 0; i < Count; i++)
        {
            values[i] = _ring[(oldest + i) % _ring.Length];
        }

        return values;
    }
}
