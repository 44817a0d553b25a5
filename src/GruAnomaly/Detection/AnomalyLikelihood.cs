namespace GruAnomaly.Detection;

/// <summary>Maps a surprise (−log₁₀ of a tail probability) to a likelihood in [0, 1) without saturating.</summary>
public static class AnomalyLikelihood
{
    /// <summary>
    /// <c>L / (1 + L)</c> with <c>L = ln(1 + S)</c>: 0 at S = 0, 0.41 at S = 1 (tail probability 0.1), 0.58 at S = 3
    /// (10⁻³), 0.70 at S = 9 (10⁻⁹), 0.99 only at S ≈ e⁹⁹. The logarithm keeps it strictly increasing in doubles for every
    /// finite surprise a score can have, where <c>1 − p</c> ties at 1 from p &lt; 10⁻¹⁶ and <c>S / (1 + S)</c> from S ≈ 10¹⁶.
    /// </summary>
    /// <param name="surprise">A surprise of at least 0; NaN gives NaN.</param>
    /// <returns>The likelihood.</returns>
    public static double FromSurprise(double surprise)
    {
        double log = double.LogP1(surprise);
        return log / (1 + log);
    }
}
