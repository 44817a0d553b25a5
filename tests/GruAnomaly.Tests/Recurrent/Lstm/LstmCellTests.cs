using GruAnomaly.Evaluation;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent.Lstm;

/// <summary>
/// <see cref="LstmCell"/> through the public contract only: finite-difference gradient checks of the cell and of stacks
/// (with heads, truncation, mixed with cells written before <see cref="IRecurrentCell.StateSize"/> existed), checks that
/// catch one broken term, and its declared shape and initialization.
/// </summary>
public class LstmCellTests(ITestOutputHelper output)
{
    // The GRU's tolerance (GradientCheckTests): correct gradients measured 1e-3 to 4e-3 here (see the output), the broken terms below about 2.
    private const double Tolerance = 1e-2;

    [Fact]
    public void The_cell_passes_the_gradient_check()
    {
        GradientCheckReport report = GradientCheck.Check(new LstmCell(3, 5));

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(Tolerance, report.Tolerance);
        Assert.Equal(["layers.0.weight_ih", "layers.0.weight_hh", "layers.0.bias_ih", "layers.0.bias_hh", "inputs", "initial_states"],
            report.Entries.Select(e => e.Name));
        Assert.All(report.Entries, e => Assert.True(e.EntriesChecked > 0, e.Name));
    }

    [Theory]
    [InlineData(HeadPlacement.LastStep, 0)]
    [InlineData(HeadPlacement.EveryStep, 0)]
    [InlineData(HeadPlacement.EveryStep, 2)]
    [InlineData(HeadPlacement.LastStep, 3)]
    public void Stacked_layers_with_a_head_pass_with_full_and_truncated_backpropagation(HeadPlacement placement, int truncation)
    {
        var network = new RecurrentNetwork([new LstmCell(2, 4), new LstmCell(4, 3), new LstmCell(3, 4)], new DenseHead(4, 2), placement);

        GradientCheckReport report = GradientCheck.Check(network, new GradientCheckOptions { Steps = 7, BatchSize = 2, TruncationSteps = truncation });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(network.ParameterSlots.Count + 2, report.Entries.Count);
    }

    [Fact]
    public void Without_a_head_the_outputs_are_h_and_the_final_states_carry_gradient_into_c()
    {
        var network = new RecurrentNetwork([new LstmCell(3, 4), new LstmCell(4, 5)]);

        GradientCheckReport report = GradientCheck.Check(network, new GradientCheckOptions { Steps = 6, BatchSize = 3 });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(5, network.OutputSize);
        Assert.Equal(2 * (4 + 5), network.StateSize);
    }

    [Fact]
    public void Lstm_layers_stack_with_cells_written_before_StateSize_existed()
    {
        // MinimalGatedUnitCell does not declare StateSize: the default (its HiddenSize) applies, and an LSTM above and
        // below it reads and feeds only outputs.
        var cells = new IRecurrentCell[] { new LstmCell(2, 4), new MinimalGatedUnitCell(4, 3), new LstmCell(3, 4), new GruCell(4, 3) };
        var network = new RecurrentNetwork(cells, new DenseHead(3, 1), HeadPlacement.EveryStep);

        GradientCheckReport full = GradientCheck.Check(network, new GradientCheckOptions { Steps = 6, BatchSize = 2 });
        GradientCheckReport truncated = GradientCheck.Check(network, new GradientCheckOptions { Steps = 6, BatchSize = 2, TruncationSteps = 4 });

        output.WriteLine(full.ToString());
        output.WriteLine(truncated.ToString());
        Assert.Equal(3, ((IRecurrentCell)new MinimalGatedUnitCell(4, 3)).StateSize);
        Assert.Equal(2 * 4 + 3 + 2 * 4 + 3, network.StateSize);
        Assert.True(full.Passed, full.ToString());
        Assert.True(truncated.Passed, truncated.ToString());
    }

    [Fact]
    public void A_dropped_cell_state_carry_is_caught()
    {
        // Without dc_prev = dc ⊙ f the gradient that reaches c_{t−1} through the recurrence is lost.
        GradientCheckReport report = GradientCheck.Check(new CellCarryDropped(new LstmCell(3, 4)));

        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.True(report["initial_states"].MaxRelativeError > 10 * Tolerance, report.ToString());
    }

    [Fact]
    public void A_wrong_sign_in_one_bias_gradient_is_caught_and_only_there()
    {
        GradientCheckReport report = GradientCheck.Check(new ForgetBiasSignFlip(new LstmCell(3, 5)));

        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.True(report["layers.0.bias_hh"].MaxRelativeError > 1.0, report.ToString());
        Assert.True(report["layers.0.bias_ih"].MaxRelativeError <= Tolerance, report.ToString());
        Assert.True(report["layers.0.weight_hh"].MaxRelativeError <= Tolerance, report.ToString());
    }

    [Fact]
    public void A_wrapper_that_does_not_pass_StateSize_on_fails_loudly_instead_of_reading_past_its_state()
    {
        // DelegatingCell predates StateSize, so around an LSTM it declares a state as wide as the output: the network
        // then gives the cell half the state it needs, and the cell's first span access past it throws.
        var network = new RecurrentNetwork([new Unchanged(new LstmCell(2, 3))]);
        Assert.Equal(3, network.StateSize);
        Assert.ThrowsAny<ArgumentException>(() => network.Infer(network.CreateParameters(1), new float[2 * 2], 2, 1, network.CreateWorkspace()));
    }

    [Fact]
    public void The_cell_declares_PyTorch_shapes_and_a_state_of_h_then_c()
    {
        var cell = new LstmCell(3, 5);

        Assert.Equal(5, cell.HiddenSize);
        Assert.Equal(10, cell.StateSize);
        Assert.Equal(10, ((IRecurrentCell)cell).StateSize);
        Assert.Equal(float.PositiveInfinity, cell.StateBound);
        Assert.Equal([("weight_ih", 20, 3), ("weight_hh", 20, 5), ("bias_ih", 1, 20), ("bias_hh", 1, 20)],
            cell.Parameters.Select(p => (p.Name, p.Rows, p.Columns)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_forget_gate_bias_starts_at_one_when_asked_and_every_gate_block_of_weight_hh_is_orthogonal(bool forgetGateBiasOne)
    {
        const int hidden = 6;
        var network = new RecurrentNetwork([new LstmCell(2, hidden, forgetGateBiasOne)]);
        float[] parameters = network.CreateParameters(7);

        float[] bias = network.GetSlot("layers.0.bias_ih").Slice(parameters.AsSpan()).ToArray();
        Assert.All(bias[..hidden], v => Assert.Equal(0f, v));
        Assert.All(bias[hidden..(2 * hidden)], v => Assert.Equal(forgetGateBiasOne ? 1f : 0f, v));
        Assert.All(bias[(2 * hidden)..], v => Assert.Equal(0f, v));
        Assert.All(network.GetSlot("layers.0.bias_hh").Slice(parameters.AsSpan()).ToArray(), v => Assert.Equal(0f, v));

        float[] recurrent = network.GetSlot("layers.0.weight_hh").Slice(parameters.AsSpan()).ToArray();
        for (int gate = 0; gate < 4; gate++)
        {
            for (int i = 0; i < hidden; i++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    double dot = 0;
                    for (int k = 0; k < hidden; k++)
                    {
                        dot += recurrent[(((gate * hidden) + i) * hidden) + k] * recurrent[(((gate * hidden) + j) * hidden) + k];
                    }

                    Assert.Equal(i == j ? 1.0 : 0.0, dot, 1e-5);
                }
            }
        }

        Assert.Equal(parameters, network.CreateParameters(7));
        Assert.NotEqual(parameters, network.CreateParameters(8));
    }

    [Fact]
    public void An_encoder_decoder_of_lstm_layers_passes_the_gradient_check()
    {
        static RecurrentNetwork Half(bool decoder) => new(
            [new LstmCell(2, 4), new LstmCell(4, 3)], decoder ? new DenseHead(3, 2) : null, HeadPlacement.EveryStep);
        var model = new EncoderDecoderNetwork(Half(false), Half(true));

        GradientCheckReport report = GradientCheck.Check(model, new GradientCheckOptions { Steps = 5, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(2 * (4 + 3), model.StateSize);
    }

    [Fact]
    public void An_encoder_and_a_decoder_whose_state_sizes_differ_are_refused()
    {
        var encoder = new RecurrentNetwork([new LstmCell(2, 4)]);
        var decoder = new RecurrentNetwork([new MinimalGatedUnitCell(2, 4)], new DenseHead(4, 2), HeadPlacement.EveryStep);

        var exception = Assert.Throws<ArgumentException>(() => new EncoderDecoderNetwork(encoder, decoder));
        Assert.Contains("state sizes [4] must equal the encoder's [8]", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cell_whose_state_is_narrower_than_its_output_is_refused()
    {
        var exception = Assert.Throws<ArgumentException>(() => new RecurrentNetwork([new NarrowState(new GruCell(2, 3))]));
        Assert.Contains("StateSize 2 and HiddenSize 3", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>Restores the c part of the previous-state gradient after the step, dropping the carry through the forget gate.</summary>
    private sealed class CellCarryDropped(IRecurrentCell inner) : DelegatingCell(inner), IRecurrentCell
    {
        private readonly IRecurrentCell _inner = inner;

        public int StateSize => _inner.StateSize;

        public float StateBound => _inner.StateBound;

        public override void Backward(in CellBackward step)
        {
            float[] before = step.PreviousStateGradient.ToArray();
            base.Backward(step);
            for (int row = 0; row < step.BatchSize; row++)
            {
                int c = (row * StateSize) + HiddenSize;
                before.AsSpan(c, HiddenSize).CopyTo(step.PreviousStateGradient.Slice(c, HiddenSize));
            }
        }
    }

    /// <summary>Flips the sign of the forget block's contribution to bias_hh's gradient.</summary>
    private sealed class ForgetBiasSignFlip(IRecurrentCell inner) : DelegatingCell(inner), IRecurrentCell
    {
        private readonly IRecurrentCell _inner = inner;

        public int StateSize => _inner.StateSize;

        public override void FinishBackward(in CellSequenceBackward sequence)
        {
            int gates = 4 * HiddenSize, recurrentBias = (gates * (InputSize + HiddenSize)) + gates;
            Span<float> forget = sequence.ParameterGradients.Slice(recurrentBias + HiddenSize, HiddenSize);
            float[] before = forget.ToArray();
            base.FinishBackward(sequence);
            for (int j = 0; j < forget.Length; j++)
            {
                forget[j] = before[j] - (forget[j] - before[j]);
            }
        }
    }

    /// <summary>DelegatingCell as it is: it does not pass StateSize on.</summary>
    private sealed class Unchanged(IRecurrentCell inner) : DelegatingCell(inner);

    private sealed class NarrowState(IRecurrentCell inner) : DelegatingCell(inner), IRecurrentCell
    {
        public int StateSize => HiddenSize - 1;
    }
}
