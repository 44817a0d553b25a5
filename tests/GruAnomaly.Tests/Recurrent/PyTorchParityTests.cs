using System.Text.Json;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent;

/// <summary>
/// Matches torch.nn.GRU (2 layers, input 3, hidden 5, batch 4, 7 steps) forward and backward, from the fixture that
/// Fixtures/make_pytorch_gru_fixture.py wrote with Debian's python3-torch.
/// </summary>
public class PyTorchParityTests(ITestOutputHelper output)
{
    // Every tensor must agree to 1e-5 of its largest magnitude; both sides compute in float32, so the differences left
    // are summation order (measured worst 3e-7, see the test output).
    private const double Tolerance = 1e-5;

    private static readonly Fixture Reference = Fixture.Load();

    [Fact]
    public void Forward_outputs_and_final_states_match_pytorch()
    {
        (RecurrentNetwork network, float[] parameters) = Build();
        NetworkWorkspace workspace = network.CreateWorkspace();

        network.Forward(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, Reference.InitialState);

        TorchParity.AssertClose(output, Tolerance, "output", Reference.Output, workspace.Outputs);
        var finalStates = new float[Reference.FinalState.Length];
        workspace.CopyFinalStates(finalStates);
        TorchParity.AssertClose(output, Tolerance, "final_state", Reference.FinalState, finalStates);

        network.Infer(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, Reference.InitialState);
        TorchParity.AssertClose(output, Tolerance, "output (inference pass)", Reference.Output, workspace.Outputs);
    }

    [Fact]
    public void Gradients_of_every_weight_input_and_initial_state_match_pytorch()
    {
        (RecurrentNetwork network, float[] parameters) = Build();
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Forward(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, Reference.InitialState);
        var gradients = new float[network.ParameterCount];
        var inputGradients = new float[Reference.Input.Length];
        var initialStateGradients = new float[Reference.InitialState.Length];

        network.Backward(parameters, workspace, Reference.OutputWeights, gradients, Reference.FinalStateWeights,
            inputGradients, initialStateGradients);

        for (int layer = 0; layer < Reference.Layers; layer++)
        {
            Dictionary<string, float[]> expected = Reference.Gradients[layer];
            TorchParity.AssertGruLayerGradients(output, Tolerance, $"l{layer}", expected, network, layer, gradients);
        }

        TorchParity.AssertClose(output, Tolerance, "input", Reference.InputGradient, inputGradients);
        TorchParity.AssertClose(output, Tolerance, "initial_state", Reference.InitialStateGradient, initialStateGradients);
    }

    private static (RecurrentNetwork Network, float[] Parameters) Build()
    {
        var network = RecurrentNetwork.CreateGru(Reference.InputSize, Reference.HiddenSize, Reference.Layers, variant: GruVariant.ResetAfter);
        var parameters = new float[network.ParameterCount];
        for (int layer = 0; layer < Reference.Layers; layer++)
        {
            Dictionary<string, float[]> weights = Reference.Weights[layer];

            TorchParity.LoadGruLayer(weights, network, layer, parameters);
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

        public required float[] InitialState { get; init; }

        public required float[] Output { get; init; }

        public required float[] FinalState { get; init; }

        public required float[] OutputWeights { get; init; }

        public required float[] FinalStateWeights { get; init; }

        public required float[] InputGradient { get; init; }

        public required float[] InitialStateGradient { get; init; }

        public required List<Dictionary<string, float[]>> Weights { get; init; }

        public required List<Dictionary<string, float[]>> Gradients { get; init; }

        public static Fixture Load()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch_gru_fixture.json");
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
                InitialState = Floats(root.GetProperty("initial_state")),
                Output = Floats(root.GetProperty("output")),
                FinalState = Floats(root.GetProperty("final_state")),
                OutputWeights = Floats(root.GetProperty("output_weights")),
                FinalStateWeights = Floats(root.GetProperty("final_state_weights")),
                InputGradient = Floats(gradients.GetProperty("input")),
                InitialStateGradient = Floats(gradients.GetProperty("initial_state")),
                Weights = Layer(root.GetProperty("layers")),
                Gradients = Layer(gradients.GetProperty("layers")),
            };
        }

        private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => (float)e.GetDouble())];

        private static List<Dictionary<string, float[]>> Layer(JsonElement layers) =>
            [.. layers.EnumerateArray().Select(l => l.EnumerateObject().ToDictionary(p => p.Name, p => Floats(p.Value)))];
    }
}
