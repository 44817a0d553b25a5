using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        if (AllFinite(values))
        {
            return;
        }

        int index = FirstNonFinite(values);
        throw new ArgumentException(
            $"{paramName} contains {values[index]} at index {index}; {what} must be finite (no NaN or infinity).", paramName);
    }

    /// <summary>The index of the first NaN or infinity; only for a span that <see cref="AllFinite"/> refused.</summary>
    internal static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        int index = 0;
        while (float.IsFinite(values[index]))
        {
            index++;
        }

        return index;
    }

    /// <summary>Whether no value is NaN or infinite (true for an empty span): a value is neither when its exponent bits are not all ones.</summary>
    /// <remarks>
    /// Every forward pass checks its parameters and inputs with this. It is the library's own loop rather than
    /// <c>TensorPrimitives.IsFiniteAll</c> because that generic loop stayed in tier-0 code on one CPU (the JIT there waits a
    /// second or more before promoting, and on-stack replacement only enters after a thousand iterations of each call),
    /// which cost tens of microseconds per pass; this one is optimized from the first call. The test is on the bits, so it
    /// is exact.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool AllFinite(ReadOnlySpan<float> values)
    {
        const int ExponentMask = 0x7F80_0000;
        ReadOnlySpan<int> bits = MemoryMarshal.Cast<float, int>(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated && bits.Length >= Vector<int>.Count)
        {
            var mask = new Vector<int>(ExponentMask);
            Vector<int> nonFinite = Vector<int>.Zero;
            ReadOnlySpan<Vector<int>> vectors = MemoryMarshal.Cast<int, Vector<int>>(bits);
            foreach (Vector<int> vector in vectors)
            {
                nonFinite |= Vector.Equals(vector & mask, mask);
            }

            if (nonFinite != Vector<int>.Zero)
            {
                return false;
            }

            i = vectors.Length * Vector<int>.Count;
        }

        for (; i < bits.Length; i++)
        {
            if ((bits[i] & ExponentMask) == ExponentMask)
            {
                return false;
            }
        }

        return true;
    }
}
