using GruAnomaly.Training.Optimizers;

namespace GruAnomaly.Tests.Training;

public sealed class SgdTests
{
    private const double Tolerance = 1e-6;

    [Fact]
    public void Plain_sgd_subtracts_the_scaled_gradient()
    {
        float[][] actual = OptimizerReference.Run(new Sgd());

        // Worked by hand: θ − γ·g with γ = 0.1, then 0.05, then 0.025.
        OptimizerReference.AssertClose(
            [
                [0.475, -1.2, 1.85, 0],
                [0.48125, -1.2375, 1.8, -0.003125],
                [0.46875, -1.24375, 1.85, -0.00234375],
            ],
            actual,
            Tolerance);
        OptimizerReference.AssertClose(OptimizerReference.Sgd(0, 0, nesterov: false), actual, Tolerance);
    }

    [Fact]
    public void Momentum_seeds_the_buffer_with_the_first_gradient()
    {
        float[][] actual = OptimizerReference.Run(new Sgd(momentum: 0.9f));

        // Worked by hand: step 1 equals plain SGD (b = g₁); step 2 uses b = 0.9·g₁ + g₂ = [0.1, 0.3, 2.35, 0.0625] with γ = 0.05.
        OptimizerReference.AssertClose([[0.475, -1.2, 1.85, 0], [0.47, -1.215, 1.7325, -0.003125]], actual[..2], Tolerance);
        OptimizerReference.AssertClose(OptimizerReference.Sgd(0.9, 0, nesterov: false), actual, Tolerance);
    }

    [Fact]
    public void Nesterov_steps_along_the_gradient_plus_momentum_times_the_buffer()
    {
        float[][] actual = OptimizerReference.Run(new Sgd(momentum: 0.9f, nesterov: true));

        // Worked by hand, step 1: d = g + 0.9·g = 1.9·g, so θ − 0.19·g.
        OptimizerReference.AssertClose([[0.4525, -1.155, 1.715, 0]], actual[..1], Tolerance);
        OptimizerReference.AssertClose(OptimizerReference.Sgd(0.9, 0, nesterov: true), actual, Tolerance);
    }

    [Fact]
    public void Weight_decay_adds_the_l2_penalty_to_the_gradient()
    {
        OptimizerReference.AssertClose(OptimizerReference.Sgd(0, 0.01, nesterov: false), OptimizerReference.Run(new Sgd(weightDecay: 0.01f)), Tolerance);
        OptimizerReference.AssertClose(OptimizerReference.Sgd(0.9, 0.01, nesterov: false), OptimizerReference.Run(new Sgd(0.9f, 0.01f)), Tolerance);
        OptimizerReference.AssertClose(OptimizerReference.Sgd(0.9, 0.01, nesterov: true), OptimizerReference.Run(new Sgd(0.9f, 0.01f, nesterov: true)), Tolerance);

        // Worked by hand, step 1 with λ = 0.01: θ − 0.1·(g + 0.01·θ).
        OptimizerReference.AssertClose([[0.4745, -1.19875, 1.848, 0]], OptimizerReference.Run(new Sgd(weightDecay: 0.01f))[..1], Tolerance);
    }

    [Fact]
    public void Zero_learning_rate_leaves_parameters_but_still_accumulates_momentum()
    {
        IOptimizerState state = new Sgd(momentum: 0.5f).CreateState(2);
        float[] parameters = [1f, 2f];
        state.Step(parameters, [1f, -1f], 0f);
        Assert.Equal([1f, 2f], parameters);
        Assert.Equal([1f, -1f], state.Snapshot().Buffers[0]);
    }

    [Fact]
    public void Plain_sgd_keeps_no_buffers()
    {
        Assert.Empty(new Sgd().CreateState(5).Snapshot().Buffers);
        Assert.Single(new Sgd(momentum: 0.1f).CreateState(5).Snapshot().Buffers);
    }

    [Theory]
    [InlineData(-0.1f, 0f, false, "momentum")]
    [InlineData(float.NaN, 0f, false, "momentum")]
    [InlineData(float.PositiveInfinity, 0f, false, "momentum")]
    [InlineData(0f, -1f, false, "weightDecay")]
    [InlineData(0f, float.NaN, false, "weightDecay")]
    [InlineData(0f, 0f, true, "nesterov")]
    public void Constructor_rejects_out_of_range_arguments(float momentum, float weightDecay, bool nesterov, string parameter)
    {
        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(momentum, weightDecay, nesterov));
        Assert.Equal(parameter, exception.ParamName);
    }

    [Fact]
    public void Constructor_reports_every_problem_at_once()
    {
        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(-1f, -1f, nesterov: true));
        Assert.Equal("momentum", exception.ParamName);
        Assert.Contains("momentum must be", exception.Message, StringComparison.Ordinal);
        Assert.Contains("weightDecay must be", exception.Message, StringComparison.Ordinal);
        Assert.Contains("nesterov requires", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_is_exposed_with_its_defaults()
    {
        Sgd defaults = new();
        Assert.Equal((0f, 0f, false), (defaults.Momentum, defaults.WeightDecay, defaults.Nesterov));
        Sgd custom = new(0.9f, 0.001f, nesterov: true);
        Assert.Equal((0.9f, 0.001f, true), (custom.Momentum, custom.WeightDecay, custom.Nesterov));
        Assert.Equal("SGD", custom.Name);
    }
}