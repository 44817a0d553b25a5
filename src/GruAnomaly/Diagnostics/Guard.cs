using System.Numerics.Tensors;

namespace GruAnomaly.Diagnostics;

/// <summary>Argument checks at public edges, with messages that say what was wrong and what was expected.</summary>
internal static class Guard
{
    public static void Length(int actual, int expected, string paramName, string expectedShape)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                $"{paramName} has {actual} values; expected {expected} ({expectedShape}).", paramName);
        }
    }

    public static void LengthOrEmpty(int actual, int expected, string paramName, string expectedShape)
    {
        if (actual != 0)
        {
            Length(actual, expected, paramName, expectedShape);
        }
    }

    public static void Finite(ReadOnlySpan<float> values, string paramName, string what)
    {
        // IsFiniteAll answers false for an empty span.
        if (values.IsEmpty || TensorPrimitives.IsFiniteAll(values))
        {
            return;
        }

        int index = 0;
        while (float.IsFinite(values[index]))
        {
            index++;
        }

        throw new ArgumentException(
            $"{paramName} contains {values[index]} at index {index}; {what} must be finite (no NaN or infinity).", paramName);
    }
}
