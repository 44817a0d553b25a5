using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Scoring.Baselines;

/// <summary>The naive (and seasonal naive) baseline scorer on hand-worked series.</summary>
public sealed class NaiveScorerTests
{
    [Fact]
    public void LagOneExpectsThePreviousInputAndReportsTheSignedDifference()
    {
        // series    1    3    2    5
        // expected  —    1    3    2     (the input one step back)
        // error     —    2   −1    3     (observed − expected)
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.Naive());

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, [1, 3, 2, 5]);

        Assert.True(float.IsNaN(expected[0]) && float.IsNaN(errors[0]));
        Assert.Equal([1f, 3f, 2f], expected[1..]);
        Assert.Equal([2f, -1f, 3f], errors[1..]);
        Assert.Equal(("naive(lag=1)", 1, 1, 1, true), (scorer.Name, scorer.WarmUp, scorer.HeldOutFrom, scorer.Window, scorer.ErrorsAreSigned));
        Assert.Null(scorer.History);
    }

    [Fact]
    public void SeasonalLagComparesWithTheSamePhaseOfTheLastPeriod()
    {
        // Period 2, lag 2:
        // series    1    2    1    3    1    2
        // expected  —    —    1    2    1    3
        // error     —    —    0    1    0   −1
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.Naive(lag: 2));

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, [1, 2, 1, 3, 1, 2]);

        Assert.All(expected[..2], e => Assert.True(float.IsNaN(e)));
        Assert.All(errors[..2], e => Assert.True(float.IsNaN(e)));
        Assert.Equal([1f, 2f, 1f, 3f], expected[2..]);
        Assert.Equal([0f, 1f, 0f, -1f], errors[2..]);
        Assert.Equal(2, scorer.WarmUp);
    }

    [Fact]
    public void AMissingObservationHasAnExpectedValueButNoError()
    {
        // observed  1    3    NaN  5     inputs 1 3 3 5 (the missing value forward-filled, as the detector does)
        // expected  —    1    3    3
        // error     —    2    NaN  2
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.Naive());

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, [1, 3, 3, 5], [1, 3, float.NaN, 5]);

        Assert.Equal([1f, 3f, 3f], expected[1..]);
        Assert.Equal(2f, errors[1]);
        Assert.True(float.IsNaN(errors[2]));
        Assert.Equal(2f, errors[3]);
    }

    [Fact]
    public void FeaturesAreScoredIndependently()
    {
        // rows (1, 10), (2, 20), (4, 25): expected (1, 10), (2, 20); errors (1, 10), (2, 5).
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.Naive(), features: 2);

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, [1, 10, 2, 20, 4, 25]);

        Assert.Equal([1f, 10f, 2f, 20f], expected[2..]);
        Assert.Equal([1f, 10f, 2f, 5f], errors[2..]);
        Assert.Equal(2, scorer.Features);
    }

    [Fact]
    public void SaliencyIsMinusOneAtTheLagAndOneAtTheObservation()
    {
        // error(t) = x(t) − x(t − 2): with ∂score/∂error = (0.5, −2) the saliency rows t − 2, t − 1, t are
        // (−0.5, 2), (0, 0), (0.5, −2).
        IFittedScorer scorer = BaselineScoring.Fit(Scorer.Naive(lag: 2), features: 2);
        float[] inputs = [1, 2, 3, 4, 5, 6, 7, 8];
        var gradient = new float[scorer.MaximumSaliencySteps * 2];

        int first = scorer.Saliency(inputs, inputs, 3, [0.5f, -2f], gradient, out int steps);

        Assert.Equal((1, 3, 3), (first, steps, scorer.MaximumSaliencySteps));
        Assert.Equal([-0.5f, 2f, 0f, 0f, 0.5f, -2f], gradient);
    }

    [Fact]
    public void SaliencyMatchesFiniteDifferences()
    {
        var random = new Random(11);
        float[] inputs = [.. Enumerable.Range(0, 30).Select(_ => (float)random.NextDouble())];
        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(BaselineScoring.Fit(Scorer.Naive(lag: 3), features: 3), inputs, time: 7);
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Contains("Scorer.Naive", Assert.Throws<ArgumentException>(() => Scorer.Naive(0).Fit(null!, null, default)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NaiveScorer(-3));
        Assert.Throws<ArgumentNullException>(() => new NaiveScorer().Fit(null!, null, CancellationToken.None));
        Assert.Equal(6, new NaiveScorer(5).MinimumLength(window: 32));

        IFittedScorer scorer = BaselineScoring.Fit(Scorer.Naive(lag: 3));
        var tooShort = Assert.Throws<ArgumentException>(() => BaselineScoring.Score(scorer, [1, 2, 3]));
        Assert.Contains("needs at least 4", tooShort.Message, StringComparison.Ordinal);
        var gradient = new float[scorer.MaximumSaliencySteps];
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Saliency(new float[6], new float[6], 2, [1f], gradient, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Saliency(new float[6], new float[6], 6, [1f], gradient, out _));
        Assert.Throws<ArgumentException>(() => scorer.Saliency(new float[6], new float[6], 4, [1f], new float[3], out _));
    }
}
