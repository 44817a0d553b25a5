using GruAnomaly.Evaluation;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Tests.Recurrent;

namespace GruAnomaly.Tests.Evaluation;

public class GradientCheckTests(ITestOutputHelper output)
{
    // Measured worst errors of correct gradients are about 2e-3 (see the test output); a wrong sign gives about 2 and
    // a missing term well above 1e-1, so the default tolerance of 1e-2 separates them on both sides.
    private const double Tolerance = 1e-2;

    public static TheoryData<string> BuiltInCells => ["reset-before", "reset-after"];

    [Theory]
    [MemberData(nameof(BuiltInCells))]
    public void Built_in_cells_pass(string variant)
    {
        IRecurrentCell cell = variant == "reset-before" ? new GruCell(3, 5) : new GruResetAfterCell(3, 5);

        GradientCheckReport report = GradientCheck.Check(cell);

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(Tolerance, report.Tolerance);
        Assert.All(report.Entries, e => Assert.True(e.EntriesChecked > 0, e.Name));
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore, HeadPlacement.LastStep)]
    [InlineData(GruVariant.ResetBefore, HeadPlacement.EveryStep)]
    [InlineData(GruVariant.ResetAfter, HeadPlacement.LastStep)]
    [InlineData(GruVariant.ResetAfter, HeadPlacement.EveryStep)]
    public void Stacked_layers_with_head_pass(GruVariant variant, HeadPlacement placement)
    {
        var network = RecurrentNetwork.CreateGru(inputSize: 2, hiddenSize: 4, layers: 3, outputSize: 2, variant, placement);

        GradientCheckReport report = GradientCheck.Check(network, new GradientCheckOptions { Steps = 5, BatchSize = 2 });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(network.ParameterSlots.Count + 2, report.Entries.Count);
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore, 1)]
    [InlineData(GruVariant.ResetBefore, 3)]
    [InlineData(GruVariant.ResetAfter, 2)]
    [InlineData(GruVariant.ResetAfter, 4)]
    public void Truncated_backpropagation_is_the_exact_gradient_of_the_chunked_loss(GruVariant variant, int truncation)
    {
        var network = RecurrentNetwork.CreateGru(inputSize: 3, hiddenSize: 4, layers: 2, outputSize: null, variant);
        var options = new GradientCheckOptions { Steps = 7, BatchSize = 2, TruncationSteps = truncation };

        GradientCheckReport report = GradientCheck.Check(network, options);

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void Truncated_gradient_differs_from_full_gradient_when_chunks_are_shorter_than_the_sequence()
    {
        var network = RecurrentNetwork.CreateGru(3, 4, layers: 2);
        float[] parameters = network.CreateParameters(seed: 3);
        var random = new Random(4);
        float[] inputs = [.. Enumerable.Range(0, 8 * 2 * 3).Select(_ => (float)random.NextDouble() - 0.5f)];
        var workspace = network.CreateWorkspace();
        network.Forward(parameters, inputs, 8, 2, workspace);
        float[] outputGradients = [.. Enumerable.Range(0, workspace.Outputs.Length).Select(_ => (float)random.NextDouble())];

        float[] Gradient(int truncation)
        {
            var gradient = new float[network.ParameterCount];
            network.Backward(parameters, workspace, outputGradients, gradient, truncationSteps: truncation);
            return gradient;
        }

        float[] full = Gradient(0);
        Assert.Equal(full, Gradient(8));
        Assert.Equal(full, Gradient(100));
        Assert.NotEqual(full, Gradient(3));
    }

    [Fact]
    public void A_custom_cell_defined_outside_the_library_passes_through_the_same_layer_code()
    {
        var network = new RecurrentNetwork([new MinimalGatedUnitCell(3, 4), new MinimalGatedUnitCell(4, 3)], new DenseHead(3, 2));

        GradientCheckReport full = GradientCheck.Check(network);
        GradientCheckReport truncated = GradientCheck.Check(network, new GradientCheckOptions { TruncationSteps = 2 });

        output.WriteLine(full.ToString());
        output.WriteLine(truncated.ToString());
        Assert.True(full.Passed, full.ToString());
        Assert.True(truncated.Passed, truncated.ToString());
    }

    [Fact]
    public void A_missing_gradient_term_is_caught()
    {
        GradientCheckReport report = GradientCheck.Check(new MinimalGatedUnitCell(3, 4, dropStateCarryTerm: true));

        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.True(report["initial_states"].MaxRelativeError > 10 * Tolerance, report.ToString());
    }

    [Theory]
    [MemberData(nameof(BuiltInCells))]
    public void A_wrong_sign_in_one_gradient_term_is_caught(string variant)
    {
        IRecurrentCell inner = variant == "reset-before" ? new GruCell(3, 5) : new GruResetAfterCell(3, 5);
        var broken = new UpdateGateBiasSignFlip(inner);

        GradientCheckReport report = GradientCheck.Check(broken);

        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        string biasName = inner is GruCell ? "layers.0.bias" : "layers.0.input_bias";
        Assert.True(report[biasName].MaxRelativeError > 1.0, report.ToString());
        Assert.True(report["layers.0.recurrent_weights"].MaxRelativeError <= Tolerance, report.ToString());
    }

    public static TheoryData<string> Losses => ["mse", "mae", "huber", "gaussian"];

    private static ILoss LossNamed(string name) => name switch
    {
        "mse" => Loss.Mse,
        "mae" => Loss.Mae,
        "huber" => Loss.Huber(0.5f),
        _ => Loss.GaussianNll,
    };

    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_loss_passes_on_its_own(string name)
    {
        // MAE and Huber have kinks: random predictions and targets are almost surely far from them at this step size.
        GradientCheckReport report = GradientCheck.Check(LossNamed(name), targetWidth: 3, new GradientCheckOptions { BatchSize = 5, Epsilon = 1e-3f });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData("mse", 0)]
    [InlineData("huber", 0)]
    [InlineData("gaussian", 0)]
    [InlineData("mse", 2)]
    [InlineData("gaussian", 3)]
    public void Networks_trained_with_each_loss_pass_through_the_mask(string name, int truncation)
    {
        ILoss loss = LossNamed(name);
        var network = RecurrentNetwork.CreateGru(2, 4, layers: 2, outputSize: 2 * loss.PredictionsPerTarget,
            GruVariant.ResetBefore, HeadPlacement.EveryStep);

        GradientCheckReport report = GradientCheck.Check(network, loss, new GradientCheckOptions { TruncationSteps = truncation });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void Compare_reports_each_group_and_samples_when_asked()
    {
        // f(x) = Σ x_i³, gradient 3x²; the second group's analytic gradient is deliberately wrong.
        float[] point = [0.5f, -1f, 2f, 0.25f, 1.5f];
        float[] analytic = [.. point.Select(x => 3 * x * x)];
        analytic[4] = -analytic[4];

        GradientCheckReport report = GradientCheck.Compare(point, analytic, p => p.Sum(x => (double)x * x * x),
            [("first", 0, 3), ("second", 3, 2)], new GradientCheckOptions { MaxEntriesPerGroup = 2 });

        Assert.Equal(2, report["first"].EntriesChecked);
        Assert.True(report["first"].MaxRelativeError < 1e-3, report.ToString());
        Assert.False(report.Passed);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_every_problem_named()
    {
        var options = new GradientCheckOptions { Steps = 0, Epsilon = 2f };

        var error = Assert.Throws<ArgumentException>(() => GradientCheck.Check(new GruCell(1, 1), options));

        Assert.Contains("Steps", error.Message);
        Assert.Contains("Epsilon", error.Message);
    }

    /// <summary>Wraps a correct GRU cell and flips the sign of the update gate's contribution to the input bias gradient.</summary>
    private sealed class UpdateGateBiasSignFlip(IRecurrentCell inner) : DelegatingCell(inner)
    {
        public override void FinishBackward(in CellSequenceBackward sequence)
        {
            int biasOffset = (InputSize + HiddenSize) * 3 * HiddenSize;
            Span<float> updateBias = sequence.ParameterGradients.Slice(biasOffset + HiddenSize, HiddenSize);
            float[] before = updateBias.ToArray();
            base.FinishBackward(sequence);
            for (int j = 0; j < updateBias.Length; j++)
            {
                updateBias[j] = before[j] - (updateBias[j] - before[j]);
            }
        }
    }
}
