using System.Globalization;
using System.Numerics.Tensors;

namespace GruAnomaly.Preprocessing;

/// <summary>Checks of time-major series (<c>values[t·features + f]</c>) shared by the preprocessing steps.</summary>
internal static class SeriesArguments
{
    /// <summary>Checks that <paramref name="features"/> is positive and <paramref name="values"/> holds whole time steps.</summary>
    public static void Layout(ReadOnlySpan<float> values, int features, string valuesName, string featuresName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features, featuresName);
        if (values.Length % features != 0)
        {
            throw new ArgumentException(
                $"{valuesName} has {values.Length} values, not a whole number of time steps of {features} features; "
                + $"the length must be a multiple of {featuresName}.",
                valuesName);
        }
    }

    /// <summary>Checks that a destination has the length of its input.</summary>
    public static void SameLength(int valuesLength, int destinationLength, string destinationName)
    {
        if (destinationLength != valuesLength)
        {
            throw new ArgumentException(
                $"{destinationName} has {destinationLength} values; expected {valuesLength}, the length of the input.", destinationName);
        }
    }

    /// <summary>
    /// Checks that a destination either is the input itself (in place) or does not overlap it, because an element-wise
    /// pass over spans shifted against each other would read values it has already overwritten.
    /// </summary>
    public static void InPlaceOrDisjoint<T>(ReadOnlySpan<T> values, Span<T> destination, string destinationName)
    {
        if (values.Overlaps(destination, out int elementOffset) && elementOffset != 0)
        {
            throw new ArgumentException(
                $"{destinationName} overlaps the input shifted by {elementOffset} elements; it must be the same span (in place) or not overlap.",
                destinationName);
        }
    }

    /// <summary>Throws if <paramref name="values"/> holds an infinity; NaN (missing) is allowed.</summary>
    public static void NoInfinity(ReadOnlySpan<float> values, int features, string valuesName)
    {
        if (!TensorPrimitives.IsInfinityAny(values))
        {
            return;
        }

        int index = 0;
        while (!float.IsInfinity(values[index]))
        {
            index++;
        }

        throw new ArgumentException(
            $"{valuesName} contains {Format(values[index])} at index {index} (time step {index / features}, feature {index % features}); "
            + "series values must be finite or NaN (missing).",
            valuesName);
    }

    /// <summary>Throws if <paramref name="values"/> holds an infinity or NaN.</summary>
    public static void Finite(ReadOnlySpan<double> values, string valuesName, string what)
    {
        for (int index = 0; index < values.Length; index++)
        {
            if (!double.IsFinite(values[index]))
            {
                throw new ArgumentException(
                    $"{valuesName} contains {Format(values[index])} at index {index}; {what} must be finite.", valuesName);
            }
        }
    }

    /// <summary>
    /// Checks a series that something is fitted to or filled from: valid layout, at least one time step, no infinity,
    /// and at least one observed (non-NaN) value in every feature.
    /// </summary>
    public static void Observed(ReadOnlySpan<float> values, int features, string valuesName, string featuresName)
    {
        Layout(values, features, valuesName, featuresName);
        if (values.IsEmpty)
        {
            throw new ArgumentException($"{valuesName} is empty; at least one time step is needed.", valuesName);
        }

        NoInfinity(values, features, valuesName);
        for (int f = 0; f < features; f++)
        {
            bool observed = false;
            for (int i = f; i < values.Length && !observed; i += features)
            {
                observed = !float.IsNaN(values[i]);
            }

            if (!observed)
            {
                throw new ArgumentException(
                    $"Feature {f} of {valuesName} has no observed value (all {values.Length / features} are NaN); every feature needs at least one finite value.",
                    valuesName);
            }
        }
    }

    public static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
