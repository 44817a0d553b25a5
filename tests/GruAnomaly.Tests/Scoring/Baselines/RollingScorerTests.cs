using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Scoring.Baselines;

/// <summary>The rolling z-score and windowed Gaussian baselines on hand-worked series.</summary>
public sealed class RollingScorerTests
{
    // Window 3 over the series below; σ is the population standard deviation of the three previous values.
    //  t  series  window     mean    σ                               z
    //  3    10    1 2 3      2       √(2/3) = 0.816497               8/0.816497 = 9.797959
    //  4     3    2 3 10     5       √(38/3) = 3.559026              −2/3.559026 = −0.561951
    //  5     3    3 10 3     16/3    √(98/9)/√3 = 3.299832           (−7/3)/3.299832 = −1/√2 = −0.707107
    //  6     3    10 3 3     16/3    3.299832                        −1/√2
    //  7     3    3 3 3      3       0 → floored to 10⁻³             0/10⁻³ = 0
    //  8     4    3 3 3      3       0 → floored to 10⁻³             1/10⁻³ = 1000
    private static readonly float[] Series = [1, 2, 3, 10, 3, 3, 3, 3, 4];
    private static readonly float[] Means = [2, 5, 16f / 3, 16f / 3, 3, 3];
    private static readonly double[] ZScores = [9.797958971132712, -0.5619514869490164, -0.7071067811865476, -0.7071067811865476, 0, 1000];

    [Fact]
    public void RollingZScoreExpectsTheWindowMeanAndReportsTheZScore()
    {
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.RollingZScore(3));

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, Series);

        Assert.All(expected[..3], e => Assert.True(float.IsNaN(e)));
        Assert.All(errors[..3], e => Assert.True(float.IsNaN(e)));
        Assert.Equal(Means, expected[3..], (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(ZScores, errors[3..].Select(e => (double)e), (a, b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(a)));
        Assert.Equal(("rolling-z-score(window=3)", 3, 3, true), (scorer.Name, scorer.WarmUp, scorer.HeldOutFrom, scorer.ErrorsAreSigned));
        Assert.Null(scorer.History);
    }

    [Fact]
    public void WindowedGaussianReportsTheNegativeLogOfTheTwoSidedTail()
    {
        // −log10(2·Q(|z|)) = −log10(erfc(|z|/√2)) for the z-scores above:
        //   z = 9.797959: x = z/√2 = √48, erfc(x) = e^{−48}·erfcx(x), erfcx(x) ≈ (1 − 1/(2x²))/(x√π) = 0.080586,
        //                 so (48 − ln 0.080586)/ln 10 = (48 + 2.51843)/2.302585 = 21.9397.
        //   z = −0.561951: 2·Q(0.561951) = 0.57407 → 0.240975.
        //   z = −1/√2:     erfc(1/2) = 0.479500 → 0.319211.
        //   z = 0:         erfc(0) = 1 → 0.
        //   z = 1000:      x² = 500000, erfcx(x) ≈ 1/(x√π) = 1/1253.31 → (500000 + 7.13354)/2.302585 = 217150.339.
        double[] tails = [21.939742419178808, 0.24097533218791498, 0.31921127782572, 0.31921127782572, 0, 217150.33901199872];
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.WindowedGaussian(3));

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, Series);

        Assert.Equal(Means, expected[3..], (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(tails, errors[3..].Select(e => (double)e), (a, b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(a)));
        Assert.All(errors[..3], e => Assert.True(float.IsNaN(e)));
        Assert.Equal(("windowed-gaussian(window=3)", 3, false), (scorer.Name, scorer.WarmUp, scorer.ErrorsAreSigned));
    }

    [Fact]
    public void WindowsDefaultToTheDetectorsWindow()
    {
        // A detector window of 4: the z-score reads 4 previous inputs, the windowed Gaussian 10 × 4 = 40.
        Assert.Equal(4, BaselineScoring.Fit(Scorer.RollingZScore(), window: 4).WarmUp);
        Assert.Equal(40, BaselineScoring.Fit(Scorer.WindowedGaussian(), window: 4).WarmUp);
        Assert.Equal("windowed-gaussian(window=40)", BaselineScoring.Fit(Scorer.WindowedGaussian(), window: 4).Name);
        Assert.Equal((5, 8), (Scorer.RollingZScore().MinimumLength(4), Scorer.RollingZScore(7).MinimumLength(4)));
        Assert.Equal((41, 8), (Scorer.WindowedGaussian().MinimumLength(4), Scorer.WindowedGaussian(7).MinimumLength(4)));
        Assert.Equal(("rolling-z-score", "windowed-gaussian"), (Scorer.RollingZScore().Name, Scorer.WindowedGaussian().Name));
    }

    [Fact]
    public void AMissingObservationHasTheWindowMeanButNoError()
    {
        // Window 2. observed 1 3 NaN 5 7, inputs 1 3 3 5 7 (forward-filled).
        //  t = 2: window 1 3 → mean 2, σ 1; observation missing → error NaN.
        //  t = 3: window 3 3 (the filled input) → mean 3, σ floored → z = (5 − 3)/10⁻³ = 2000.
        //  t = 4: window 3 5 → mean 4, σ 1 → z = 3.
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.RollingZScore(2));

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, [1, 3, 3, 5, 7], [1, 3, float.NaN, 5, 7]);

        Assert.Equal([2f, 3f, 4f], expected[2..]);
        Assert.True(float.IsNaN(errors[2]));
        Assert.Equal([2000f, 3f], errors[3..]);
    }

    [Fact]
    public void FeaturesHaveTheirOwnStatistics()
    {
        // Window 2, two features:
        //   feature 0: 1 3 | 5 → mean 2, σ 1, z = 3;   then 3 5 | 4 → mean 4, σ 1, z = 0
        //   feature 1: 0 0 | 1 → mean 0, σ floored, z = 1000;   then 0 1 | 0 → mean ½, σ ½, z = −1
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.RollingZScore(2), features: 2);

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, [1, 0, 3, 0, 5, 1, 4, 0]);

        Assert.Equal([2f, 0f, 4f, 0.5f], expected[4..]);
        Assert.Equal([3f, 1000f, 0f, -1f], errors[4..]);
    }

    [Fact]
    public void AConstantStretchGivesLargeButFiniteErrors()
    {
        // 50 equal values, then one step up by 1 (in scaled units): σ is floored, so z = 1/10⁻³ = 1000 and the tail
        // −log10(2·Q(1000)) = 217150.34, both finite. On the constant stretch itself z = 0/10⁻³ = 0.
        float[] series = [.. Enumerable.Repeat(0.25f, 50), 1.25f];
        (_, float[] z) = BaselineScoring.Score(BaselineScoring.Fit(Scorer.RollingZScore(10)), series);
        (_, float[] tail) = BaselineScoring.Score(BaselineScoring.Fit(Scorer.WindowedGaussian(10)), series);

        Assert.All(z[10..50], e => Assert.Equal(0f, e));
        Assert.All(tail[10..50], e => Assert.Equal(0f, e));
        Assert.Equal(1000f, z[50], 1e-3f);
        Assert.Equal(217150.34f, tail[50], 0.05f);
    }

    [Fact]
    public void SlidingStatisticsMatchATwoPassReferenceOnALongSeriesWithBursts()
    {
        // 5000 steps of three features: noise around 0, bursts of 10⁶, constant stretches with a small step soon after
        // the burst has left the window (where the burst's rounding must not pose as spread), tiny noise under the
        // floor. Every error is checked against the mean and σ recomputed from scratch for that window.
        var random = new Random(21);
        const int features = 3, window = 25, length = 5000;
        var series = new float[length * features];
        for (int t = 0; t < length; t++)
        {
            for (int f = 0; f < features; f++)
            {
                int phase = (t / 200) % 4;
                series[(t * features) + f] = phase switch
                {
                    0 => (float)random.NextDouble(),
                    1 => 1e6f * (float)random.NextDouble(),
                    2 => t % 200 is 26 or 30 or 41 ? 7.01f : 7f,
                    _ => (float)random.NextDouble() * 1e-4f,
                };
            }
        }

        (float[] expected, float[] errors) = BaselineScoring.Score(BaselineScoring.Fit(Scorer.RollingZScore(window), features), series);

        for (int t = window; t < length; t++)
        {
            for (int f = 0; f < features; f++)
            {
                double[] values = [.. Enumerable.Range(t - window, window).Select(s => (double)series[(s * features) + f])];
                double mean = values.Average();
                double deviation = Math.Max(Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / window), 1e-3);
                double z = (series[(t * features) + f] - mean) / deviation;
                int i = (t * features) + f;
                Assert.True(Math.Abs(expected[i] - mean) <= 1e-6 * Math.Max(1, Math.Abs(mean)), $"mean at {t}, {f}: {expected[i]} vs {mean}");
                Assert.True(Math.Abs(errors[i] - z) <= 1e-5 * Math.Max(1, Math.Abs(z)), $"z at {t}, {f}: {errors[i]} vs {z}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SaliencyMatchesFiniteDifferences(bool gaussian)
    {
        var random = new Random(gaussian ? 12 : 13);
        float[] inputs = [.. Enumerable.Range(0, 40).Select(_ => (float)(random.NextDouble() * 2))];
        IAnomalyScorer scorer = gaussian ? Scorer.WindowedGaussian(5) : Scorer.RollingZScore(5);

        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(BaselineScoring.Fit(scorer, features: 2), inputs, time: 12, seed: 3);
        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(BaselineScoring.Fit(scorer, features: 2), inputs, time: 19, seed: 4);
    }

    [Fact]
    public void SaliencyThroughAFlooredDeviationOnlyMovesTheMean()
    {
        // Window 2 of equal values 3, 3 and observation 3.002: σ is floored, z = 0.002/10⁻³ = 2, and
        // ∂z/∂o = 1/10⁻³ = 1000, ∂z/∂xⱼ = −1/(2·10⁻³) = −500 (the floor does not move with the inputs).
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.RollingZScore(2));
        var gradient = new float[3];

        int first = scorer.Saliency([3f, 3f, 3.002f], [3f, 3f, 3.002f], 2, [1f], gradient, out int steps);

        Assert.Equal((0, 3), (first, steps));
        Assert.Equal([-500f, -500f, 1000f], gradient, (a, b) => Math.Abs(a - b) < 1e-3f);
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowedGaussianScorer(-1));
        Assert.Contains("Scorer.RollingZScore", Assert.Throws<ArgumentException>(() => Scorer.RollingZScore(0).Fit(null!, null, default)).Message, StringComparison.Ordinal);
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new RollingZScoreScorer(0));
        Assert.Equal("window", exception.ParamName);
        Assert.Throws<ArgumentNullException>(() => new WindowedGaussianScorer().Fit(null!, null, CancellationToken.None));
        Assert.Equal((int?)null, new RollingZScoreScorer().Window);

        IFittedScorer scorer = BaselineScoring.Fit(Scorer.RollingZScore(3));
        var tooShort = Assert.Throws<ArgumentException>(() => BaselineScoring.Score(scorer, [1, 2, 3]));
        Assert.Contains("needs at least 4", tooShort.Message, StringComparison.Ordinal);
        var notFinite = Assert.Throws<ArgumentException>(() => BaselineScoring.Score(scorer, [1, 2, float.NaN, 4]));
        Assert.Contains("must be finite", notFinite.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Saliency(new float[5], new float[5], 2, [1f], new float[4], out _));
    }
}
