namespace GruAnomaly.Detection;

/// <summary>Maps a surprise (−log₁₀ of a tail probability) to a likelihood in [0, 1) without saturating.</summary>
public static class AnomalyLikelihood
{
    /// <summary>
    /// <c>S / (1 + S)</c>: 0 at S = 0, 0.5 at S = 1 (tail probability 0.1), 0.75 at S = 3, 0.9 at S = 9, and strictly
    /// increasing: two surprises below 10¹⁵ never map to the same value, where <c>1 − p</c> would tie at 1 from p &lt; 10⁻¹⁶.
    /// </summary>
    /// <param name="surprise">A surprise of at least 0; NaN gives NaN.</param>
    /// <returns>The likelihood.</returns>
    public static double FromSurprise(double surprise) => surprise / (1 + surprise);
}
