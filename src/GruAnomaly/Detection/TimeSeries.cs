namespace GruAnomaly.Detection;

/// <summary>
/// An immutable, possibly multivariate series: values time-major (<c>values[t·Features + f]</c>), NaN for a missing
/// value, and optional timestamps. Converts implicitly from <c>float[]</c> (univariate) and <c>float[,]</c> ([time, feature]).
/// </summary>
public sealed class TimeSeries
{
    private readonly float[] _values;
    private readonly DateTimeOffset[]? _timestamps;

    /// <summary>Creates a series from time-major values.</summary>
    /// <param name="values">Values, time-major; NaN marks a missing value; infinities are refused.</param>
    /// <param name="features">Values per time step; positive.</param>
    /// <param name="timestamps">One strictly increasing timestamp per time step, or null.</param>
    /// <exception cref="ArgumentException">The series is empty, not a whole number of time steps, holds an infinity, or the timestamps do not fit.</exception>
    public TimeSeries(ReadOnlySpan<float> values, int features = 1, IReadOnlyList<DateTimeOffset>? timestamps = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (values.IsEmpty)
        {
            throw new ArgumentException("The series is empty; expected at least one time step.", nameof(values));
        }

        if (values.Length % features != 0)
        {
            throw new ArgumentException(
                $"The series has {values.Length} values, not a whole number of time steps of {features} features.", nameof(values));
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsInfinity(values[i]))
            {
                throw new ArgumentException(
                    $"The series holds {values[i]} at time {i / features}, feature {i % features}; values must be finite or NaN (missing).",
                    nameof(values));
            }
        }

        _values = values.ToArray();
        Features = features;
        Length = values.Length / features;
        if (timestamps is not null)
        {
            if (timestamps.Count != Length)
            {
                throw new ArgumentException($"There are {timestamps.Count} timestamps for {Length} time steps; expected one per step.", nameof(timestamps));
            }

            for (int t = 1; t < timestamps.Count; t++)
            {
                if (timestamps[t] <= timestamps[t - 1])
                {
                    throw new ArgumentException(
                        $"Timestamps must strictly increase; step {t} ({timestamps[t]:O}) is not after step {t - 1} ({timestamps[t - 1]:O}).",
                        nameof(timestamps));
                }
            }

            _timestamps = [.. timestamps];
        }
    }

    /// <summary>Gets the number of features per time step.</summary>
    public int Features { get; }

    /// <summary>Gets the number of time steps.</summary>
    public int Length { get; }

    /// <summary>Gets the values, time-major.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Gets the timestamps, or null when the series has none.</summary>
    public IReadOnlyList<DateTimeOffset>? Timestamps => _timestamps;

    /// <summary>Gets one time step's values.</summary>
    /// <param name="time">The time step.</param>
    /// <returns>Its <see cref="Features"/> values.</returns>
    public ReadOnlySpan<float> At(int time) => _values.AsSpan(time * Features, Features);

    /// <summary>Creates a univariate series.</summary>
    /// <param name="values">The values; NaN marks a missing value.</param>
    /// <param name="timestamps">One strictly increasing timestamp per value, or null.</param>
    /// <returns>The series.</returns>
    public static TimeSeries Univariate(ReadOnlySpan<float> values, IReadOnlyList<DateTimeOffset>? timestamps = null) =>
        new(values, 1, timestamps);

    /// <summary>Creates a series from a [time, feature] array.</summary>
    /// <param name="values">The values; NaN marks a missing value.</param>
    /// <param name="timestamps">One strictly increasing timestamp per row, or null.</param>
    /// <returns>The series.</returns>
    public static TimeSeries FromArray(float[,] values, IReadOnlyList<DateTimeOffset>? timestamps = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        int length = values.GetLength(0), features = values.GetLength(1);
        if (features == 0)
        {
            throw new ArgumentException("The array has no feature columns; expected [time, feature] with at least one feature.", nameof(values));
        }

        var flat = new float[length * features]; // a float[,] already holds length × features values
        for (int t = 0; t < length; t++)
        {
            for (int f = 0; f < features; f++)
            {
                flat[(t * features) + f] = values[t, f];
            }
        }

        return new TimeSeries(flat, features, timestamps);
    }

    /// <summary>Returns the same values with timestamps attached.</summary>
    /// <param name="timestamps">One strictly increasing timestamp per time step.</param>
    /// <returns>A new series.</returns>
    public TimeSeries WithTimestamps(IReadOnlyList<DateTimeOffset> timestamps)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        return new TimeSeries(_values, Features, timestamps);
    }

    /// <summary>Wraps a univariate array.</summary>
    /// <param name="values">The values.</param>
    public static implicit operator TimeSeries(float[] values) => Univariate(values);

    /// <summary>Wraps a [time, feature] array.</summary>
    /// <param name="values">The values.</param>
    public static implicit operator TimeSeries(float[,] values) => FromArray(values);
}
