using GruAnomaly.Evaluation;
using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent.Convolution;

/// <summary>
/// <see cref="CausalConvolutionCell"/> through the public contract only: finite-difference gradient checks of the cell and
/// of stacks with GRU layers (with a head, full and truncated backpropagation), checks that catch one broken term, the
/// declared shape, and the state's shift of the carried inputs.
/// </summary>
public class CausalConvolutionCellTests(ITestOutputHelper output)
{
    // The GRU's tolerance (GradientCheckTests); the measured worst errors are printed, the broken terms below reach about 1.
    private const double Tolerance = 1e-2;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(2, 3)]
    public void The_cell_passes_the_gradient_check(int kernelSize, int dilation)
    {
        // 9 steps exceed every receptive field here, so inputs leave the window and the initial history is read only at first.
        GradientCheckReport report = GradientCheck.Check(new CausalConvolutionCell(3, 4, kernelSize, dilation),
            new GradientCheckOptions { Steps = 9, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(Tolerance, report.Tolerance);
        Assert.Equal(["layers.0.weight", "layers.0.bias", "inputs", "initial_states"], report.Entries.Select(e => e.Name));
        Assert.All(report.Entries, e => Assert.True(e.EntriesChecked > 0, e.Name));
    }

    [Theory]
    [InlineData(HeadPlacement.EveryStep, 0)]
    [InlineData(HeadPlacement.LastStep, 0)]
    [InlineData(HeadPlacement.EveryStep, 2)]
    [InlineData(HeadPlacement.LastStep, 3)]
    public void A_convolution_below_gru_layers_passes_with_full_and_truncated_backpropagation(HeadPlacement placement, int truncation)
    {
        var network = new RecurrentNetwork([new CausalConvolutionCell(2, 4, 3, 2), new GruCell(4, 3), new GruResetAfterCell(3, 4)],
            new DenseHead(4, 2), placement);

        GradientCheckReport report = GradientCheck.Check(network, new GradientCheckOptions { Steps = 8, BatchSize = 2, TruncationSteps = truncation });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(network.ParameterSlots.Count + 2, report.Entries.Count);
    }

    [Fact]
    public void Two_stacked_convolutions_below_a_gru_pass_and_the_upper_one_sends_its_carried_gradient_into_the_lower_one()
    {
        var network = new RecurrentNetwork([new CausalConvolutionCell(2, 3, 2, 1), new CausalConvolutionCell(3, 4, 3, 2), new GruCell(4, 3)]);

        GradientCheckReport report = GradientCheck.Check(network, new GradientCheckOptions { Steps = 9, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal((3 + (1 * 2)) + (4 + (4 * 3)) + 3, network.StateSize);
    }

    [Fact]
    public void A_dropped_gradient_through_the_carried_inputs_is_caught()
    {
        // Without it an input's gradient holds only the window of its own step, and the initial history gets none.
        GradientCheckReport report = GradientCheck.Check(new CarryDropped(new CausalConvolutionCell(3, 4, 3, 2)),
            new GradientCheckOptions { Steps = 9, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.True(report["inputs"].MaxRelativeError > 10 * Tolerance, report.ToString());
        Assert.True(report["initial_states"].MaxRelativeError > 10 * Tolerance, report.ToString());
        Assert.True(report["layers.0.weight"].MaxRelativeError <= Tolerance, report.ToString());
    }

    [Fact]
    public void A_dropped_carry_below_a_gru_is_caught_in_the_lower_convolution_weights_of_a_stack()
    {
        // In a stack the upper convolution's input gradient is the lower one's output gradient, so the lost term shows in weights too.
        var network = new RecurrentNetwork([new CausalConvolutionCell(2, 3, 2, 1), new CarryDropped(new CausalConvolutionCell(3, 4, 3, 2)), new GruCell(4, 3)]);

        GradientCheckReport report = GradientCheck.Check(network, new GradientCheckOptions { Steps = 9, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.True(report["layers.0.weight"].MaxRelativeError > 10 * Tolerance, report.ToString());
        Assert.True(report["layers.2.recurrent_weights"].MaxRelativeError <= Tolerance, report.ToString());
    }

    [Fact]
    public void The_cell_declares_pytorch_shapes_and_a_state_of_the_output_then_the_carried_inputs()
    {
        var cell = new CausalConvolutionCell(3, 5, kernelSize: 4, dilation: 2);

        Assert.Equal(5, cell.HiddenSize);
        Assert.Equal(5, cell.Channels);
        Assert.Equal(6, cell.HistoryLength);
        Assert.Equal(5 + (6 * 3), cell.StateSize);
        Assert.Equal(5 + (6 * 3), ((IRecurrentCell)cell).StateSize);
        Assert.Equal(float.PositiveInfinity, cell.StateBound);
        Assert.Equal([("weight", 5, 12), ("bias", 1, 5)], cell.Parameters.Select(p => (p.Name, p.Rows, p.Columns)));
        Assert.Equal(5, new CausalConvolutionCell(3, 5, 1, 7).StateSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CausalConvolutionCell(3, 5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CausalConvolutionCell(3, 5, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CausalConvolutionCell(1, 1, 2, int.MaxValue));
    }

    [Fact]
    public void Each_step_computes_the_dilated_window_sum_and_shifts_one_input_into_the_state()
    {
        // One input, one channel, taps (1, 10, 100) two steps apart: y_t = x_{t−4} + 10·x_{t−2} + 100·x_t + 0.5.
        var cell = new CausalConvolutionCell(1, 1, 3, 2);
        float[] parameters = [1f, 10f, 100f, 0.5f];
        var state = new float[cell.StateSize];
        var next = new float[cell.StateSize];
        var scratch = new float[cell.ScratchSize];
        float[] x = [1f, 2f, 3f, 4f, 5f, 6f];
        for (int t = 0; t < x.Length; t++)
        {
            cell.Infer(new CellInference { BatchSize = 1, Parameters = parameters, Input = x.AsSpan(t, 1), PreviousState = state, State = next, Scratch = scratch });
            float expected = (t >= 4 ? x[t - 4] : 0f) + (10f * (t >= 2 ? x[t - 2] : 0f)) + (100f * x[t]) + 0.5f;
            Assert.Equal(expected, next[0]);
            float[] history = [.. Enumerable.Range(t - 3, 4).Select(s => s >= 0 ? x[s] : 0f)];
            Assert.Equal(history, next[1..]);
            (state, next) = (next, state);
        }
    }

    /// <summary>Breaks one term: the gradient that reaches the carried inputs of a state is dropped before the cell sees it.</summary>
    private sealed class CarryDropped(CausalConvolutionCell inner) : IRecurrentCell
    {
        public int InputSize => inner.InputSize;

        public int HiddenSize => inner.HiddenSize;

        public int StateSize => inner.StateSize;

        public IReadOnlyList<ParameterSpec> Parameters => inner.Parameters;

        public int CacheSize => inner.CacheSize;

        public int ScratchSize => inner.ScratchSize;

        public int StepGradientSize => inner.StepGradientSize;

        public void Forward(in CellForward step) => inner.Forward(step);

        public void Infer(in CellInference step) => inner.Infer(step);

        public void Backward(in CellBackward step)
        {
            float[] kept = step.StateGradient.ToArray();
            for (int row = 0; row < step.BatchSize; row++)
            {
                kept.AsSpan((row * StateSize) + HiddenSize, StateSize - HiddenSize).Clear();
            }

            inner.Backward(step with { StateGradient = kept });
        }

        public void FinishBackward(in CellSequenceBackward sequence) => inner.FinishBackward(sequence);
    }
}
