using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Thresholds;

/// <summary>The automatic threshold's tail models: the exponential default and the generalized Pareto of SPOT.</summary>
public sealed class AutomaticThresholdTests
{
    [Fact]
    public void TheExponentialTailThresholdIsTheHandComputedOne()
    {
        double[] scores = [.. Enumerable.Range(0, 1000).Select(i => (double)i)];

        var fitted = Assert.IsType<FittedStaticThreshold>(Threshold.Automatic(1e-4).Fit(scores));

        // t = the 0.98 quantile at position 999·0.98 = 979.02; the 20 scores 980…999 lie above it, excesses 0.98…19.98,
        // mean 10.48; z = t + 10.48·ln(N_t/(q·n)) = 979.02 + 10.48·ln(20/0.1).
        Assert.Equal(979.02 + (10.48 * Math.Log(200)), fitted.Value, 1e-9);
        Assert.Equal(0, fitted.Tail!.Excesses.Shape);
        Assert.Equal("PeaksOverThreshold(risk=0.0001, q0=0.98, exponential tail)", fitted.Name);
        Assert.Equal(1e-4, fitted.TailProbability(fitted.Value), 1e-15);
    }

    [Fact]
    public void OnExponentialScoresTheExponentialTailIsNearTheTrueQuantile()
    {
        double[] scores = Samples.Exponential(100_000, seed: 2024);

        IFittedThreshold fitted = Threshold.Automatic(1e-4).Fit(scores);

        // True quantile −ln 1e-4 = 9.21. The mean excess of N_t = 2000 peaks has sd 1/√2000 = 0.022, times
        // ln(N_t/(q·n)) = 5.3 gives 0.12; t adds 0.022: 3 sd is 0.37.
        Assert.Equal(-Math.Log(1e-4), fitted.Value, 0.37);
    }

    /// <summary>
    /// Why the exponential tail is the default: calibration scores are smoothed, so their peaks are few and dependent.
    /// On 2000 points of an exponentially weighted moving average (span 50) of Gaussian noise, whose 1 − 10⁻⁴ quantile is
    /// known, the generalized Pareto's fitted shape scatters the threshold more than the exponential tail does (root mean
    /// square error of the threshold's log over 40 seeds: 0.145 against 0.246 when written).
    /// </summary>
    [Fact]
    public void OnSmoothedScoresTheExponentialTailIsSteadierThanTheGeneralizedPareto()
    {
        const double Alpha = 2.0 / 51;
        double trueQuantile = 3.719016485 * Math.Sqrt(Alpha / (2 - Alpha));
        var exponentialErrors = new List<double>();
        var paretoErrors = new List<double>();
        for (int seed = 0; seed < 40; seed++)
        {
            double[] noise = Samples.Gaussian(2001, seed);
            double[] smoothed = new double[2000];
            double level = noise[2000] * Math.Sqrt(Alpha / (2 - Alpha));
            for (int i = 0; i < smoothed.Length; i++)
            {
                level += Alpha * (noise[i] - level);
                smoothed[i] = level;
            }

            exponentialErrors.Add(Math.Log(Threshold.Automatic(1e-4).Fit(smoothed).Value / trueQuantile));
            paretoErrors.Add(Math.Log(Threshold.Automatic(1e-4, TailModel.GeneralizedPareto).Fit(smoothed).Value / trueQuantile));
        }

        double exponentialSpread = RootMeanSquare(exponentialErrors), paretoSpread = RootMeanSquare(paretoErrors);
        Assert.True(exponentialSpread < paretoSpread,
            $"root mean square log error: exponential {exponentialSpread:F3}, generalized Pareto {paretoSpread:F3}");
        // A simulation of the same process gave a relative sd of 0.17 for the exponential threshold: within a quarter.
        Assert.True(exponentialSpread < 0.25, $"exponential tail: root mean square log error {exponentialSpread:F3}");
    }

    [Fact]
    public void TheGeneralizedParetoTailIsSpotsThreshold()
    {
        double[] scores = Samples.Exponential(20_000, seed: 9);

        IFittedThreshold automatic = Threshold.Automatic(1e-4, TailModel.GeneralizedPareto).Fit(scores);

        Assert.Equal(Threshold.PeaksOverThreshold(1e-4).Fit(scores).Value, automatic.Value);
        Assert.Equal("PeaksOverThreshold(risk=0.0001, q0=0.98)", automatic.Name);
    }

    [Fact]
    public void NamesSayWhichTail()
    {
        Assert.Equal("Automatic(risk=0.0001, q0=0.98)", Threshold.Automatic().Name);
        Assert.Equal(TailModel.Exponential, Threshold.Automatic().Tail);
        Assert.Equal("Automatic(risk=0.001, q0=0.98, generalized Pareto tail)", Threshold.Automatic(1e-3, TailModel.GeneralizedPareto).Name);
    }

    [Fact]
    public void TooFewScoresFallBackWhicheverTheTail()
    {
        double[] scores = Samples.Exponential(100, seed: 7);
        foreach (TailModel tail in Enum.GetValues<TailModel>())
        {
            IFittedThreshold fitted = Threshold.Automatic(tail: tail).Fit(scores);
            Assert.StartsWith("MedianPlusMad(", fitted.Name, StringComparison.Ordinal);
            Assert.Contains("100 calibration scores are too few", fitted.Name, StringComparison.Ordinal);
            Assert.Equal(tail == TailModel.Exponential, fitted.Name.Contains("exponential tail", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AnUndefinedTailIsRefused()
    {
        var direct = Assert.Throws<ArgumentOutOfRangeException>(() => new AutomaticThresholdStrategy(1e-4, (TailModel)7));
        Assert.Equal("tail", direct.ParamName);
        Assert.Contains("TailModel.Exponential or TailModel.GeneralizedPareto", direct.Message, StringComparison.Ordinal);

        // Through the factory the problem waits for Validate (the builder's Build reports every problem at once).
        var problems = new List<string>();
        Threshold.Automatic(tail: (TailModel)7).Validate(problems);
        Assert.Contains(problems, p => p.Contains("Threshold.Automatic", StringComparison.Ordinal) && p.Contains("tail", StringComparison.Ordinal));
    }

    private static double RootMeanSquare(List<double> values) => Math.Sqrt(values.Average(v => v * v));
}
