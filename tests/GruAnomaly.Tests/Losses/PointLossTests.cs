using GruAnomaly.Losses;

namespace GruAnomaly.Tests.Losses;

/// <summary>Hand-worked values for the point losses (MSE, MAE, Huber).</summary>
public sealed class PointLossTests
{
    // Two rows of width 2; residuals p − t = [−0.5, 0, 2, −1], all exact in float.
    private static readonly float[] Predictions = [1f, 2f, 3f, 4f];
    private static readonly float[] Targets = [1.5f, 2f, 1f, 5f];

    private static (LossValue Value, float[] Gradient, float[] Points) Run(ILoss loss)
    {
        float[] gradient = new float[4];
        float[] points = new float[4];
        LossValue value = loss.Evaluate(Predictions, Targets, 2, gradient);
        loss.PointLosses(Predictions, Targets, 2, points);
        return (value, gradient, points);
    }

    [Fact]
    public void Mean_squared_error_on_hand_values()
    {
        (LossValue value, float[] gradient, float[] points) = Run(Loss.Mse);

        // squares 0.25, 0, 4, 1; gradient 2·d/4.
        Assert.Equal(new LossValue(5.25, 4), value);
        Assert.Equal(1.3125, value.Mean);
        Assert.Equal([0.25f, 0f, 4f, 1f], points);
        Assert.Equal([-0.25f, 0f, 1f, -0.5f], gradient);
    }

    [Fact]
    public void Mean_absolute_error_on_hand_values_with_zero_gradient_at_equality()
    {
        (LossValue value, float[] gradient, float[] points) = Run(Loss.Mae);

        // magnitudes 0.5, 0, 2, 1; gradient sign(d)/4 with sign(0) = 0.
        Assert.Equal(new LossValue(3.5, 4), value);
        Assert.Equal([0.5f, 0f, 2f, 1f], points);
        Assert.Equal([-0.25f, 0f, 0.25f, -0.25f], gradient);
    }

    [Fact]
    public void Huber_with_delta_one_on_hand_values()
    {
        (LossValue value, float[] gradient, float[] points) = Run(Loss.Huber(1f));

        // |d| ≤ 1: 0.5·d² → 0.125, 0, and 0.5 at the boundary |d| = 1; |d| = 2: 1·(2 − 0.5) = 1.5.
        // Gradient clamp(d, −1, 1)/4.
        Assert.Equal(new LossValue(2.125, 4), value);
        Assert.Equal([0.125f, 0f, 1.5f, 0.5f], points);
        Assert.Equal([-0.125f, 0f, 0.25f, -0.25f], gradient);
    }

    [Fact]
    public void Huber_with_small_delta_is_linear_beyond_delta()
    {
        (LossValue value, float[] gradient, float[] points) = Run(Loss.Huber(0.25f));

        // δ(|d| − δ/2) with δ = 0.25: 0.25·0.375, 0, 0.25·1.875, 0.25·0.875; gradient ±δ/4 except at d = 0.
        Assert.Equal([0.09375f, 0f, 0.46875f, 0.21875f], points);
        Assert.Equal(new LossValue(0.78125, 4), value);
        Assert.Equal([-0.0625f, 0f, 0.0625f, -0.0625f], gradient);
    }

    [Fact]
    public void Huber_with_large_delta_equals_half_the_squared_error()
    {
        float[] huberGradient = new float[4];
        float[] mseGradient = new float[4];
        LossValue huber = Loss.Huber(10f).Evaluate(Predictions, Targets, 2, huberGradient);
        LossValue mse = Loss.Mse.Evaluate(Predictions, Targets, 2, mseGradient);

        Assert.Equal(mse.Sum / 2, huber.Sum);
        Assert.Equal(mseGradient.Select(g => g / 2), huberGradient);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Huber_delta_must_be_positive_and_finite(float delta)
    {
        Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => Loss.Huber(delta)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HuberLoss(delta));
    }

    [Fact]
    public void Point_losses_are_element_wise_whatever_the_row_width()
    {
        float[] byRows = new float[4];
        float[] asOneRow = new float[4];
        Loss.Huber(0.5f).PointLosses(Predictions, Targets, 2, byRows);
        Loss.Huber(0.5f).PointLosses(Predictions, Targets, 4, asOneRow);
        Assert.Equal(byRows, asOneRow);
    }
}