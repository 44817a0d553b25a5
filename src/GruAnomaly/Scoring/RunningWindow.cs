using GruAnomaly.Persistence;

namespace GruAnomaly.Scoring;

/// <summary>
/// The last <c>capacity</c> values of a stream, kept both in arrival order (to know which leaves next) and sorted (for
/// quantiles in O(1)); adding costs two binary searches and one block move of at most <c>capacity</c> values.
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

    public void Add(double value)
    {
        if (Count == _ring.Length)
        {
            int leaving = Array.BinarySearch(_sorted, 0, Count, _ring[_next]);
            Array.Copy(_sorted, leaving + 1, _sorted, leaving, Count - leaving - 1);
            Count--;
        }

        int at = Array.BinarySearch(_sorted, 0, Count, value);
        at = at < 0 ? ~at : at;
        Array.Copy(_sorted, at, _sorted, at + 1, Count - at);
        _sorted[at] = value;
        Count++;
        _ring[_next] = value;
        _next = (_next + 1) % _ring.Length;
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
