using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Thresholds;

/// <summary>Grimshaw's maximum-likelihood fit of the generalized Pareto distribution on samples of known parameters.</summary>
public sealed class GeneralizedParetoTests
{
    // Asymptotic MLE standard errors (Smith 1984), n = 50 000: sd(γ̂) = (1 + γ)/√n, sd(σ̂) = σ·√(2(1 + γ)/n).
    // γ = 0.2: 0.0054 and 0.0069; γ = −0.2: 0.0036 and 0.0057. Tolerances are about 4 sd.
    [Theory]
    [InlineData(0.2, 1.0, 0.022, 0.028)]
    [InlineData(-0.2, 1.0, 0.015, 0.023)]
    [InlineData(0.5, 2.0, 0.027, 0.08)] // sd(γ̂) = 0.0067, sd(σ̂) = 2·√(3/n) = 0.0155 → ~4 sd, σ relative 4%
    public void Fit_recovers_shape_and_scale(double shape, double scale, double shapeTolerance, double scaleTolerance)
    {
        double[] excesses = Samples.GeneralizedPareto(50_000, shape, scale, seed: 42);

        GeneralizedPareto fit = GeneralizedPareto.Fit(excesses);

        Assert.Equal(shape, fit.Shape, shapeTolerance);
        Assert.Equal(scale, fit.Scale, scaleTolerance);
    }

    [Fact]
    public void Fit_is_a_likelihood_maximum()
    {
        double[] excesses = Samples.GeneralizedPareto(5_000, 0.3, 1.5, seed: 7);
        GeneralizedPareto fit = GeneralizedPareto.Fit(excesses);
        double best = GeneralizedPareto.LogLikelihood(excesses, fit.Shape, fit.Scale);

        // No nearby or true-parameter point does better: the fit is the maximum, not just some root.
        Assert.True(best >= GeneralizedPareto.LogLikelihood(excesses, 0.3, 1.5));
        foreach (double dShape in new[] { -0.01, 0, 0.01 })
        {
            foreach (double dScale in new[] { -0.01, 0, 0.01 })
            {
                Assert.True(best >= GeneralizedPareto.LogLikelihood(excesses, fit.Shape + dShape, fit.Scale * (1 + dScale)) - 1e-9);
            }
        }
    }

    [Fact]
    public void Exponential_excesses_give_a_shape_near_zero_and_a_scale_near_one()
    {
        GeneralizedPareto fit = GeneralizedPareto.Fit(Samples.Exponential(50_000, seed: 3));

        // γ = 0: sd(γ̂) = 1/√n = 0.0045, sd(σ̂) = √(2/n) = 0.0063.
        Assert.Equal(0.0, fit.Shape, 0.018);
        Assert.Equal(1.0, fit.Scale, 0.025);
    }

    [Fact]
    public void Survival_and_inverse_survival_are_inverse_and_match_closed_forms()
    {
        var heavy = new GeneralizedPareto(0.5, 2);
        // P(Y > 3) = (1 + 0.5·3/2)^(−2) = 1.75^(−2).
        Assert.Equal(Math.Pow(1.75, -2), heavy.Survival(3), 15);
        Assert.Equal(3, heavy.InverseSurvival(Math.Pow(1.75, -2)), 12);

        var exponential = new GeneralizedPareto(0, 1);
        Assert.Equal(Math.Exp(-2), exponential.Survival(2), 15);
        Assert.Equal(-Math.Log(1e-4), exponential.InverseSurvival(1e-4), 12);

        var bounded = new GeneralizedPareto(-0.5, 1); // support [0, 2]
        Assert.Equal(0.0, bounded.Survival(2.5));
        Assert.Equal(1.0, bounded.Survival(-1));
    }

    [Fact]
    public void Fit_rejects_bad_excesses()
    {
        var tooFew = Assert.Throws<ArgumentException>(() => GeneralizedPareto.Fit([1.0]));
        Assert.Equal("excesses", tooFew.ParamName);
        Assert.Contains("at least 2", tooFew.Message, StringComparison.Ordinal);

        var negative = Assert.Throws<ArgumentException>(() => GeneralizedPareto.Fit([1.0, -0.5, 2]));
        Assert.Contains("index 1", negative.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => GeneralizedPareto.Fit([0.0, 0, 0]));
        Assert.Throws<ArgumentException>(() => GeneralizedPareto.Fit([1.0, double.NaN]));
        Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => new GeneralizedPareto(0.1, 0)).ParamName);
    }
}
