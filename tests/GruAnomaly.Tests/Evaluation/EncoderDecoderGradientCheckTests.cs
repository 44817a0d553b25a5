using GruAnomaly.Evaluation;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Evaluation;

public class EncoderDecoderGradientCheckTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(GruVariant.ResetBefore, 1)]
    [InlineData(GruVariant.ResetBefore, 2)]
    [InlineData(GruVariant.ResetAfter, 1)]
    [InlineData(GruVariant.ResetAfter, 2)]
    public void Parameter_and_input_gradients_of_the_encoder_decoder_pass(GruVariant variant, int layers)
    {
        var model = EncoderDecoderNetwork.CreateGru(features: 2, hiddenSize: 4, layers, variant);

        GradientCheckReport report = GradientCheck.Check(model, new GradientCheckOptions { Steps = 5, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(1e-2, report.Tolerance);
        Assert.Equal(model.ParameterSlots.Count + 1, report.Entries.Count);
        Assert.Equal(5 * 2 * 2, report["inputs"].EntriesChecked);
        Assert.All(report.Entries, e => Assert.True(e.EntriesChecked > 0, e.Name));
    }

    [Fact]
    public void The_gradient_of_a_masked_loss_passes_too()
    {
        var model = EncoderDecoderNetwork.CreateGru(features: 3, hiddenSize: 4, layers: 2, GruVariant.ResetAfter);

        GradientCheckReport report = GradientCheck.Check(model, Loss.Mse, new GradientCheckOptions { Steps = 4, BatchSize = 3 });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void A_recurrent_network_checked_through_the_interface_agrees_with_its_own_check()
    {
        var network = RecurrentNetwork.CreateGru(2, 3, layers: 2, outputSize: 2, headPlacement: HeadPlacement.EveryStep);
        var options = new GradientCheckOptions { Steps = 4, BatchSize = 2 };

        GradientCheckReport viaInterface = GradientCheck.Check((ISequenceModel)network, options);
        GradientCheckReport direct = GradientCheck.Check(network, options);

        Assert.True(viaInterface.Passed, viaInterface.ToString());
        Assert.True(direct.Passed, direct.ToString());
        Assert.Equal(direct.Entries.Count - 1, viaInterface.Entries.Count);
    }

    // A gradient check that cannot fail proves nothing: each mutant below recomputes the backward pass from the two public
    // halves with one path left out, and the check must pin the failure on exactly the groups that path feeds.
    [Fact]
    public void The_reference_backward_pass_of_the_mutants_passes_when_nothing_is_left_out()
    {
        var model = new BackwardMutant(EncoderDecoderNetwork.CreateGru(2, 4, layers: 2), Mutation.None);

        GradientCheckReport report = GradientCheck.Check(model, new GradientCheckOptions { Steps = 5, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore)]
    [InlineData(GruVariant.ResetAfter)]
    public void Leaving_out_the_teacher_forced_input_gradient_fails_the_input_check_only(GruVariant variant)
    {
        var model = new BackwardMutant(EncoderDecoderNetwork.CreateGru(2, 4, layers: 2, variant), Mutation.DropTeacherForcedInputs);

        GradientCheckReport report = GradientCheck.Check(model, new GradientCheckOptions { Steps = 5, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.True(report["inputs"].MaxRelativeError > 0.1, report.ToString());
        Assert.All(report.Entries.Where(e => e.Name != "inputs"), e => Assert.True(e.MaxRelativeError <= report.Tolerance, e.ToString()));
    }

    [Fact]
    public void Leaving_out_the_code_gradient_fails_every_encoder_parameter()
    {
        var model = new BackwardMutant(EncoderDecoderNetwork.CreateGru(2, 4, layers: 2), Mutation.DropCodeGradient);

        GradientCheckReport report = GradientCheck.Check(model, new GradientCheckOptions { Steps = 5, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.All(report.Entries.Where(e => e.Name.StartsWith("encoder.", StringComparison.Ordinal)),
            e => Assert.True(e.MaxRelativeError > 0.1, e.ToString()));
        Assert.All(report.Entries.Where(e => e.Name.StartsWith("decoder.", StringComparison.Ordinal)),
            e => Assert.True(e.MaxRelativeError <= report.Tolerance, e.ToString()));
    }

    [Fact]
    public void Truncation_and_mismatched_arguments_are_rejected()
    {
        var model = EncoderDecoderNetwork.CreateGru(2, 3);

        var truncation = Assert.Throws<ArgumentException>(() => GradientCheck.Check(model, new GradientCheckOptions { TruncationSteps = 2 }));
        Assert.Equal("options", truncation.ParamName);
        Assert.Contains("TruncationSteps is 2", truncation.Message);
        var length = Assert.Throws<ArgumentException>(() => GradientCheck.Check(model, new float[3]));
        Assert.Equal("parameters", length.ParamName);
        var loss = Assert.Throws<ArgumentException>(() => GradientCheck.Check(EncoderDecoderNetwork.CreateGru(3, 3), Loss.GaussianNll));
        Assert.Equal("loss", loss.ParamName);
        Assert.Throws<ArgumentNullException>(() => GradientCheck.Check((ISequenceModel)null!));
    }

    private enum Mutation
    {
        None,
        DropTeacherForcedInputs,
        DropCodeGradient,
    }

    /// <summary>The encoder–decoder with a backward pass rebuilt by hand from its halves, optionally with one path missing.</summary>
    private sealed class BackwardMutant(EncoderDecoderNetwork model, Mutation mutation) : ISequenceModel
    {
        public int InputSize => model.InputSize;

        public int OutputSize => model.OutputSize;

        public bool OutputsEveryStep => true;

        public int ParameterCount => model.ParameterCount;

        public IReadOnlyList<ParameterSlot> ParameterSlots => model.ParameterSlots;

        public float[] CreateParameters(int seed) => model.CreateParameters(seed);

        public ISequenceWorkspace CreateWorkspace() => model.CreateWorkspace();

        public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize, ISequenceWorkspace workspace) =>
            model.Forward(parameters, inputs, steps, batchSize, (EncoderDecoderWorkspace)workspace);

        public void Infer(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize, ISequenceWorkspace workspace) =>
            model.Infer(parameters, inputs, steps, batchSize, (EncoderDecoderWorkspace)workspace);

        public void Backward(ReadOnlySpan<float> parameters, ISequenceWorkspace workspace, ReadOnlySpan<float> outputGradients,
            Span<float> parameterGradients, Span<float> inputGradients = default, int truncationSteps = 0)
        {
            var state = (EncoderDecoderWorkspace)workspace;
            int steps = state.Steps, width = state.BatchSize * model.InputSize, split = model.DecoderParameterOffset;
            var decoderOutputGradients = new float[steps * width];
            for (int t = 0; t < steps; t++)
            {
                outputGradients.Slice(t * width, width).CopyTo(decoderOutputGradients.AsSpan((steps - 1 - t) * width));
            }

            var codeGradients = new float[state.BatchSize * model.StateSize];
            var decoderInputGradients = new float[steps * width];
            model.Decoder.Backward(parameters[split..], state.DecoderWorkspace, decoderOutputGradients, parameterGradients[split..],
                inputGradients: decoderInputGradients, initialStateGradients: codeGradients);
            if (mutation == Mutation.DropCodeGradient)
            {
                Array.Clear(codeGradients);
            }

            var encoderOutputGradients = new float[steps * state.BatchSize * model.Encoder.OutputSize];
            model.Encoder.Backward(parameters[..split], state.EncoderWorkspace, encoderOutputGradients, parameterGradients[..split],
                finalStateGradients: codeGradients, inputGradients: inputGradients);
            if (mutation != Mutation.DropTeacherForcedInputs)
            {
                for (int j = 1; j < steps; j++)
                {
                    for (int i = 0; i < width; i++)
                    {
                        inputGradients[(steps - j) * width + i] += decoderInputGradients[j * width + i];
                    }
                }
            }
        }
    }
}
