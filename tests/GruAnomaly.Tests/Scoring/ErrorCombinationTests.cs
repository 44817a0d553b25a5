using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Scoring;

public sealed class ErrorCombinationTests
{
    [Fact]
    public void MeanAveragesAbsoluteResidualsOverObservedFeatures()
    {
        IFittedErrorCombination mean = ErrorCombination.Mean.Fit([], features: 3, signed: true);
        var contributions = new double[3];

        // |−0.6| and |0.3| over the two observed features: (0.6 + 0.3) / 2 = 0.45, shares 0.3 and 0.15.
        double score = mean.Combine([-0.6f, float.NaN, 0.3f], contributions);

        Assert.Equal(0.45, score, 6);
        Assert.Equal([0.3, 0.0, 0.15], contributions, (a, b) => Math.Abs(a - b) < 1e-6);
        var gradient = new float[3];
        mean.Gradient([-0.6f, float.NaN, 0.3f], gradient);
        Assert.Equal([-0.5f, 0f, 0.5f], gradient);
    }

    [Fact]
    public void MeanOfLossesKeepsTheirSign()
    {
        IFittedErrorCombination mean = ErrorCombination.Mean.Fit([], features: 2, signed: false);
        Assert.Equal(-0.5, mean.Combine([-2f, 1f], new double[2]), 6);
        Assert.Equal(0, mean.Combine([float.NaN, float.NaN], new double[2]));
    }

    [Fact]
    public void MahalanobisMatchesAHandWorkedCovariance()
    {
        // Residuals (1,1), (−1,−1), (1,−1), (−1,1) three times over: mean 0, covariance diag(12/11, 12/11) (divisor n − 1 = 11).
        float[] training = [.. Enumerable.Repeat(new[] { 1f, 1f, -1f, -1f, 1f, -1f, -1f, 1f }, 3).SelectMany(x => x)];
        var fitted = (FittedMahalanobisCombination)ErrorCombination.Mahalanobis.Fit(training, features: 2, signed: true);

        Assert.Equal([0.0, 0.0], fitted.Mean);
        Assert.Equal(12.0 / 11, fitted.Covariance[0], 12);
        Assert.Equal(0.0, fitted.Covariance[1], 12);
        var contributions = new double[2];
        // d = (2, 0): d²/σ² = 4 · 11/12, score = √(11/3); the whole score is feature 0's.
        double score = fitted.Combine([2f, 0f], contributions);
        Assert.Equal(Math.Sqrt(11.0 / 3), score, 5);
        Assert.Equal(score, contributions[0], 5);
        Assert.Equal(0, contributions[1], 9);
    }

    [Fact]
    public void MahalanobisFlagsABrokenCorrelationThatTheMeanMisses()
    {
        // Two residuals that always move together: (x, x) with x = ±1 (and a little independent noise).
        var random = new Random(3);
        float[] training = [.. Enumerable.Range(0, 400).SelectMany(i =>
        {
            float x = (float)((random.NextDouble() * 2) - 1);
            return new[] { x + (0.05f * (float)(random.NextDouble() - 0.5)), x + (0.05f * (float)(random.NextDouble() - 0.5)) };
        })];
        IFittedErrorCombination mahalanobis = ErrorCombination.Mahalanobis.Fit(training, 2, signed: true);
        IFittedErrorCombination mean = ErrorCombination.Mean.Fit(training, 2, signed: true);
        var contributions = new double[2];

        double together = mahalanobis.Combine([0.5f, 0.5f], contributions);
        double apart = mahalanobis.Combine([0.5f, -0.5f], contributions);

        Assert.Equal(mean.Combine([0.5f, 0.5f], new double[2]), mean.Combine([0.5f, -0.5f], new double[2]));
        Assert.True(apart > 10 * together, $"apart {apart}, together {together}");
        Assert.Equal(apart, contributions.Sum(), 9);
    }

    [Fact]
    public void MahalanobisGradientMatchesFiniteDifferences()
    {
        var random = new Random(5);
        float[] training = [.. Enumerable.Range(0, 300).Select(_ => (float)random.NextDouble())];
        IFittedErrorCombination combination = ErrorCombination.Mahalanobis.Fit(training, 3, signed: true);
        float[] errors = [0.9f, -0.2f, 0.4f];
        var gradient = new float[3];
        combination.Gradient(errors, gradient);
        for (int f = 0; f < 3; f++)
        {
            const float h = 1e-3f;
            float[] up = [.. errors], down = [.. errors];
            up[f] += h;
            down[f] -= h;
            double numeric = (combination.Combine(up, new double[3]) - combination.Combine(down, new double[3])) / (2 * h);
            Assert.Equal(numeric, gradient[f], 2e-3 * Math.Max(1, Math.Abs(numeric)));
        }
    }

    [Fact]
    public void MahalanobisRefusesLossesAndTooFewRows()
    {
        var losses = Assert.Throws<ArgumentException>(() => ErrorCombination.Mahalanobis.Fit([1f, 2f, 3f, 4f], 2, signed: false));
        Assert.Contains("signed residuals", losses.Message, StringComparison.Ordinal);
        var few = Assert.Throws<ArgumentException>(() => ErrorCombination.Mahalanobis.Fit([1f, 2f, float.NaN, 4f, 5f, 6f], 2, signed: true));
        Assert.Contains("more than 2 time steps with every feature observed; got 2", few.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new FittedMahalanobisCombination([0, 0], [1, 0.5, 0.4, 1]));
        Assert.Throws<ArgumentException>(() => new FittedMahalanobisCombination([0, 0], [1, 2, 2, 1]));
    }

    [Fact]
    public void ExponentialSmoothingFollowsTheRecursionAndSkipsGaps()
    {
        var smoothing = new ExponentialSmoothing(span: 3);   // α = 0.5
        double[] scores = [double.NaN, 4, 0, double.NaN, 2];
        var smoothed = new double[5];

        smoothing.Apply(scores, smoothed);

        Assert.Equal(0.5, smoothing.Alpha);
        Assert.True(double.IsNaN(smoothed[0]) && double.IsNaN(smoothed[3]));
        Assert.Equal([4.0, 2.0, 2.0], [smoothed[1], smoothed[2], smoothed[4]]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialSmoothing(0));
    }
}
