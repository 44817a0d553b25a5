using System.Collections.ObjectModel;

namespace GruAnomaly.Preprocessing;

/// <summary>
/// A fitted per-feature affine map <c>x′ = (x − Offsets[f]) / Scales[f]</c> over time-major series
/// (<c>values[t·features + f]</c>), and its inverse <c>x = x′·Scales[f] + Offsets[f]</c>.
/// </summary>
/// <remarks>
/// <para>
/// NaN (missing) stays NaN in both directions; infinity is rejected. Each value is computed in double and rounded once
/// to float, so <see cref="Transform(ReadOnlySpan{float}, Span{float})"/> is correctly rounded and a round trip through
/// <see cref="InverseTransform(ReadOnlySpan{float}, Span{float})"/> returns <c>x</c> to within about one float rounding
/// of <c>|x − Offsets[f]|</c> plus one of <c>|x|</c>.
/// </para>
/// <para>
/// All fitted state is public (<see cref="Name"/>, <see cref="Offsets"/>, <see cref="Scales"/>) and the constructor
/// takes it back, so a persisted scaler round-trips exactly. Immutable and safe to share between threads.
/// </para>
/// </remarks>
public sealed class FittedScaler
{
    private readonly float[] _offsets;
    private readonly float[] _scales;

    /// <summary>Creates a scaler from its state, for example one read back from storage.</summary>
    /// <param name="name">The name of the strategy that produced the state (see <see cref="IScalerStrategy.Name"/>).</param>
    /// <param name="offsets">The value subtracted from each feature; finite. Copied.</param>
    /// <param name="scales">The divisor of each feature; positive and finite. Copied.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="name"/> is empty, the arrays are empty or of different lengths, an offset is not finite, or a scale
    /// is not positive and finite.
    /// </exception>
    public FittedScaler(string name, float[] offsets, float[] scales)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(scales);
        if (offsets.Length == 0)
        {
            throw new ArgumentException("offsets is empty; expected one offset per feature (at least one).", nameof(offsets));
        }

        if (scales.Length != offsets.Length)
        {
            throw new ArgumentException(
                $"scales has {scales.Length} values; expected {offsets.Length}, one per feature like offsets.", nameof(scales));
        }

        for (int f = 0; f < offsets.Length; f++)
        {
            if (!float.IsFinite(offsets[f]))
            {
                throw new ArgumentException(
                    $"offsets[{f}] is {SeriesArguments.Format(offsets[f])}; offsets must be finite.", nameof(offsets));
            }

            if (!(scales[f] > 0f) || !float.IsFinite(scales[f]))
            {
                throw new ArgumentException(
                    $"scales[{f}] is {SeriesArguments.Format(scales[f])}; scales must be positive and finite.", nameof(scales));
            }
        }

        Name = name;
        _offsets = (float[])offsets.Clone();
        _scales = (float[])scales.Clone();
        Offsets = new ReadOnlyCollection<float>(_offsets);
        Scales = new ReadOnlyCollection<float>(_scales);
    }

    /// <summary>The name of the strategy that produced this scaler, e.g. <c>"Standard"</c>.</summary>
    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>The number of features per time step this scaler maps.</summary>
    public int Features => _offsets.Length;

    /// <summary>The value subtracted from each feature before dividing by its scale.</summary>
    public IReadOnlyList<float> Offsets { get; }

    /// <summary>The divisor of each feature; always positive.</summary>
    public IReadOnlyList<float> Scales { get; }

    /// <summary>Scales a series: <c>destination[i] = (values[i] − Offsets[f]) / Scales[f]</c> with <c>f = i mod Features</c>.</summary>
    /// <param name="values">The series, time-major, <see cref="Features"/> values per time step; NaN marks a missing value.</param>
    /// <param name="destination">Receives the scaled series; same length as <paramref name="values"/>. May be the same span (in place).</param>
    /// <exception cref="ArgumentException">
    /// The lengths do not fit the layout, the spans partly overlap, <paramref name="values"/> holds an infinity, or a result
    /// overflows float (then <paramref name="destination"/> is partly written).
    /// </exception>
    public void Transform(ReadOnlySpan<float> values, Span<float> destination)
    {
        ValidateMap(values, destination);
        int features = _offsets.Length;
        for (int i = 0; i < values.Length; i++)
        {
            int f = i % features;
            destination[i] = Checked((float)((values[i] - (double)_offsets[f]) / _scales[f]), i, features);
        }
    }

    /// <summary>Scales a series into a new array.</summary>
    /// <param name="values">The series, time-major, <see cref="Features"/> values per time step; NaN marks a missing value.</param>
    /// <returns>The scaled series.</returns>
    /// <exception cref="ArgumentException">See <see cref="Transform(ReadOnlySpan{float}, Span{float})"/>.</exception>
    public float[] Transform(ReadOnlySpan<float> values)
    {
        float[] result = new float[values.Length];
        Transform(values, result);
        return result;
    }

    /// <summary>Scales one value of one feature.</summary>
    /// <param name="value">The value; NaN gives NaN.</param>
    /// <param name="feature">The feature index, in <c>[0, Features)</c>.</param>
    /// <returns><c>(value − Offsets[feature]) / Scales[feature]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="feature"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is infinite, or the result overflows float.</exception>
    public float Transform(float value, int feature)
    {
        ValidateValue(value, feature);
        return Checked((float)((value - (double)_offsets[feature]) / _scales[feature]), nameof(value));
    }

    /// <summary>Maps a scaled series back: <c>destination[i] = values[i]·Scales[f] + Offsets[f]</c> with <c>f = i mod Features</c>.</summary>
    /// <param name="values">The scaled series, time-major; NaN stays NaN.</param>
    /// <param name="destination">Receives the series in original units; same length as <paramref name="values"/>. May be the same span (in place).</param>
    /// <exception cref="ArgumentException">See <see cref="Transform(ReadOnlySpan{float}, Span{float})"/>.</exception>
    public void InverseTransform(ReadOnlySpan<float> values, Span<float> destination)
    {
        ValidateMap(values, destination);
        int features = _offsets.Length;
        for (int i = 0; i < values.Length; i++)
        {
            int f = i % features;
            destination[i] = Checked((float)((values[i] * (double)_scales[f]) + _offsets[f]), i, features);
        }
    }

    /// <summary>Maps a scaled series back into a new array.</summary>
    /// <param name="values">The scaled series, time-major; NaN stays NaN.</param>
    /// <returns>The series in original units.</returns>
    /// <exception cref="ArgumentException">See <see cref="Transform(ReadOnlySpan{float}, Span{float})"/>.</exception>
    public float[] InverseTransform(ReadOnlySpan<float> values)
    {
        float[] result = new float[values.Length];
        InverseTransform(values, result);
        return result;
    }

    /// <summary>Maps one scaled value of one feature back to original units.</summary>
    /// <param name="value">The scaled value; NaN gives NaN.</param>
    /// <param name="feature">The feature index, in <c>[0, Features)</c>.</param>
    /// <returns><c>value·Scales[feature] + Offsets[feature]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="feature"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is infinite, or the result overflows float.</exception>
    public float InverseTransform(float value, int feature)
    {
        ValidateValue(value, feature);
        return Checked((float)((value * (double)_scales[feature]) + _offsets[feature]), nameof(value));
    }

    /// <summary>
    /// Converts differences measured in scaled units (residuals, absolute errors, predicted standard deviations) back to
    /// original units: <c>destination[i] = values[i]·Scales[f]</c>. The offset cancels in a difference, so it is not added.
    /// </summary>
    /// <remarks>Quantities quadratic in the value, such as squared errors or variances, scale by <c>Scales[f]²</c>: apply this twice.</remarks>
    /// <param name="values">Differences in scaled units, time-major; NaN stays NaN.</param>
    /// <param name="destination">Receives the differences in original units; same length. May be the same span (in place).</param>
    /// <exception cref="ArgumentException">See <see cref="Transform(ReadOnlySpan{float}, Span{float})"/>.</exception>
    public void InverseScale(ReadOnlySpan<float> values, Span<float> destination)
    {
        ValidateMap(values, destination);
        int features = _offsets.Length;
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = Checked(values[i] * _scales[i % features], i, features);
        }
    }

    /// <summary>
    /// Converts differences or error magnitudes (for example per-feature anomaly scores) measured in scaled units back to
    /// original units: <c>destination[i] = values[i]·Scales[f]</c>.
    /// </summary>
    /// <remarks>Quantities quadratic in the value, such as squared errors or variances, scale by <c>Scales[f]²</c>: apply this twice.</remarks>
    /// <param name="values">Differences in scaled units, time-major; NaN stays NaN, infinity is rejected.</param>
    /// <param name="destination">Receives the differences in original units; same length. May be the same span (in place).</param>
    /// <exception cref="ArgumentException">The lengths do not fit the layout, the spans partly overlap, or <paramref name="values"/> holds an infinity.</exception>
    public void InverseScale(ReadOnlySpan<double> values, Span<double> destination)
    {
        int features = _offsets.Length;
        if (values.Length % features != 0)
        {
            throw new ArgumentException(
                $"values has {values.Length} values, not a whole number of time steps of {features} features (the scaler's Features).",
                nameof(values));
        }

        SeriesArguments.SameLength(values.Length, destination.Length, nameof(destination));
        SeriesArguments.InPlaceOrDisjoint(values, destination, nameof(destination));
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsInfinity(values[i]))
            {
                throw new ArgumentException(
                    $"values contains {SeriesArguments.Format(values[i])} at index {i}; values must be finite or NaN.", nameof(values));
            }
        }

        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = values[i] * _scales[i % features];
        }
    }

    /// <summary>Converts one difference or error magnitude of one feature from scaled to original units.</summary>
    /// <param name="value">The difference in scaled units; NaN gives NaN.</param>
    /// <param name="feature">The feature index, in <c>[0, Features)</c>.</param>
    /// <returns><c>value·Scales[feature]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="feature"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is infinite.</exception>
    public double InverseScale(double value, int feature)
    {
        ValidateFeature(feature);
        if (double.IsInfinity(value))
        {
            throw new ArgumentException($"value is {SeriesArguments.Format(value)}; it must be finite or NaN.", nameof(value));
        }

        return value * _scales[feature];
    }

    private void ValidateMap(ReadOnlySpan<float> values, Span<float> destination)
    {
        int features = _offsets.Length;
        if (values.Length % features != 0)
        {
            throw new ArgumentException(
                $"values has {values.Length} values, not a whole number of time steps of {features} features (the scaler's Features).",
                nameof(values));
        }

        SeriesArguments.SameLength(values.Length, destination.Length, nameof(destination));
        SeriesArguments.InPlaceOrDisjoint(values, destination, nameof(destination));

        // Checked before writing, so an in-place call on bad input leaves the input untouched.
        SeriesArguments.NoInfinity(values, features, nameof(values));
    }

    private void ValidateValue(float value, int feature)
    {
        ValidateFeature(feature);
        if (float.IsInfinity(value))
        {
            throw new ArgumentException($"value is {SeriesArguments.Format(value)}; it must be finite or NaN (missing).", nameof(value));
        }
    }

    private void ValidateFeature(int feature)
    {
        if ((uint)feature >= (uint)_offsets.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(feature), feature, $"feature must be in [0, {_offsets.Length}), the scaler's features.");
        }
    }

    private static float Checked(float result, int index, int features)
    {
        if (float.IsInfinity(result))
        {
            throw new ArgumentException(
                $"The value at index {index} (time step {index / features}, feature {index % features}) maps outside the float range; "
                + "values must map to finite floats under this scaler.",
                "values");
        }

        return result;
    }

    private static float Checked(float result, string paramName)
    {
        if (float.IsInfinity(result))
        {
            throw new ArgumentException($"The {paramName} maps outside the float range; it must map to a finite float under this scaler.", paramName);
        }

        return result;
    }
}
