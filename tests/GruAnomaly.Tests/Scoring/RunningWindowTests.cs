using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Scoring;

/// <summary>
/// The running window's one-move replacement against the remove-then-insert it replaced (kept here as the reference):
/// the same sorted values, bit for bit (signed zeros and ties included), and so the same quantiles.
/// </summary>
public class RunningWindowTests
{
    [Theory]
    [InlineData(1, 50, 1)]
    [InlineData(2, 50, 2)]
    [InlineData(16, 2000, 3)]
    [InlineData(200, 5000, 4)]
    public void Replacing_the_oldest_value_keeps_the_sorted_values_of_remove_then_insert(int capacity, int count, int seed)
    {
        var random = new Random(seed);
        var window = new RunningWindow(capacity);
        var reference = new ReferenceWindow(capacity);
        for (int i = 0; i < count; i++)
        {
            // Few distinct values, so that ties are common, and both zeros.
            double value = random.Next(6) switch
            {
                0 => 0.0,
                1 => -0.0,
                2 => random.Next(5),
                _ => Math.Round(random.NextDouble() * 10, 1) - 5,
            };
            window.Add(value);
            reference.Add(value);
            Assert.Equal(reference.Count, window.Count);
            Assert.Equal(Bits(reference.Sorted), Bits(window.Sorted));
            foreach (double p in new[] { 0.25, 0.5, 0.75 })
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(reference.Quantile(p)), BitConverter.DoubleToInt64Bits(window.Quantile(p)));
            }
        }

        Assert.Equal(reference.InTimeOrder(), window.InTimeOrder());
    }

    private static long[] Bits(ReadOnlySpan<double> values)
    {
        var bits = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.DoubleToInt64Bits(values[i]);
        }

        return bits;
    }

    /// <summary>The window as it was before issue 15: remove the leaving value (one block move), then insert (another).</summary>
    private sealed class ReferenceWindow(int capacity)
    {
        private readonly double[] _ring = new double[capacity];
        private readonly double[] _sorted = new double[capacity];
        private int _next;

        public int Count { get; private set; }

        public ReadOnlySpan<double> Sorted => _sorted.AsSpan(0, Count);

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

        public double Quantile(double probability) =>
            GruAnomaly.Thresholds.EmpiricalDistribution.QuantileOfSorted(_sorted.AsSpan(0, Count), probability);

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
}
