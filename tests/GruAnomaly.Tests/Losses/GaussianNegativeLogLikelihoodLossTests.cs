using GruAnomaly.Losses;

namespace GruAnomaly.Tests.Losses;

/// <summary>Hand-worked values and layout of the Gaussian negative log-likelihood.</summary>
public sealed class GaussianNegativeLogLikelihoodLossTests
{
    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    [Fact]
    public void Hand_values_with_one_target_per_row()
    {
        // Row 0: μ = 1, s = 0, t = 2 → 0.5·(0 + 1 + log 2π).
        // Row 1: μ = 0, s = log 4, t = 4 → 0.5·(log 4 + 16/4 + log 2π).
        float logFour = MathF.Log(4f);
        float[] predictions = [1f, 0f, 0f, logFour];
        float[] targets = [2f, 4f];
        float[] gradient = new float[4];

        LossValue value = Loss.GaussianNll.Evaluate(predictions, targets, 1, gradient);

        double row0 = 0.5 + HalfLogTwoPi;
        double row1 = (0.5 * Math.Log(4)) + 2 + HalfLogTwoPi;
        Assert.Equal(2, value.Count);
        Assert.Equal(row0 + row1, value.Sum, 1e-6);

        // ∂/∂μ = (μ − t)·e^(−s)/2 and ∂/∂s = 0.5·(1 − (t − μ)²·e^(−s))/2 (mean over two values).
        Assert.Equal(-0.5f, gradient[0], 1e-6f);
        Assert.Equal(0f, gradient[1], 1e-6f);
        Assert.Equal(-0.5f, gradient[2], 1e-6f);
        Assert.Equal(-0.75f, gradient[3], 1e-6f);

        float[] points = new float[2];
        Loss.GaussianNll.PointLosses(predictions, targets, 1, points);
        Assert.Equal(row0, points[0], 1e-6);
        Assert.Equal(row1, points[1], 1e-6);
    }

    [Fact]
    public void Means_come_first_then_log_variances_in_each_row()
    {
        // Row 0 (width 2): μ = [0, 10], s = [log 9, 0], t = [3, 10]; row 1 mirrors it: μ = [10, 0], s = [0, log 9], t = [10, 3].
        float logNine = MathF.Log(9f);
        float[] predictions = [0f, 10f, logNine, 0f, 10f, 0f, 0f, logNine];
        float[] targets = [3f, 10f, 10f, 3f];
        float[] points = new float[4];

        Loss.GaussianNll.PointLosses(predictions, targets, 2, points);

        double first = (0.5 * Math.Log(9)) + 0.5 + HalfLogTwoPi; // 0.5·(log 9 + 9/9 + log 2π)
        double exact = HalfLogTwoPi;                              // 0.5·(0 + 0 + log 2π)
        Assert.Equal(first, points[0], 1e-6);
        Assert.Equal(exact, points[1], 1e-6);
        Assert.Equal(exact, points[2], 1e-6);
        Assert.Equal((0.5 * Math.Log(9)) + 0.5 + HalfLogTwoPi, points[3], 1e-6);
    }

    [Fact]
    public void Log_variance_is_clamped_with_zero_gradient_outside_the_range()
    {
        // s = 25 is used as 20, s = −25 as −20; the s gradient vanishes there, the μ gradient uses the clamped variance.
        float[] predictions = [0f, 25f, 0f, -25f];
        float[] targets = [1f, 1e-4f];
        float[] gradient = new float[4];

        LossValue value = Loss.GaussianNll.Evaluate(predictions, targets, 1, gradient);

        double high = 0.5 * (20 + Math.Exp(-20) + Math.Log(2 * Math.PI));
        double low = 0.5 * (-20 + (1e-8 * Math.Exp(20)) + Math.Log(2 * Math.PI));
        Assert.Equal(high + low, value.Sum, 1e-4);
        Assert.Equal(0f, gradient[1]);
        Assert.Equal(0f, gradient[3]);
        Assert.Equal((float)(-Math.Exp(-20) / 2), gradient[0], 1e-12f);
        Assert.Equal((float)(-1e-4 * Math.Exp(20) / 2), gradient[2], 0.05f);
        Assert.True(double.IsFinite(value.Sum));
    }

    [Fact]
    public void Log_variance_gradient_is_kept_inside_the_range_and_at_its_bounds()
    {
        float[] predictions = [0f, 20f, 0f, -20f];
        float[] targets = [0f, 0f];
        float[] gradient = new float[4];

        Loss.GaussianNll.Evaluate(predictions, targets, 1, gradient);

        // Zero residual: ∂/∂s = 0.5·(1 − 0)/2.
        Assert.Equal(0.25f, gradient[1]);
        Assert.Equal(0.25f, gradient[3]);
    }

    [Fact]
    public void A_missing_target_clears_both_its_mean_and_log_variance_gradient()
    {
        float[] predictions = [0.5f, -0.5f, 1f, 0.1f, 0.2f, 0.3f];
        float[] targets = [1f, float.NaN, 2f];
        float[] gradient = Enumerable.Repeat(9f, 6).ToArray();

        LossValue value = Loss.GaussianNll.Evaluate(predictions, targets, 3, gradient);

        Assert.Equal(2, value.Count);
        Assert.Equal(0f, gradient[1]);
        Assert.Equal(0f, gradient[4]);
        Assert.All(new[] { 0, 2, 3, 5 }, i => Assert.NotEqual(0f, gradient[i]));
    }
}