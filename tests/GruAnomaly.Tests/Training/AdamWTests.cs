using GruAnomaly.Training.Optimizers;

namespace GruAnomaly.Tests.Training;

public sealed class AdamWTests
{
    private const double Tolerance = 1e-6;

    [Fact]
    public void Decay_is_applied_to_the_parameters_before_the_adam_step()
    {
        // Worked by hand, step 1 with γ = 0.1, λ = 0.01: θ·(1 − 0.001) − 0.1·sign(g).
        float[][] actual = OptimizerReference.Run(new AdamW());
        OptimizerReference.AssertClose([[0.3995, -1.14875, 1.898, 0]], actual[..1], Tolerance);
    }

    [Fact]
    public void Three_steps_match_the_formula_with_default_hyperparameters()
    {
        OptimizerReference.AssertClose(
            OptimizerReference.Adam(0.9, 0.999, 1e-8, 0.01, decoupled: true),
            OptimizerReference.Run(new AdamW()),
            Tolerance);
    }

    [Fact]
    public void Three_steps_match_the_formula_with_strong_decay_and_custom_betas()
    {
        OptimizerReference.AssertClose(
            OptimizerReference.Adam(0.8, 0.99, 1e-6, 0.1, decoupled: true),
            OptimizerReference.Run(new AdamW(0.8f, 0.99f, 1e-6f, 0.1f)),
            Tolerance);
    }

    [Fact]
    public void Decoupled_decay_differs_from_l2_decay()
    {
        float[][] decoupled = OptimizerReference.Run(new AdamW(weightDecay: 0.1f));
        float[][] l2 = OptimizerReference.Run(new Adam(weightDecay: 0.1f));
        Assert.NotEqual(decoupled[2], l2[2]);
    }

    [Fact]
    public void Without_decay_it_is_adam()
    {
        Assert.Equal(OptimizerReference.Run(new Adam()), OptimizerReference.Run(new AdamW(weightDecay: 0f)));
    }

    [Fact]
    public void A_parameter_with_zero_gradient_only_decays()
    {
        IOptimizerState state = new AdamW(weightDecay: 0.5f).CreateState(1);
        float[] parameters = [2f];
        state.Step(parameters, [0f], 0.1f);
        Assert.Equal(2f * 0.95f, parameters[0], 1e-7f);
    }

    [Fact]
    public void Configuration_is_exposed_with_its_defaults()
    {
        AdamW adamW = new();
        Assert.Equal((0.9f, 0.999f, 1e-8f, 0.01f), (adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay));
        Assert.Equal("AdamW", adamW.Name);
    }
}