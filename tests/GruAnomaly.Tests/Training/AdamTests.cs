using GruAnomaly.Training.Optimizers;

namespace GruAnomaly.Tests.Training;

public sealed class AdamTests
{
    private const double Tolerance = 1e-6;

    [Fact]
    public void First_step_moves_each_parameter_by_the_learning_rate_against_the_gradient_sign()
    {
        // Worked by hand: after bias correction m̂ = g and √v̂ = |g|, so the step is γ·g/(|g| + ε) ≈ γ·sign(g);
        // a zero gradient gives m = 0 and no movement.
        float[][] actual = OptimizerReference.Run(new Adam());
        OptimizerReference.AssertClose([[0.4, -1.15, 1.9, 0]], actual[..1], Tolerance);
    }

    [Fact]
    public void Three_steps_match_the_formula_with_default_hyperparameters()
    {
        OptimizerReference.AssertClose(
            OptimizerReference.Adam(0.9, 0.999, 1e-8, 0, decoupled: false),
            OptimizerReference.Run(new Adam()),
            Tolerance);
    }

    [Fact]
    public void Three_steps_match_the_formula_with_l2_weight_decay_and_custom_betas()
    {
        OptimizerReference.AssertClose(
            OptimizerReference.Adam(0.8, 0.99, 1e-6, 0.1, decoupled: false),
            OptimizerReference.Run(new Adam(0.8f, 0.99f, 1e-6f, 0.1f)),
            Tolerance);
    }

    [Fact]
    public void Epsilon_is_added_after_the_bias_correction_of_the_second_moment()
    {
        // One step with g = 1, γ = 1, ε = 100: m̂ = 1 and √v/√(1 − β₂) = 1, so PyTorch's rule moves by 1/(1 + 100).
        // The paper's "efficient" form, ε added to √v before the correction, would move by only about 3.2e-4.
        IOptimizerState state = new Adam(epsilon: 100f).CreateState(1);
        float[] parameters = [0f];
        state.Step(parameters, [1f], 1f);
        Assert.Equal(-1f / 101f, parameters[0], 1e-6f);
    }

    [Fact]
    public void Beta_one_of_zero_uses_the_raw_gradient()
    {
        OptimizerReference.AssertClose(
            OptimizerReference.Adam(0, 0.999, 1e-8, 0, decoupled: false),
            OptimizerReference.Run(new Adam(beta1: 0f)),
            Tolerance);
    }

    [Theory]
    [InlineData(-0.1f, 0.999f, 1e-8f, 0f, "beta1")]
    [InlineData(1f, 0.999f, 1e-8f, 0f, "beta1")]
    [InlineData(float.NaN, 0.999f, 1e-8f, 0f, "beta1")]
    [InlineData(0.9f, 1f, 1e-8f, 0f, "beta2")]
    [InlineData(0.9f, -0.5f, 1e-8f, 0f, "beta2")]
    [InlineData(0.9f, 0.999f, 0f, 0f, "epsilon")]
    [InlineData(0.9f, 0.999f, float.PositiveInfinity, 0f, "epsilon")]
    [InlineData(0.9f, 0.999f, 1e-8f, -0.01f, "weightDecay")]
    public void Constructors_reject_out_of_range_arguments(float beta1, float beta2, float epsilon, float weightDecay, string parameter)
    {
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1, beta2, epsilon, weightDecay)).ParamName);
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(beta1, beta2, epsilon, weightDecay)).ParamName);
    }

    [Fact]
    public void Constructor_reports_every_problem_at_once_with_the_allowed_ranges()
    {
        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(1f, 2f, -1f, -1f));
        Assert.Equal("beta1", exception.ParamName);
        Assert.Contains("beta1 must be in [0, 1)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("beta2 must be in [0, 1)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("epsilon must be finite and in (0, ∞)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("weightDecay must be finite and in [0, ∞)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_is_exposed_with_its_defaults()
    {
        Adam adam = new();
        Assert.Equal((0.9f, 0.999f, 1e-8f, 0f), (adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
        Assert.Equal("Adam", adam.Name);
        Assert.Equal(2, adam.CreateState(3).Snapshot().Buffers.Count);
    }
}