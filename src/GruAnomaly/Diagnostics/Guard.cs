using System.Numerics.Tensors;

namespace GruAnomaly.Diagnostics;

/// <summary>Argument checks at public edges, with messages that say what was wrong and what was expected.</summary>
internal static class Guard
{
    /// <summary>
    /// Multiplies sizes taken from the caller in 128-bit arithmetic and returns the product, or refuses one that no array
    /// can hold: an <c>int</c> product would overflow (or, worse, wrap to a small positive size) first.
    /// </summary>
    /// <param name="paramName">The argument that made the size too large.</param>
    /// <param name="what">What the product counts, for example "streams × StateSize".</param>
    /// <param name="factors">The sizes.</param>
    /// <returns>The product, at most <see cref="Array.MaxLength"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The product exceeds <see cref="Array.MaxLength"/>.</exception>
    public static int ArraySize(string paramName, string what, params ReadOnlySpan<long> factors)
    {
        Int128 product = 1;
        foreach (long factor in factors)
        {
            product *= factor;
        }

        if (product > Array.MaxLength || product < 0)
        {
            var shown = new string[factors.Length];
            for (int i = 0; i < factors.Length; i++)
            {
                shown[i] = factors[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            throw new ArgumentOutOfRangeException(
                paramName,
                FormattableString.Invariant(
                    $"{what} = {string.Join(" × ", shown)} = {product} values, more than the largest array holds (Array.MaxLength = {Array.MaxLength}); use smaller sizes."));
        }

        return (int)product;
    }

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
