using GruAnomaly.Recurrent;

namespace GruAnomaly.Data;

/// <summary>
/// The input rows of a <see cref="GruDCell"/>, <c>[x | m | δ | x_last]</c>, built from what every scorer reads: the
/// inputs with gaps filled by the last observed value (x, and x_last, which the cell reads only where m = 0) and the
/// observed values, NaN where missing (m). δ follows Che et al.: 0 at the first step, then
/// <c>δ_t = s_t − s_{t−1} + (m_{t−1} = 0 ? δ_{t−1} : 0)</c>, with <c>s_t − s_{t−1}</c> the spacing of the timestamps in
/// <see cref="Unit"/> when both are known, and 1 (a step) otherwise.
/// </summary>
internal sealed class GapEncoding
{
    public GapEncoding(int features, TimeSpan? unit)
    {
        Features = features;
        Unit = unit;
    }

    /// <summary>Gets D, the features of the series.</summary>
    public int Features { get; }

    /// <summary>Gets the width of an encoded row, 4·D.</summary>
    public int Width => 4 * Features;

    /// <summary>Gets the time unit of δ, or null when δ counts steps.</summary>
    public TimeSpan? Unit { get; }

    /// <summary>The encoding a fitted network reads, or null when its bottom layer is not a GRU-D cell.</summary>
    public static GapEncoding? Of(RecurrentNetwork network) =>
        network.Layers[0] is GruDCell cell ? new GapEncoding(cell.Features, cell.TimeUnit) : null;

    /// <summary>The median spacing of the timestamps (the unit δ is then counted in), or null without at least two.</summary>
    public static TimeSpan? UnitOf(IReadOnlyList<DateTimeOffset>? timestamps)
    {
        if (timestamps is null || timestamps.Count < 2)
        {
            return null;
        }

        var spacings = new long[timestamps.Count - 1];
        for (int t = 1; t < timestamps.Count; t++)
        {
            spacings[t - 1] = (timestamps[t] - timestamps[t - 1]).Ticks;
        }

        Array.Sort(spacings);
        return TimeSpan.FromTicks(spacings[spacings.Length / 2]);
    }

    /// <summary>The mean of each feature's observed (non-NaN) values; 0 for a feature never observed.</summary>
    public static float[] Means(ReadOnlySpan<float> observed, int features)
    {
        var sums = new double[features];
        var counts = new int[features];
        for (int i = 0; i < observed.Length; i++)
        {
            if (!float.IsNaN(observed[i]))
            {
                sums[i % features] += observed[i];
                counts[i % features]++;
            }
        }

        var means = new float[features];
        for (int f = 0; f < features; f++)
        {
            means[f] = counts[f] == 0 ? 0f : (float)(sums[f] / counts[f]);
        }

        return means;
    }

    /// <summary>The spacing between two consecutive points in <see cref="Unit"/>, or 1 when either timestamp or the unit is unknown.</summary>
    public float Spacing(DateTimeOffset? previous, DateTimeOffset? current) =>
        Unit is TimeSpan unit && previous is DateTimeOffset from && current is DateTimeOffset to
            ? (float)((double)(to - from).Ticks / unit.Ticks)
            : 1f;

    /// <summary>Encodes a whole series (time-major, D values per step) into rows of <see cref="Width"/>.</summary>
    public float[] Encode(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps)
    {
        int d = Features, length = inputs.Length / d;
        var encoded = new float[length * Width];
        Span<float> carry = d <= 256 ? stackalloc float[d] : new float[d];
        carry.Clear();
        Span<float> gaps = d <= 128 ? stackalloc float[2 * d] : new float[2 * d];
        for (int t = 0; t < length; t++)
        {
            float spacing = t == 0 ? 0f : Spacing(timestamps?[t - 1], timestamps?[t]);
            Advance(observed.Slice(t * d, d), spacing, carry, gaps);
            Compose(inputs.Slice(t * d, d), gaps, encoded.AsSpan(t * Width, Width));
        }

        return encoded;
    }

    /// <summary>
    /// The m and δ of the next point (<paramref name="gaps"/> = [m | δ]) from its observed values and the spacing since the
    /// point before (0 for the first); <paramref name="carry"/> holds, per feature, the δ that a gap carries on (0 after an
    /// observation) and is updated.
    /// </summary>
    public static void Advance(ReadOnlySpan<float> observed, float spacing, Span<float> carry, Span<float> gaps)
    {
        int d = observed.Length;
        for (int f = 0; f < d; f++)
        {
            bool seen = !float.IsNaN(observed[f]);
            float delta = spacing + carry[f];
            gaps[f] = seen ? 1f : 0f;
            gaps[d + f] = delta;
            carry[f] = seen ? 0f : delta;
        }
    }

    /// <summary>One encoded row from the filled inputs of a point and its [m | δ].</summary>
    public static void Compose(ReadOnlySpan<float> inputs, ReadOnlySpan<float> gaps, Span<float> row)
    {
        int d = inputs.Length;
        inputs.CopyTo(row);
        gaps.CopyTo(row[d..]);
        inputs.CopyTo(row[(3 * d)..]);
    }
}
