using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Scoring.Baselines;

/// <summary>The −log10 two-sided Gaussian tail of the windowed Gaussian scorer, far beyond where the probability underflows.</summary>
public sealed class GaussianTailTests
{
    [Theory]
    // Reference values of −log10(erfc(z/√2)) at 50 significant digits (mpmath), rounded to 17.
    // Checks by hand: 2·Q(1.959964) = 0.05 → 1.30103; 2·Q(3) = 0.0026998 → 2.56867. For large z,
    // −log10(2·Q(z)) ≈ (z²/2 + ln(z·√(π/2)))/ln 10: z = 40 → (800 + ln 50.133)/2.302585 = (800 + 3.9147)/2.302585 = 349.136.
    [InlineData(0.0, 0.0)]
    [InlineData(1.0, 0.4985155458279893)]
    [InlineData(1.959963984540054, 1.301029995663981)]
    [InlineData(3.0, 2.5686690402653879)]
    [InlineData(10.0, 22.817023409822095)]
    [InlineData(40.0, 349.13597646368186)]
    [InlineData(1e3, 217150.33901199872)]
    [InlineData(1e6, 217147240957.72397)]
    public void MatchesAHighPrecisionReference(double z, double expected)
    {
        Assert.Equal(expected, GaussianTail.NegativeLog10(z), 1e-12 * Math.Max(1, expected));
        Assert.Equal(expected, GaussianTail.NegativeLog10(-z), 1e-12 * Math.Max(1, expected));
    }

    [Fact]
    public void HugeZScoresStayFiniteAndStrictlyIncreasing()
    {
        // The tail probability itself is 0 in double precision beyond z ≈ 38.5; its −log10 keeps growing like z²/(2·ln 10).
        double[] z = [10, 38, 39, 40, 1e3, 1e6, 1e9, 1e15];
        double[] tails = [.. z.Select(GaussianTail.NegativeLog10)];

        Assert.All(tails, t => Assert.True(double.IsFinite(t)));
        for (int i = 1; i < tails.Length; i++)
        {
            Assert.True(tails[i] > tails[i - 1], $"tail({z[i]}) = {tails[i]} is not above tail({z[i - 1]}) = {tails[i - 1]}");
        }

        Assert.Equal(0, Math.Exp(-39.0 * 39 / 2));
        Assert.Equal(1e30 / (2 * Math.Log(10)), tails[^1], 1e-10 * tails[^1]);
    }

    [Theory]
    // erfcx(x) = e^{x²}·erfc(x), 50-digit references; both sides of the switch from series to continued fraction at
    // x = 1.5 and of the change in the number of terms at x = 3.
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.61569034419292587)]
    [InlineData(1.0, 0.427583576155807)]
    [InlineData(1.499, 0.32174911555603419)]
    [InlineData(1.5, 0.3215854164543175)]
    [InlineData(1.501, 0.32142186965470728)]
    [InlineData(2.0, 0.25539567631050574)]
    [InlineData(2.999, 0.17905553933024893)]
    [InlineData(3.0, 0.17900115118138995)]
    [InlineData(5.0, 0.11070463773306863)]
    [InlineData(10.0, 0.056140992743822586)]
    [InlineData(100.0, 0.0056416137829894329)]
    public void ScaledComplementaryErrorMatchesAHighPrecisionReference(double x, double expected)
    {
        Assert.Equal(expected, GaussianTail.ScaledComplementaryError(x), 2e-14 * expected);
    }

    [Theory]
    [InlineData(-7.5)]
    [InlineData(-0.3)]
    [InlineData(0.2)]
    [InlineData(1.5)]
    [InlineData(2.9)]
    [InlineData(12)]
    [InlineData(300)]
    public void DerivativeMatchesCentralDifferences(double z)
    {
        double h = 1e-5 * Math.Max(1, Math.Abs(z));
        double numeric = (GaussianTail.NegativeLog10(z + h) - GaussianTail.NegativeLog10(z - h)) / (2 * h);

        Assert.Equal(numeric, GaussianTail.NegativeLog10Derivative(z), 1e-6 * Math.Max(1, Math.Abs(numeric)));
    }
}
