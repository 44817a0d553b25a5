using System.Text.Json;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent.Lstm;

/// <summary>
/// Matches torch.nn.LSTM (2 layers, input 3, hidden 5, batch 4, 7 steps; forget biases raised by 2 so that c builds up past 1, initial c up to ±5) forward and backward, from
/// the fixture that Fixtures/make_pytorch_lstm_fixture.py wrote with Debian's python3-torch. PyTorch's tensors are copied
/// in as they are: <see cref="LstmCell"/> keeps PyTorch's names and layouts.
/// </summary>
public class LstmPyTorchParityTests(ITestOutputHelper output)
{
    // As for the GRU: both sides compute in float32, so what is left is summation order (the worst measured is printed).
    private const double Tolerance = 1e-5;

    private static readonly Fixture Reference = Fixture.Load();

    [Fact]
    public void Forward_outputs_and_final_h_and_c_match_pytorch()
    {
        (RecurrentNetwork network, float[] parameters) = Build();
        NetworkWorkspace workspace = network.CreateWorkspace();
        float[] initial = Reference.OurStates(Reference.InitialH, Reference.InitialC);

        network.Forward(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, initial);

        TorchParity.AssertClose(output, Tolerance, "output", Reference.Output, workspace.Outputs);
        var finalStates = new float[initial.Length];
        workspace.CopyFinalStates(finalStates);
        (float[] h, float[] c) = Reference.TorchStates(finalStates);
        TorchParity.AssertClose(output, Tolerance, "h_n", Reference.FinalH, h);
        TorchParity.AssertClose(output, Tolerance, "c_n", Reference.FinalC, c);

        network.Infer(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, initial);
        TorchParity.AssertClose(output, Tolerance, "output (inference pass)", Reference.Output, workspace.Outputs);
    }

    [Fact]
    public void Gradients_of_every_weight_input_and_initial_h_and_c_match_pytorch()
    {
        (RecurrentNetwork network, float[] parameters) = Build();
        NetworkWorkspace workspace = network.CreateWorkspace();
        float[] initial = Reference.OurStates(Reference.InitialH, Reference.InitialC);
        network.Forward(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, initial);
        var gradients = new float[network.ParameterCount];
        var inputGradients = new float[Reference.Input.Length];
        var initialStateGradients = new float[initial.Length];

        network.Backward(parameters, workspace, Reference.OutputWeights, gradients,
            Reference.OurStates(Reference.FinalHWeights, Reference.FinalCWeights), inputGradients, initialStateGradients);

        foreach (string name in new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" })
        {
            for (int layer = 0; layer < Reference.Layers; layer++)
            {
                TorchParity.AssertClose(output, Tolerance, $"l{layer}.{name}", Reference.Gradients[layer][name], network.GetSlot($"layers.{layer}.{name}").Slice(gradients));
            }
        }

        TorchParity.AssertClose(output, Tolerance, "input", Reference.InputGradient, inputGradients);
        (float[] h, float[] c) = Reference.TorchStates(initialStateGradients);
        TorchParity.AssertClose(output, Tolerance, "h_0", Reference.InitialHGradient, h);
        TorchParity.AssertClose(output, Tolerance, "c_0", Reference.InitialCGradient, c);
    }

    [Fact]
    public void The_fixture_reaches_cell_states_beyond_one()
    {
        // c is unbounded (unlike a GRU's state): the reference must exercise that range, or the parity would not show it.
        Assert.Contains(Reference.InitialC, v => Math.Abs(v) > 1.5f);
        Assert.Contains(Reference.FinalC, v => Math.Abs(v) > 1f);
    }

    private static (RecurrentNetwork Network, float[] Parameters) Build()
    {
        var network = new RecurrentNetwork(
            Enumerable.Range(0, Reference.Layers).Select(l => new LstmCell(l == 0 ? Reference.InputSize : Reference.HiddenSize, Reference.HiddenSize)));
        var parameters = new float[network.ParameterCount];
        for (int layer = 0; layer < Reference.Layers; layer++)
        {
            foreach ((string name, float[] values) in Reference.Weights[layer])
            {
                ParameterSlot slot = network.GetSlot($"layers.{layer}.{name}");
                Assert.Equal(slot.Length, values.Length);
                values.CopyTo(slot.Slice(parameters.AsSpan()));
            }
        }

        return (network, parameters);
    }

    private sealed class Fixture
    {
        public int InputSize { get; private init; }

        public int HiddenSize { get; private init; }

        public int Layers { get; private init; }

        public int Batch { get; private init; }

        public int Steps { get; private init; }

        public required float[] Input { get; init; }

        public required float[] InitialH { get; init; }

        public required float[] InitialC { get; init; }

        public required float[] Output { get; init; }

        public required float[] FinalH { get; init; }

        public required float[] FinalC { get; init; }

        public required float[] OutputWeights { get; init; }

        public required float[] FinalHWeights { get; init; }

        public required float[] FinalCWeights { get; init; }

        public required float[] InputGradient { get; init; }

        public required float[] InitialHGradient { get; init; }

        public required float[] InitialCGradient { get; init; }

        public required List<Dictionary<string, float[]>> Weights { get; init; }

        public required List<Dictionary<string, float[]>> Gradients { get; init; }

        /// <summary>PyTorch's (layers, batch, hidden) h and c as our states: per layer, per batch row, [h | c].</summary>
        public float[] OurStates(float[] h, float[] c)
        {
            int hidden = HiddenSize;
            var states = new float[h.Length + c.Length];
            for (int layer = 0; layer < Layers; layer++)
            {
                for (int b = 0; b < Batch; b++)
                {
                    int source = ((layer * Batch) + b) * hidden, row = ((layer * Batch) + b) * 2 * hidden;
                    h.AsSpan(source, hidden).CopyTo(states.AsSpan(row));
                    c.AsSpan(source, hidden).CopyTo(states.AsSpan(row + hidden));
                }
            }

            return states;
        }

        /// <summary>The inverse of <see cref="OurStates"/>.</summary>
        public (float[] H, float[] C) TorchStates(ReadOnlySpan<float> states)
        {
            int hidden = HiddenSize;
            var h = new float[states.Length / 2];
            var c = new float[states.Length / 2];
            for (int row = 0; row < Layers * Batch; row++)
            {
                states.Slice(row * 2 * hidden, hidden).CopyTo(h.AsSpan(row * hidden));
                states.Slice((row * 2 * hidden) + hidden, hidden).CopyTo(c.AsSpan(row * hidden));
            }

            return (h, c);
        }

        public static Fixture Load()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch_lstm_fixture.json");
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = document.RootElement;
            JsonElement gradients = root.GetProperty("gradients");
            return new Fixture
            {
                InputSize = root.GetProperty("input_size").GetInt32(),
                HiddenSize = root.GetProperty("hidden_size").GetInt32(),
                Layers = root.GetProperty("num_layers").GetInt32(),
                Batch = root.GetProperty("batch").GetInt32(),
                Steps = root.GetProperty("steps").GetInt32(),
                Input = Floats(root.GetProperty("input")),
                InitialH = Floats(root.GetProperty("initial_h")),
                InitialC = Floats(root.GetProperty("initial_c")),
                Output = Floats(root.GetProperty("output")),
                FinalH = Floats(root.GetProperty("final_h")),
                FinalC = Floats(root.GetProperty("final_c")),
                OutputWeights = Floats(root.GetProperty("output_weights")),
                FinalHWeights = Floats(root.GetProperty("final_h_weights")),
                FinalCWeights = Floats(root.GetProperty("final_c_weights")),
                InputGradient = Floats(gradients.GetProperty("input")),
                InitialHGradient = Floats(gradients.GetProperty("initial_h")),
                InitialCGradient = Floats(gradients.GetProperty("initial_c")),
                Weights = Layer(root.GetProperty("layers")),
                Gradients = Layer(gradients.GetProperty("layers")),
            };
        }

        private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => (float)e.GetDouble())];

        private static List<Dictionary<string, float[]>> Layer(JsonElement layers) =>
            [.. layers.EnumerateArray().Select(l => l.EnumerateObject().ToDictionary(p => p.Name, p => Floats(p.Value)))];
    }
}
