using System.Globalization;

namespace GruAnomaly.Training;

/// <summary>
/// Recovers the decimal value a hyperparameter was written as, as PyTorch (which keeps hyperparameters in double) sees it.
/// </summary>
/// <remarks>
/// Hyperparameters arrive as <see cref="float"/>, so <c>0.1f</c> is really 0.100000001490116… and <c>0.999f</c> is
/// 0.99900001287…. Arithmetic in double on those values drifts from what the user wrote: <c>0.01f · 0.1f³</c> lands
/// an ulp away from <c>0.00001f</c>, and <c>1 − 0.999f</c> is 1.3e-5 relative away from 0.001. PyTorch keeps
/// hyperparameters as Python doubles, so starting from the decimal reproduces its schedules exactly and its optimizer
/// coefficients to the last bit. The shortest decimal that round-trips a float is the literal the user wrote (for
/// any literal of up to about seven significant digits); for any other float it is within half a float ulp of the
/// value, so nothing is lost.
/// </remarks>
internal static class ShortestDecimal
{
    /// <summary>The shortest round-trip decimal representation of <paramref name="value"/>, parsed as a double.</summary>
    public static double ToDouble(float value)
    {
        if (!float.IsFinite(value))
        {
            return value;
        }

        Span<char> text = stackalloc char[32];
        bool formatted = value.TryFormat(text, out int written, "R", CultureInfo.InvariantCulture);
        return formatted ? double.Parse(text[..written], NumberStyles.Float, CultureInfo.InvariantCulture) : value;
    }
}