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
