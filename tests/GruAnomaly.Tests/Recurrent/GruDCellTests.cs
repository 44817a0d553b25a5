using System.Text.Json;
using GruAnomaly.Evaluation;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent;

/// <summary>
/// GRU-D: finite-difference gradients over gaps of several lengths, fully observed and fully missing sequences; a broken
/// term is caught; forward and every gradient match a PyTorch autograd reference (Fixtures/make_pytorch_grud_fixture.py);
/// with every value observed and no decay it is a GRU over [x, 1].
/// </summary>
public class GruDCellTests(ITestOutputHelper output)
{
    // Both sides compute in float32; what is left is summation order (the worst measured is printed by each test).
    private const double ParityTolerance = 1e-5;

    private const int D = 2, H = 3, Steps = 8, Batch = 4;

    [Fact]
    public void Gradients_over_gaps_of_several_lengths_and_fully_observed_and_missing_rows_match_finite_differences()
    {
        GradientCheckReport report = CheckStructured(new GruDCell(D, H, [0.3f, -0.2f]));

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    public static TheoryData<string> BrokenTerms => ["input decay", "state decay"];

    [Theory]
    [MemberData(nameof(BrokenTerms))]
    public void A_wrong_sign_in_one_decay_gradient_is_caught(string term)
    {
        var cell = new GruDCell(D, H, [0.3f, -0.2f]);
        string group = term == "input decay" ? "layers.0.input_decay_weights" : "layers.0.state_decay_weights";
        (int offset, int length) = term == "input decay" ? (0, D) : (2 * D, D * H);

        GradientCheckReport report = CheckStructured(new SignFlip(cell, offset, length));

        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.True(report[group].MaxRelativeError > 1.0, report.ToString());
        Assert.True(report["layers.0.recurrent_weights"].MaxRelativeError <= report.Tolerance, report.ToString());
    }

    [Fact]
    public void With_every_value_observed_and_no_decay_it_is_a_gru_over_the_values_and_a_column_of_ones()
    {
        var grud = new RecurrentNetwork([new GruDCell(D, H, [0.7f, -0.4f])]);
        var gru = new RecurrentNetwork([new GruCell(2 * D, H)]);
        float[] parameters = grud.CreateParameters(seed: 5);
        // No decay: max(0, w·δ + b) = 0 for δ ≥ 0 when w = 0 and b ≤ 0.
        grud.GetSlot("layers.0.input_decay_weights").Slice(parameters.AsSpan()).Clear();
        grud.GetSlot("layers.0.input_decay_bias").Slice(parameters.AsSpan()).Fill(-1f);
        grud.GetSlot("layers.0.state_decay_weights").Slice(parameters.AsSpan()).Clear();
        grud.GetSlot("layers.0.state_decay_bias").Slice(parameters.AsSpan()).Fill(-0.5f);
        var gruParameters = new float[gru.ParameterCount];
        foreach (string name in new[] { "input_weights", "recurrent_weights", "bias" })
        {
            grud.GetSlot($"layers.0.{name}").Slice((ReadOnlySpan<float>)parameters).CopyTo(gru.GetSlot($"layers.0.{name}").Slice(gruParameters.AsSpan()));
        }

        var random = new Random(3);
        var inputs = new float[Steps * Batch * 4 * D];
        var plain = new float[Steps * Batch * 2 * D];
        for (int row = 0; row < Steps * Batch; row++)
        {
            for (int f = 0; f < D; f++)
            {
                float x = (float)((random.NextDouble() * 2) - 1);
                inputs[(row * 4 * D) + f] = x;
                inputs[(row * 4 * D) + D + f] = 1f;
                inputs[(row * 4 * D) + (2 * D) + f] = 1 + random.Next(4); // any gap: nothing decays
                inputs[(row * 4 * D) + (3 * D) + f] = (float)random.NextDouble(); // never read where observed
                plain[(row * 2 * D) + f] = x;
                plain[(row * 2 * D) + D + f] = 1f;
            }
        }

        NetworkWorkspace a = grud.CreateWorkspace(), b = gru.CreateWorkspace();
        grud.Infer(parameters, inputs, Steps, Batch, a);
        gru.Infer(gruParameters, plain, Steps, Batch, b);

        double worst = 0;
        for (int i = 0; i < a.Outputs.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(a.Outputs[i] - b.Outputs[i]));
        }

        output.WriteLine($"worst difference {worst:E2}");
        Assert.True(worst <= 1e-6, $"GRU-D differs from the GRU by {worst:E2}.");
    }

    [Fact]
    public void Missing_values_decay_towards_the_mean_as_the_gap_grows()
    {
        // One feature, missing from step 1 on: x̂ goes from the last value towards the mean, so the states move apart
        // from those of a forward fill (γx = 1) more and more.
        var cell = new GruDCell(1, 2, [0f]);
        var network = new RecurrentNetwork([cell]);
        float[] parameters = network.CreateParameters(seed: 1);
        var inputs = new float[6 * 4];
        for (int t = 0; t < 6; t++)
        {
            inputs[(t * 4) + 0] = 2f;
            inputs[(t * 4) + 1] = t == 0 ? 1f : 0f;
            inputs[(t * 4) + 2] = t;
            inputs[(t * 4) + 3] = 2f;
        }

        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Infer(parameters, inputs, 6, 1, workspace);
        float[] decaying = workspace.Outputs.ToArray();
        network.GetSlot("layers.0.input_decay_weights").Slice(parameters.AsSpan()).Clear();
        network.Infer(parameters, inputs, 6, 1, workspace);

        Assert.Equal(decaying[1], workspace.Outputs[1]); // step 0 is observed: no decay applies
        Assert.NotEqual(decaying[^1], workspace.Outputs[^1]);
    }

    [Fact]
    public void Forward_outputs_and_final_states_match_pytorch()
    {
        Fixture reference = Fixture.Load();
        (RecurrentNetwork network, float[] parameters) = reference.Build();
        NetworkWorkspace workspace = network.CreateWorkspace();

        network.Forward(parameters, reference.Input, reference.Steps, reference.Batch, workspace, reference.InitialState);

        AssertClose("output", reference.Output, workspace.Outputs);
        var finalStates = new float[reference.FinalState.Length];
        workspace.CopyFinalStates(finalStates);
        AssertClose("final_state", reference.FinalState, finalStates);
        network.Infer(parameters, reference.Input, reference.Steps, reference.Batch, workspace, reference.InitialState);
        AssertClose("output (inference pass)", reference.Output, workspace.Outputs);
    }

    [Fact]
    public void Gradients_of_every_weight_input_and_initial_state_match_pytorch()
    {
        Fixture reference = Fixture.Load();
        (RecurrentNetwork network, float[] parameters) = reference.Build();
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Forward(parameters, reference.Input, reference.Steps, reference.Batch, workspace, reference.InitialState);
        var gradients = new float[network.ParameterCount];
        var inputGradients = new float[reference.Input.Length];
        var initialStateGradients = new float[reference.InitialState.Length];

        network.Backward(parameters, workspace, reference.OutputWeights, gradients, reference.FinalStateWeights, inputGradients, initialStateGradients);

        foreach ((string name, float[] expected) in reference.ParameterGradients)
        {
            AssertClose(name, expected, network.GetSlot($"layers.0.{name}").Slice((ReadOnlySpan<float>)gradients));
        }

        AssertClose("input", reference.InputGradient, inputGradients);
        AssertClose("initial_state", reference.InitialStateGradient, initialStateGradients);
    }

    /// <summary>
    /// Checks a one-layer network of <paramref name="cell"/> (D = 2, H = 3) on hand-made inputs: sequence 0 always
    /// observed, 1 never, 2 with gaps of 1, 2 and 3 steps, 3 with a gap at the start; δ follows the paper's recurrence over
    /// irregular spacings. The decay parameters keep every max(0, ·) at least 0.8 away from its kink under the check's
    /// steps (one decay of each kind is kept off on purpose), so finite differences never straddle it.
    /// </summary>
    private static GradientCheckReport CheckStructured(IRecurrentCell cell)
    {
        var network = new RecurrentNetwork([cell]);
        var random = new Random(7);
        float[] parameters = network.CreateParameters(seed: 11);
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)((random.NextDouble() - 0.5) * 1.2);
        }

        new float[] { 0.5f, 0.3f }.CopyTo(network.GetSlot("layers.0.input_decay_weights").Slice(parameters.AsSpan()));
        new float[] { 0.8f, -5f }.CopyTo(network.GetSlot("layers.0.input_decay_bias").Slice(parameters.AsSpan())); // feature 1: γx = 1
        Span<float> stateDecay = network.GetSlot("layers.0.state_decay_weights").Slice(parameters.AsSpan());
        for (int i = 0; i < stateDecay.Length; i++)
        {
            stateDecay[i] = 0.1f + (0.05f * i);
        }

        new float[] { 0.8f, 0.8f, -6f }.CopyTo(network.GetSlot("layers.0.state_decay_bias").Slice(parameters.AsSpan())); // unit 2: γh = 1

        bool[,,] missing = new bool[Steps, Batch, D];
        for (int t = 0; t < Steps; t++)
        {
            for (int f = 0; f < D; f++)
            {
                missing[t, 1, f] = true;
            }
        }

        foreach (int t in new[] { 1, 3, 4, 6, 7 })
        {
            missing[t, 2, 0] = true; // gaps of 1 and 2 steps, then one to the end
        }

        foreach (int t in new[] { 2, 3, 4 })
        {
            missing[t, 2, 1] = true; // a gap of 3 steps
        }

        missing[0, 3, 0] = missing[1, 3, 0] = missing[0, 3, 1] = true;

        float[] spacing = [0f, 1f, 0.5f, 1.5f, 1f, 1f, 2f, 0.5f];
        var inputs = new float[Steps * Batch * 4 * D];
        var delta = new float[Batch, D];
        var last = new float[Batch, D];
        for (int s = 0; s < Batch; s++)
        {
            for (int f = 0; f < D; f++)
            {
                last[s, f] = (float)(random.NextDouble() - 0.5);
            }
        }

        for (int t = 0; t < Steps; t++)
        {
            for (int s = 0; s < Batch; s++)
            {
                int row = ((t * Batch) + s) * 4 * D;
                for (int f = 0; f < D; f++)
                {
                    float x = (float)((random.NextDouble() * 2) - 1);
                    delta[s, f] = t == 0 ? 0f : spacing[t] + (t > 0 && missing[t - 1, s, f] ? delta[s, f] : 0f);
                    if (!missing[t, s, f])
                    {
                        last[s, f] = x;
                    }

                    inputs[row + f] = missing[t, s, f] ? last[s, f] : x;
                    inputs[row + D + f] = missing[t, s, f] ? 0f : 1f;
                    inputs[row + (2 * D) + f] = delta[s, f];
                    inputs[row + (3 * D) + f] = last[s, f];
                }
            }
        }

        var initialStates = new float[Batch * H];
        var outputWeights = new float[Steps * Batch * H];
        var finalWeights = new float[Batch * H];
        foreach (float[] values in new[] { initialStates, outputWeights, finalWeights })
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2) - 1) * (values == initialStates ? 0.5f : 1f);
            }
        }

        int p = parameters.Length, n = inputs.Length;
        float[] point = [.. parameters, .. inputs, .. initialStates];
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Forward(parameters, inputs, Steps, Batch, workspace, initialStates);
        var analytic = new float[point.Length];
        network.Backward(parameters, workspace, outputWeights, analytic.AsSpan(0, p), finalWeights,
            analytic.AsSpan(p, n), analytic.AsSpan(p + n));

        var finals = new float[Batch * H];
        double Loss(float[] x)
        {
            network.Infer(x.AsSpan(0, p), x.AsSpan(p, n), Steps, Batch, workspace, x.AsSpan(p + n));
            workspace.CopyFinalStates(finals);
            double sum = 0;
            for (int i = 0; i < outputWeights.Length; i++)
            {
                sum += (double)outputWeights[i] * workspace.Outputs[i];
            }

            for (int i = 0; i < finals.Length; i++)
            {
                sum += (double)finalWeights[i] * finals[i];
            }

            return sum;
        }

        var groups = network.ParameterSlots.Select(s => (s.Name, s.Offset, s.Length)).ToList();
        groups.Add(("inputs", p, n));
        groups.Add(("initial_states", p + n, initialStates.Length));
        return GradientCheck.Compare(point, analytic, Loss, groups);
    }

    private void AssertClose(string name, float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs), worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / scale);
        }

        output.WriteLine($"{name,-24} worst difference {worst:E2} of max |value| {scale:G4}");
        Assert.True(worst <= ParityTolerance, $"{name}: worst difference {worst:E2} of the largest magnitude exceeds {ParityTolerance:E0}.");
    }

    /// <summary>Flips the sign of what the cell adds to one parameter block's gradient.</summary>
    private sealed class SignFlip(IRecurrentCell inner, int offset, int length) : DelegatingCell(inner)
    {
        public override void FinishBackward(in CellSequenceBackward sequence)
        {
            Span<float> block = sequence.ParameterGradients.Slice(offset, length);
            float[] before = block.ToArray();
            base.FinishBackward(sequence);
            for (int j = 0; j < block.Length; j++)
            {
                block[j] = before[j] - (block[j] - before[j]);
            }
        }
    }

    private sealed class Fixture
    {
        public int Features { get; private init; }

        public int HiddenSize { get; private init; }

        public int Batch { get; private init; }

        public int Steps { get; private init; }

        public required float[] Means { get; init; }

        public required Dictionary<string, float[]> Parameters { get; init; }

        public required Dictionary<string, float[]> ParameterGradients { get; init; }

        public required float[] Input { get; init; }

        public required float[] InitialState { get; init; }

        public required float[] Output { get; init; }

        public required float[] FinalState { get; init; }

        public required float[] OutputWeights { get; init; }

        public required float[] FinalStateWeights { get; init; }

        public required float[] InputGradient { get; init; }

        public required float[] InitialStateGradient { get; init; }

        public (RecurrentNetwork Network, float[] Parameters) Build()
        {
            var network = new RecurrentNetwork([new GruDCell(Features, HiddenSize, Means)]);
            var parameters = new float[network.ParameterCount];
            foreach ((string name, float[] values) in Parameters)
            {
                values.CopyTo(network.GetSlot($"layers.0.{name}").Slice(parameters.AsSpan()));
            }

            return (network, parameters);
        }

        public static Fixture Load()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch_grud_fixture.json");
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = document.RootElement;
            JsonElement gradients = root.GetProperty("gradients");
            return new Fixture
            {
                Features = root.GetProperty("features").GetInt32(),
                HiddenSize = root.GetProperty("hidden_size").GetInt32(),
                Batch = root.GetProperty("batch").GetInt32(),
                Steps = root.GetProperty("steps").GetInt32(),
                Means = Floats(root.GetProperty("means")),
                Parameters = Named(root.GetProperty("parameters")),
                ParameterGradients = Named(gradients.GetProperty("parameters")),
                Input = Floats(root.GetProperty("input")),
                InitialState = Floats(root.GetProperty("initial_state")),
                Output = Floats(root.GetProperty("output")),
                FinalState = Floats(root.GetProperty("final_state")),
                OutputWeights = Floats(root.GetProperty("output_weights")),
                FinalStateWeights = Floats(root.GetProperty("final_state_weights")),
                InputGradient = Floats(gradients.GetProperty("input")),
                InitialStateGradient = Floats(gradients.GetProperty("initial_state")),
            };
        }

        private static Dictionary<string, float[]> Named(JsonElement element) =>
            element.EnumerateObject().ToDictionary(p => p.Name, p => Floats(p.Value));

        private static float[] Floats(JsonElement element) => [.. element.EnumerateArray().Select(e => (float)e.GetDouble())];
    }
}
