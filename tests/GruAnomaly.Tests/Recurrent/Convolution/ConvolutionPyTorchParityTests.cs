using System.Text.Json;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent.Convolution;

/// <summary>
/// Matches a causal torch.nn.Conv1d (input 3, 4 channels, kernel 3, dilation 2, padding 4 and the output trimmed to the
/// first T steps) below a torch.nn.GRU (hidden 5), batch 4, 9 steps, forward and backward, from the fixture that
/// Fixtures/make_pytorch_conv_fixture.py wrote with Debian's python3-torch. The convolution weight copies in as it is
/// (<see cref="CausalConvolutionCell"/> keeps PyTorch's C×I×K order); the GRU is <see cref="GruResetAfterCell"/>, whose
/// weights are transposed (<see cref="TorchParity"/>).
/// </summary>
public class ConvolutionPyTorchParityTests(ITestOutputHelper output)
{
    // As for the GRU and the LSTM: both sides compute in float32, so what is left is summation order (the worst measured is printed).
    private const double Tolerance = 1e-5;

    private static readonly Fixture Reference = Fixture.Load();

    [Fact]
    public void The_convolution_alone_gives_pytorchs_trimmed_conv1d_output()
    {
        var network = new RecurrentNetwork([Convolution()]);
        var parameters = new float[network.ParameterCount];
        Reference.ConvWeight.CopyTo(network.GetSlot("layers.0.weight").Slice(parameters.AsSpan()));
        Reference.ConvBias.CopyTo(network.GetSlot("layers.0.bias").Slice(parameters.AsSpan()));
        NetworkWorkspace workspace = network.CreateWorkspace();

        network.Infer(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace);

        TorchParity.AssertClose(output, Tolerance, "conv features", Reference.Features, workspace.Outputs);
    }

    [Fact]
    public void Forward_outputs_and_final_state_match_pytorch()
    {
        (RecurrentNetwork network, float[] parameters) = Build();
        NetworkWorkspace workspace = network.CreateWorkspace();
        float[] initial = InitialStates(network, Reference.InitialState);

        network.Forward(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, initial);

        TorchParity.AssertClose(output, Tolerance, "output", Reference.Output, workspace.Outputs);
        var finalStates = new float[initial.Length];
        workspace.CopyFinalStates(finalStates);
        TorchParity.AssertClose(output, Tolerance, "h_n", Reference.FinalState, finalStates.AsSpan(ConvolutionStates(network)));

        network.Infer(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, initial);
        TorchParity.AssertClose(output, Tolerance, "output (inference pass)", Reference.Output, workspace.Outputs);
    }

    [Fact]
    public void Gradients_of_every_weight_the_input_h0_and_the_zero_history_match_pytorch()
    {
        (RecurrentNetwork network, float[] parameters) = Build();
        NetworkWorkspace workspace = network.CreateWorkspace();
        float[] initial = InitialStates(network, Reference.InitialState);
        network.Forward(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, initial);
        var gradients = new float[network.ParameterCount];
        var inputGradients = new float[Reference.Input.Length];
        var initialStateGradients = new float[initial.Length];

        network.Backward(parameters, workspace, Reference.OutputWeights, gradients,
            InitialStates(network, Reference.FinalStateWeights), inputGradients, initialStateGradients);

        TorchParity.AssertClose(output, Tolerance, "conv.weight", Reference.ConvWeightGradient, network.GetSlot("layers.0.weight").Slice(gradients));
        TorchParity.AssertClose(output, Tolerance, "conv.bias", Reference.ConvBiasGradient, network.GetSlot("layers.0.bias").Slice(gradients));
        TorchParity.AssertGruLayerGradients(output, Tolerance, "gru", Reference.GruGradients, network, 1, gradients);
        TorchParity.AssertClose(output, Tolerance, "input", Reference.InputGradient, inputGradients);
        TorchParity.AssertClose(output, Tolerance, "h_0", Reference.InitialStateGradient, initialStateGradients.AsSpan(ConvolutionStates(network)));
        TorchParity.AssertClose(output, Tolerance, "zero history", Reference.InitialHistoryGradient, TorchHistory(network, initialStateGradients));
    }

    private static CausalConvolutionCell Convolution() =>
        new(Reference.InputSize, Reference.Channels, Reference.KernelSize, Reference.Dilation);

    private static (RecurrentNetwork Network, float[] Parameters) Build()
    {
        var network = new RecurrentNetwork([Convolution(), new GruResetAfterCell(Reference.Channels, Reference.HiddenSize)]);
        var parameters = new float[network.ParameterCount];
        Reference.ConvWeight.CopyTo(network.GetSlot("layers.0.weight").Slice(parameters.AsSpan()));
        Reference.ConvBias.CopyTo(network.GetSlot("layers.0.bias").Slice(parameters.AsSpan()));
        TorchParity.LoadGruLayer(Reference.Gru, network, 1, parameters);
        return (network, parameters);
    }

    /// <summary>How many initial-state values the convolution layer takes (batch rows of its state, bottom layer first).</summary>
    private static int ConvolutionStates(RecurrentNetwork network) => Reference.Batch * network.Layers[0].StateSize;

    /// <summary>The network's initial states: the convolution's all zero (PyTorch's padding), then the GRU's h.</summary>
    private static float[] InitialStates(RecurrentNetwork network, float[] gruStates)
    {
        var states = new float[ConvolutionStates(network) + gruStates.Length];
        gruStates.CopyTo(states.AsSpan(ConvolutionStates(network)));
        return states;
    }

    /// <summary>The carried-input part of the convolution's initial-state gradient in PyTorch's (batch, input, (K−1)·d) order.</summary>
    private static float[] TorchHistory(RecurrentNetwork network, float[] initialStateGradients)
    {
        int width = network.Layers[0].StateSize, channels = Reference.Channels, input = Reference.InputSize;
        int history = (Reference.KernelSize - 1) * Reference.Dilation;
        var torch = new float[Reference.Batch * input * history];
        for (int b = 0; b < Reference.Batch; b++)
        {
            for (int slot = 0; slot < history; slot++)
            {
                for (int i = 0; i < input; i++)
                {
                    torch[(((b * input) + i) * history) + slot] = initialStateGradients[(b * width) + channels + (slot * input) + i];
                }
            }
        }

        return torch;
    }

    private sealed class Fixture
    {
        public int InputSize { get; private init; }

        public int Channels { get; private init; }

        public int KernelSize { get; private init; }

        public int Dilation { get; private init; }

        public int HiddenSize { get; private init; }

        public int Batch { get; private init; }

        public int Steps { get; private init; }

        public required float[] ConvWeight { get; init; }

        public required float[] ConvBias { get; init; }

        public required Dictionary<string, float[]> Gru { get; init; }

        public required float[] Input { get; init; }

        public required float[] InitialState { get; init; }

        public required float[] OutputWeights { get; init; }

        public required float[] FinalStateWeights { get; init; }

        public required float[] Features { get; init; }

        public required float[] Output { get; init; }

        public required float[] FinalState { get; init; }

        public required float[] ConvWeightGradient { get; init; }

        public required float[] ConvBiasGradient { get; init; }

        public required Dictionary<string, float[]> GruGradients { get; init; }

        public required float[] InputGradient { get; init; }

        public required float[] InitialStateGradient { get; init; }

        public required float[] InitialHistoryGradient { get; init; }

        public static Fixture Load()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch_conv_fixture.json");
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = document.RootElement;
            JsonElement gradients = root.GetProperty("gradients");
            return new Fixture
            {
                InputSize = root.GetProperty("input_size").GetInt32(),
                Channels = root.GetProperty("channels").GetInt32(),
                KernelSize = root.GetProperty("kernel_size").GetInt32(),
                Dilation = root.GetProperty("dilation").GetInt32(),
                HiddenSize = root.GetProperty("hidden_size").GetInt32(),
                Batch = root.GetProperty("batch").GetInt32(),
                Steps = root.GetProperty("steps").GetInt32(),
                ConvWeight = Floats(root.GetProperty("conv").GetProperty("weight")),
                ConvBias = Floats(root.GetProperty("conv").GetProperty("bias")),
                Gru = Tensors(root.GetProperty("gru")),
                Input = Floats(root.GetProperty("input")),
                InitialState = Floats(root.GetProperty("initial_state")),
                OutputWeights = Floats(root.GetProperty("output_weights")),
                FinalStateWeights = Floats(root.GetProperty("final_state_weights")),
                Features = Floats(root.GetProperty("features")),
                Output = Floats(root.GetProperty("output")),
                FinalState = Floats(root.GetProperty("final_state")),
                ConvWeightGradient = Floats(gradients.GetProperty("conv").GetProperty("weight")),
                ConvBiasGradient = Floats(gradients.GetProperty("conv").GetProperty("bias")),
                GruGradients = Tensors(gradients.GetProperty("gru")),
                InputGradient = Floats(gradients.GetProperty("input")),
                InitialStateGradient = Floats(gradients.GetProperty("initial_state")),
                InitialHistoryGradient = Floats(gradients.GetProperty("initial_history")),
            };
        }

        private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => (float)e.GetDouble())];

        private static Dictionary<string, float[]> Tensors(JsonElement tensors) =>
            tensors.EnumerateObject().ToDictionary(p => p.Name, p => Floats(p.Value));
    }
}
