using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Thresholds;

/// <summary>Fixed, mean + kσ, quantile and median + k·MAD on hand-worked arrays and on known distributions.</summary>
public sealed class SimpleStrategyTests
{
    private static readonly double[] OneToFour = [3, 1, 4, 2];

    [Fact]
    public void Fixed_threshold_is_the_value_at_every_step_and_tail_probability_is_empirical()
    {
        IFittedThreshold fitted = Threshold.Fixed(2.5).Fit(OneToFour);

        Assert.Equal(2.5, fitted.Value);
        Assert.Equal([2.5, 2.5, 2.5], Samples.Apply(fitted, [0, 10, -3]));
        // P(S ≥ s) over {1, 2, 3, 4}.
        Assert.Equal(1.0, fitted.TailProbability(0));
        Assert.Equal(0.75, fitted.TailProbability(2));
        Assert.Equal(0.5, fitted.TailProbability(2.5));
        Assert.Equal(0.25, fitted.TailProbability(4));
        Assert.Equal(0.0, fitted.TailProbability(4.5));
        Assert.Equal("Fixed(2.5)", fitted.Name);
    }

    [Fact]
    public void Mean_plus_sigma_uses_the_population_standard_deviation()
    {
        // mean 2.5; squared deviations 2.25, 0.25, 0.25, 2.25 → variance 5/4 → σ = √1.25.
        IFittedThreshold fitted = Threshold.MeanPlusSigma(1).Fit(OneToFour);

        Assert.Equal(2.5 + Math.Sqrt(1.25), fitted.Value, 15);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.25, 1.75)] // h = 3·0.25 = 0.75 → 1 + 0.75·(2 − 1)
    [InlineData(0.9, 3.7)]   // h = 2.7 → 3 + 0.7·(4 − 3); numpy.quantile([1,2,3,4], 0.9) = 3.7
    [InlineData(1.0, 4.0)]
    public void Quantile_interpolates_linearly_like_numpy(double q, double expected)
    {
        Assert.Equal(expected, Threshold.Quantile(q).Fit(OneToFour).Value, 14);
    }

    [Fact]
    public void Median_plus_mad_is_robust_to_an_outlier()
    {
        // median of {1, 2, 3, 4, 100} is 3; |x − 3| = {2, 1, 0, 1, 97} → median 1 → 3 + 2·1.4826·1.
        IFittedThreshold fitted = Threshold.MedianPlusMad(2).Fit([1, 2, 3, 4, 100]);

        Assert.Equal(3 + (2 * 1.4826), fitted.Value, 14);
    }

    [Fact]
    public void Median_of_an_even_count_is_the_mean_of_the_middle_pair()
    {
        // median 2.5; |x − 2.5| = {1.5, 0.5, 0.5, 1.5} → median 1 → 2.5 + 1.4826.
        Assert.Equal(2.5 + 1.4826, Threshold.MedianPlusMad(1).Fit(OneToFour).Value, 14);
    }

    [Fact]
    public void Gaussian_mean_plus_three_sigma_and_median_plus_three_mad_are_near_three()
    {
        double[] scores = Samples.Gaussian(100_000, seed: 11);

        // Standard errors at n = 1e5: mean + 3σ̂ has sd √((1 + 9/2)/n) ≈ 0.0074; median + 3·MAD·1.4826 has sd
        // ≈ √((π/2 + 9·1.36)/n) ≈ 0.012. Tolerances are about 4 sd.
        Assert.Equal(3.0, Threshold.MeanPlusSigma().Fit(scores).Value, 0.03);
        Assert.Equal(3.0, Threshold.MedianPlusMad().Fit(scores).Value, 0.05);
    }

    [Fact]
    public void Exponential_quantile_is_near_minus_log_of_the_tail()
    {
        double[] scores = Samples.Exponential(100_000, seed: 5);

        // The 0.99 quantile of Exp(1) is ln 100 = 4.6052; sd of the sample quantile √(p(1 − p)/n)/f = 0.0315.
        Assert.Equal(Math.Log(100), Threshold.Quantile(0.99).Fit(scores).Value, 0.12);
    }

    [Fact]
    public void Fit_rejects_empty_and_non_finite_scores()
    {
        var empty = Assert.Throws<ArgumentException>(() => Threshold.Quantile(0.5).Fit([]));
        Assert.Equal("calibrationScores", empty.ParamName);
        Assert.Contains("needs at least 1", empty.Message, StringComparison.Ordinal);

        var nan = Assert.Throws<ArgumentException>(() => Threshold.Fixed(1).Fit([1, 2, double.NaN]));
        Assert.Equal("calibrationScores", nan.ParamName);
        Assert.Contains("index 2", nan.Message, StringComparison.Ordinal);

        var single = Assert.Throws<ArgumentException>(() => Threshold.MeanPlusSigma().Fit([1]));
        Assert.Contains("needs at least 2", single.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => Threshold.MedianPlusMad().Fit([double.PositiveInfinity]));
    }

    [Fact]
    public void Strategies_reject_out_of_range_settings()
    {
        Assert.Equal("q", Assert.Throws<ArgumentOutOfRangeException>(() => new QuantileStrategy(1.5)).ParamName);
        Assert.Equal("q", Assert.Throws<ArgumentOutOfRangeException>(() => new QuantileStrategy(double.NaN)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => new MeanPlusSigmaStrategy(double.NaN)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new FixedThresholdStrategy(double.PositiveInfinity)).ParamName);

        // The factories record the problem instead: fitting refuses it, naming the argument.
        var deferred = Assert.Throws<ArgumentException>(() => Threshold.Quantile(1.5).Fit([1, 2, 3]));
        Assert.Contains("Threshold.Quantile: q must be in [0, 1]", deferred.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_checks_lengths_and_finiteness()
    {
        IFittedThreshold fitted = Threshold.Fixed(1).Fit(OneToFour);

        var length = Assert.Throws<ArgumentException>(() => fitted.Apply([1, 2], new double[3]));
        Assert.Equal("thresholds", length.ParamName);
        Assert.Contains("expected 2", length.Message, StringComparison.Ordinal);

        var nan = Assert.Throws<ArgumentException>(() => fitted.Apply([1, double.NaN], new double[2]));
        Assert.Equal("scores", nan.ParamName);
        Assert.Contains("index 1", nan.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empirical_distribution_round_trips_through_its_state()
    {
        var distribution = new EmpiricalDistribution(OneToFour);
        var copy = new EmpiricalDistribution(distribution.SortedValues);

        Assert.Equal([1.0, 2, 3, 4], distribution.SortedValues.ToArray());
        Assert.Equal(distribution.Quantile(0.3), copy.Quantile(0.3));
        Assert.Equal(2, distribution.CountAbove(2));
    }
}
