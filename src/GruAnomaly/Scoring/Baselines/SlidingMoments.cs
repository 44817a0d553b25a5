using System.Diagnostics;
using GruAnomaly.Persistence;

namespace GruAnomaly.Scoring;

/// <summary>
/// The mean and the population standard deviation of each feature over the <c>window</c> time steps before a given
/// step of a time-major series, moved one step at a time at O(1) amortised cost per feature.
/// </summary>
/// <remarks>
/// <para>
/// A slide replaces the oldest value x_o of the window by the newest x_n (d = x_n − x_o) and updates Welford's sums in
/// double precision: mean' = mean + d/w and M2' = M2 + d·(x_n − mean' + x_o − mean), where M2 = Σ(x − mean)². Unlike
/// Σx² − (Σx)²/w this never subtracts two large sums, but each update still rounds by about ε = 1.1·10⁻¹⁶ of the
/// largest M2 it has carried. Two exact recomputations (two passes over the window) keep that in check:
/// </para>
/// <list type="bullet">
/// <item><description>every <c>window</c> slides (and whenever the caller jumps), so rounding from at most one window's
/// updates is ever carried, at O(1) amortised cost per step;</description></item>
/// <item><description>for a feature whose M2 falls below a millionth of its largest value since its last exact pass:
/// after a burst of large values has left the window, the rounding left behind by the burst (about w·ε of the burst's
/// M2) would otherwise pose as the spread of the now quiet window, or as a slightly negative M2. Falling a millionfold
/// again needs values that entered since to raise M2 and then to leave (or the rest of the window to come close to
/// them), which takes about a window of steps: still O(1) amortised.</description></item>
/// </list>
/// <para>
/// The standard deviation is floored at <see cref="StandardDeviationFloor"/>, so a constant stretch gives large but
/// finite z-scores instead of infinities or NaN.
/// </para>
/// </remarks>
internal sealed class SlidingMoments
{
    /// <summary>
    /// The smallest standard deviation used, in the scaled units the scorers read: 10⁻³ of the training series' spread
    /// under the default standard scaler (of its range under min–max scaling). Spreads below it are treated as a
    /// constant stretch, after which a change of one training standard deviation scores z = 1000.
    /// </summary>
    public const double StandardDeviationFloor = 1e-3;

    private readonly int _features;
    private readonly int _window;
    private readonly double[] _mean;
    private readonly double[] _m2;
    private readonly double[] _peak;
    private int _end = -1;
    private int _slides;

    public SlidingMoments(int features, int window)
    {
        Debug.Assert(features > 0 && window > 0);
        _features = features;
        _window = window;
        _mean = new double[features];
        _m2 = new double[features];
        _peak = new double[features];
    }

    /// <summary>Gets the mean of <paramref name="feature"/> over the window.</summary>
    public double Mean(int feature) => _mean[feature];

    /// <summary>Gets the population standard deviation of <paramref name="feature"/> over the window, floored at <see cref="StandardDeviationFloor"/>.</summary>
    /// <param name="feature">The feature.</param>
    /// <param name="floored">Receives whether the floor replaced the window's own deviation (which then no longer depends on the values).</param>
    public double StandardDeviation(int feature, out bool floored)
    {
        double deviation = Math.Sqrt(Math.Max(_m2[feature], 0) / _window);
        floored = deviation < StandardDeviationFloor;
        return floored ? StandardDeviationFloor : deviation;
    }

    /// <summary>Writes the moments and the bookkeeping of their recomputation.</summary>
    public void WriteState(FieldWriter writer)
    {
        writer.Doubles(_mean);
        writer.Doubles(_m2);
        writer.Doubles(_peak);
        writer.I32(_end);
        writer.I32(_slides);
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote into moments of the same shape.</summary>
    public void ReadState(FieldReader reader)
    {
        reader.Doubles("means", _features, "one per feature").CopyTo(_mean, 0);
        reader.Doubles("second moments", _features, "one per feature").CopyTo(_m2, 0);
        reader.Doubles("peak second moments", _features, "one per feature").CopyTo(_peak, 0);
        _end = reader.I32("end", -1, int.MaxValue);
        _slides = reader.I32("slides", 0, _window);
    }

    /// <summary>Moves the window to the rows <paramref name="end"/> − window … <paramref name="end"/> − 1 of <paramref name="inputs"/>.</summary>
    public void MoveTo(ReadOnlySpan<float> inputs, int end)
    {
        Debug.Assert(end >= _window && end * _features <= inputs.Length);
        ReadOnlySpan<float> left = end == _end + 1 ? inputs.Slice((end - 1 - _window) * _features, _features) : default;
        _end = end;
        Advance(inputs.Slice((end - _window) * _features, _window * _features), left);
    }

    /// <summary>
    /// Moves the window to <paramref name="rows"/> (window rows, time-major): one step on from the last window when
    /// <paramref name="left"/> is the row that has just left it, anywhere else when it is empty.
    /// </summary>
    public void Advance(ReadOnlySpan<float> rows, ReadOnlySpan<float> left)
    {
        Debug.Assert(rows.Length == _window * _features && (left.IsEmpty || left.Length == _features));
        bool slide = !left.IsEmpty && _slides < _window;
        _slides = slide ? _slides + 1 : 0;
        for (int f = 0; f < _features; f++)
        {
            if (slide)
            {
                Slide(f, left[f], rows[^(_features - f)]);
            }

            if (!slide || _m2[f] < 1e-6 * _peak[f])
            {
                Recompute(rows, f);
            }
        }
    }

    private void Slide(int feature, double removed, double added)
    {
        double mean = _mean[feature];
        double next = mean + ((added - removed) / _window);
        _m2[feature] += (added - removed) * (added - next + removed - mean);
        _mean[feature] = next;
        _peak[feature] = Math.Max(_peak[feature], _m2[feature]);
    }

    private void Recompute(ReadOnlySpan<float> rows, int feature)
    {
        double sum = 0;
        for (int i = feature; i < rows.Length; i += _features)
        {
            sum += rows[i];
        }

        double mean = sum / _window, m2 = 0;
        for (int i = feature; i < rows.Length; i += _features)
        {
            double deviation = rows[i] - mean;
            m2 += deviation * deviation;
        }

        _mean[feature] = mean;
        _m2[feature] = m2;
        _peak[feature] = m2;
    }
}
