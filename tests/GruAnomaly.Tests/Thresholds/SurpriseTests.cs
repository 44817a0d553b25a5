using GruAnomaly.Detection;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Thresholds;

/// <summary>The calibrated surprise never saturates and never ties, however far a score lies beyond calibration.</summary>
public sealed class SurpriseTests
{
    /// <summary>Scores from below the calibration minimum to far beyond anything seen, growing geometrically.</summary>
    private static double[] Ladder()
    {
        var scores = new List<double> { -1e6, -10, -1, 0 };
        for (double s = 1e-3; s < 1e300; s *= 1.7)
        {
            scores.Add(s);
        }

        return [.. scores];
    }

    public static TheoryData<string> Strategies() => ["pot-heavy", "pot-exponential", "pot-short", "quantile", "dynamic", "dspot", "automatic-fallback"];

    private static IFittedThreshold Fit(string name) => name switch
    {
        "pot-heavy" => Threshold.PeaksOverThreshold(1e-3).Fit(Samples.GeneralizedPareto(5000, 0.3, 1, seed: 1)),
        "pot-exponential" => Threshold.PeaksOverThreshold(1e-3).Fit(Samples.Exponential(5000, seed: 2)),
        "pot-short" => Threshold.PeaksOverThreshold(1e-3).Fit(Samples.GeneralizedPareto(5000, -0.4, 1, seed: 3)),
        "quantile" => Threshold.Quantile(0.99).Fit(Samples.Exponential(300, seed: 4)),
        "dynamic" => Threshold.Dynamic().Fit(Samples.Exponential(300, seed: 5)),
        "dspot" => Threshold.DriftingPeaksOverThreshold(10, 1e-3).Fit(Samples.Exponential(5000, seed: 6)),
        "automatic-fallback" => Threshold.Automatic().Fit(Samples.Exponential(100, seed: 7)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void SurpriseStrictlyIncreasesFromFarBelowToFarBeyondCalibration(string name)
    {
        IFittedThreshold fitted = Fit(name);
        double previous = double.NegativeInfinity, previousLikelihood = double.NegativeInfinity;
        foreach (double score in Ladder())
        {
            double surprise = fitted.Surprise(score);
            double likelihood = AnomalyLikelihood.FromSurprise(surprise);
            Assert.True(double.IsFinite(surprise) && surprise >= 0, $"{name}: surprise {surprise} at {score}");
            Assert.True(surprise > previous, $"{name}: surprise {surprise} at {score:G6} does not exceed {previous} below it");
            Assert.True(likelihood > previousLikelihood && likelihood < 1, $"{name}: likelihood {likelihood} at {score:G6}");
            previous = surprise;
            previousLikelihood = likelihood;
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void SurpriseIsStrictlyIncreasingBetweenEveryCalibrationScore(string name)
    {
        // Dense steps through the body, where the empirical tail probability is a step function with ties.
        IFittedThreshold fitted = Fit(name);
        double previous = fitted.Surprise(-0.01);
        for (double score = 0; score < 12; score += 0.01)
        {
            double surprise = fitted.Surprise(score);
            Assert.True(surprise > previous, $"{name}: {surprise} at {score:F2} after {previous}");
            previous = surprise;
        }
    }

    [Fact]
    public void AboveThePeaksOverThresholdTailItIsExactlyMinusLog10OfTheTailProbability()
    {
        var fitted = (FittedStaticThreshold)Threshold.PeaksOverThreshold(1e-4).Fit(Samples.Exponential(100_000, seed: 1));
        foreach (double score in new[] { fitted.Tail!.InitialThreshold + 0.1, 6.0, fitted.Value, 15.0, 30.0 })
        {
            Assert.Equal(-Math.Log10(fitted.TailProbability(score)), fitted.Surprise(score), 10);
        }

        Assert.Equal(4, fitted.Surprise(fitted.Value), 9);

        // Where the tail probability underflows to 0 and ties, the surprise still orders the scores.
        Assert.Equal(0, fitted.TailProbability(5000));
        Assert.Equal(0, fitted.TailProbability(6000));
        Assert.True(fitted.Surprise(6000) > fitted.Surprise(5000));
    }

    [Fact]
    public void AShortTailContinuesPastItsEndpoint()
    {
        var fitted = (FittedStaticThreshold)Threshold.PeaksOverThreshold(1e-3).Fit(Samples.GeneralizedPareto(20_000, -0.4, 1, seed: 9));
        GeneralizedPareto excesses = fitted.Tail!.Excesses;
        Assert.True(excesses.Shape < 0, $"shape {excesses.Shape}");
        double end = fitted.Tail.InitialThreshold + (excesses.Scale / -excesses.Shape);

        // The fitted tail gives probability 0 past its endpoint; the surprise keeps growing, finite.
        Assert.Equal(0, fitted.TailProbability(end + 1));
        Assert.True(double.IsFinite(fitted.Surprise(end + 1)));
        Assert.True(fitted.Surprise(end + 2) > fitted.Surprise(end + 1));
        Assert.True(fitted.Surprise(end + 1) > fitted.Surprise(fitted.Value));
    }

    [Fact]
    public void LikelihoodMarksAreWhereTheDocumentationSays()
    {
        Assert.Equal(0, AnomalyLikelihood.FromSurprise(0));
        Assert.Equal(0.409, AnomalyLikelihood.FromSurprise(1), 3);
        Assert.Equal(0.581, AnomalyLikelihood.FromSurprise(3), 3);
        Assert.Equal(0.697, AnomalyLikelihood.FromSurprise(9), 3);
        Assert.True(AnomalyLikelihood.FromSurprise(1e300) < AnomalyLikelihood.FromSurprise(1.1e300));
        Assert.True(AnomalyLikelihood.FromSurprise(1e300) < 1);
    }
}
