namespace GruAnomaly.Preprocessing;

/// <summary>Finds the dominant period of a series from its autocorrelation.</summary>
public static class Periodicity
{
    /// <summary>The lowest autocorrelation a peak needs to count as a period.</summary>
    public const double MinimumPeakCorrelation = 0.2;

    /// <summary>
    /// The lag of the highest autocorrelation peak after the autocorrelation first turns negative, averaged over features;
    /// null when there is no such peak of at least <see cref="MinimumPeakCorrelation"/> within <paramref name="maximumLag"/>.
    /// </summary>
    /// <remarks>
    /// Waiting for the first negative value skips the slow decay of a smooth series at small lags, which is not a period.
    /// Only the last <c>16 × maximumLag</c> steps are used (at least 4096), which bounds the cost at O(maximumLag²).
    /// </remarks>
    /// <param name="values">Time-major values without NaN (fill missing values first).</param>
    /// <param name="features">Values per time step; positive.</param>
    /// <param name="maximumLag">The longest period looked for; at least 2.</param>
    /// <param name="correlation">Receives the autocorrelation at the period (NaN when there is none).</param>
    /// <returns>The period in time steps, or null.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> or <paramref name="maximumLag"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="values"/> is not a multiple of <paramref name="features"/>.</exception>
    public static int? Dominant(ReadOnlySpan<float> values, int features, int maximumLag, out double correlation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumLag, 2);
        if (values.Length % features != 0)
        {
            throw new ArgumentException($"values has {values.Length} values, not a multiple of {features} features.", nameof(values));
        }

        int length = values.Length / features;
        int used = Math.Min(length, Math.Max(4096, 16 * maximumLag));
        int start = length - used;
        int lags = Math.Min(maximumLag, used / 2);
        correlation = double.NaN;
        if (lags < 2)
        {
            return null;
        }

        var mean = new double[lags + 1];
        var series = new double[used];
        int counted = 0;
        for (int f = 0; f < features; f++)
        {
            double sum = 0;
            for (int t = 0; t < used; t++)
            {
                series[t] = values[((start + t) * features) + f];
                sum += series[t];
            }

            double average = sum / used, variance = 0;
            for (int t = 0; t < used; t++)
            {
                series[t] -= average;
                variance += series[t] * series[t];
            }

            if (variance <= 0)
            {
                continue;
            }

            counted++;
            for (int lag = 1; lag <= lags; lag++)
            {
                double product = 0;
                for (int t = lag; t < used; t++)
                {
                    product += series[t] * series[t - lag];
                }

                mean[lag] += product / variance;
            }
        }

        if (counted == 0)
        {
            return null;
        }

        int firstNegative = 1;
        while (firstNegative <= lags && mean[firstNegative] >= 0)
        {
            firstNegative++;
        }

        int best = -1;
        for (int lag = firstNegative + 1; lag < lags; lag++)
        {
            bool peak = mean[lag] >= mean[lag - 1] && mean[lag] >= mean[lag + 1];
            if (peak && (best < 0 || mean[lag] > mean[best]))
            {
                best = lag;
            }
        }

        if (best < 0 || mean[best] / counted < MinimumPeakCorrelation)
        {
            return null;
        }

        correlation = mean[best] / counted;
        return best;
    }
}
