namespace GruAnomaly.Thresholds;

/// <summary>
/// The empirical distribution of a set of calibration scores: the scores sorted ascending, with quantiles, tail
/// probabilities and moments.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class EmpiricalDistribution
{
    private readonly double[] _sorted;

    /// <summary>Creates the empirical distribution of <paramref name="values"/> (copied and sorted).</summary>
    /// <param name="values">At least one finite value, in any order.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty or contains NaN or infinity.</exception>
    public EmpiricalDistribution(ReadOnlySpan<double> values)
    {
        ScoreChecks.Calibration(values, 1, "an empirical distribution", nameof(values));
        _sorted = values.ToArray();
        Array.Sort(_sorted);

        double sum = 0;
        foreach (double value in _sorted)
        {
            sum += value;
        }

        Mean = sum / _sorted.Length;
        double squares = 0;
        foreach (double value in _sorted)
        {
            double deviation = value - Mean;
            squares += deviation * deviation;
        }

        StandardDeviation = Math.Sqrt(squares / _sorted.Length);

        // Sorted ascending, so the values above the 0.9 quantile are a suffix.
        double q90 = Quantile(0.9), excess = 0;
        int first = UpperBound(_sorted, q90);
        for (int i = first; i < _sorted.Length; i++)
        {
            excess += _sorted[i] - q90;
        }

        TopTenthMeanExcess = first == _sorted.Length ? double.NaN : excess / (_sorted.Length - first);
    }

    /// <summary>The values, sorted ascending.</summary>
    public ReadOnlySpan<double> SortedValues => _sorted;

    /// <summary>The number of values.</summary>
    public int Count => _sorted.Length;

    /// <summary>The arithmetic mean.</summary>
    public double Mean { get; }

    /// <summary>The population standard deviation (divisor <c>n</c>, as numpy's <c>std</c> with <c>ddof=0</c>).</summary>
    public double StandardDeviation { get; }

    /// <summary>
    /// The mean excess of the values above their 0.9 quantile (NaN when none is above it): the scale of an exponential tail
    /// fitted to the top tenth, computed once here because every calibrated score beyond the largest value reads it.
    /// </summary>
    internal double TopTenthMeanExcess { get; }

    /// <summary>The smallest value.</summary>
    public double Minimum => _sorted[0];

    /// <summary>The largest value.</summary>
    public double Maximum => _sorted[^1];

    /// <summary>
    /// The <paramref name="probability"/> quantile with linear interpolation between order statistics: with
    /// sorted values <c>x₀ ≤ … ≤ xₙ₋₁</c> and <c>h = (n − 1)·p</c>, <c>x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋+1 − x⌊h⌋)</c>. This is
    /// numpy's default (<c>method='linear'</c>, Hyndman and Fan type 7).
    /// </summary>
    /// <param name="probability">In [0, 1].</param>
    /// <returns>The quantile.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is outside [0, 1].</exception>
    public double Quantile(double probability)
    {
        ScoreChecks.Probability(probability, nameof(probability), allowZero: true, allowOne: true);
        return QuantileOfSorted(_sorted, probability);
    }

    /// <summary>The fraction of values at least <paramref name="score"/>: <c>#{x ≥ score} / n</c>.</summary>
    /// <param name="score">Any score; NaN gives NaN.</param>
    /// <returns>A probability in [0, 1].</returns>
    public double TailProbability(double score)
    {
        if (double.IsNaN(score))
        {
            return double.NaN;
        }

        return (double)CountAtLeast(score) / _sorted.Length;
    }

    /// <summary>The number of values strictly greater than <paramref name="score"/>.</summary>
    /// <param name="score">A finite score.</param>
    /// <returns>The count.</returns>
    public int CountAbove(double score) => _sorted.Length - UpperBound(_sorted, score);

    internal int CountAtLeast(double score) => _sorted.Length - LowerBound(_sorted, score);

    internal static double QuantileOfSorted(ReadOnlySpan<double> sorted, double probability)
    {
        double h = (sorted.Length - 1) * probability;
        int low = (int)Math.Floor(h);
        if (low >= sorted.Length - 1)
        {
            return sorted[^1];
        }

        double fraction = h - low;
        return sorted[low] + (fraction * (sorted[low + 1] - sorted[low]));
    }

    /// <summary>First index whose value is ≥ <paramref name="value"/>.</summary>
    internal static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        int low = 0;
        int high = sorted.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (sorted[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>First index whose value is &gt; <paramref name="value"/>.</summary>
    internal static int UpperBound(ReadOnlySpan<double> sorted, double value)
    {
        int low = 0;
        int high = sorted.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (sorted[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
