using System.Text.Json;
using GruAnomaly.Evaluation;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent;

/// <summary>
/// Attention pooling between the top recurrent layer and the head: finite-difference gradients through the whole network,
/// a check that fails when one backward term is left out, and parity with PyTorch from the committed fixture that
/// Fixtures/make_pytorch_attention_fixture.py wrote.
/// </summary>
public sealed class AttentionPoolingTests(ITestOutputHelper output)
{
    // As in PyTorchParityTests: float32 on both sides, so what is left is summation order.
    private const double ParityTolerance = 1e-5;

    private static readonly Fixture Reference = Fixture.Load();

    public static TheoryData<GruVariant> Variants => [GruVariant.ResetBefore, GruVariant.ResetAfter];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gradients_of_every_parameter_input_and_initial_state_pass_the_finite_difference_check(GruVariant variant)
    {
        RecurrentNetwork network = Network(variant, inputSize: 2, hidden: 4, layers: 2, attention: 3, outputs: 2);

        GradientCheckReport report = GradientCheck.Check(network, new GradientCheckOptions { Steps = 6, BatchSize = 3 });

        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        // Every slot (recurrent weights, head, attention.weights, attention.bias, attention.score), inputs and initial states.
        Assert.Equal(network.ParameterSlots.Count + 2, report.Entries.Count);
        Assert.Contains(report.Entries, e => e.Name == "attention.weights" && e.EntriesChecked > 0);
        Assert.Contains(report.Entries, e => e.Name == "attention.bias" && e.EntriesChecked > 0);
        Assert.Contains(report.Entries, e => e.Name == "attention.score" && e.EntriesChecked > 0);
        Assert.Contains(report.Entries, e => e.Name == "layers.0.recurrent_weights" && e.EntriesChecked > 0);
    }

    [Theory]
    [InlineData("weighted sum")]
    [InlineData("softmax centering")]
    [InlineData("scores")]
    public void Leaving_out_one_backward_term_fails_the_check(string name)
    {
        AttentionTerm term = name switch
        {
            "weighted sum" => AttentionTerm.WeightedSum,
            "softmax centering" => AttentionTerm.SoftmaxCentering,
            _ => AttentionTerm.Scores,
        };
        var cells = RecurrentNetwork.CreateGru(2, 4, layers: 2).Layers;
        var broken = new RecurrentNetwork(cells, new DenseHead(4, 2), new AttentionPooling(4, 3) { OmittedTerm = term });

        GradientCheckReport report = GradientCheck.Check(broken, new GradientCheckOptions { Steps = 6, BatchSize = 3 });

        output.WriteLine(report.ToString());
        Assert.False(report.Passed, $"The check passed with {term} left out:\n{report}");
    }

    [Fact]
    public void Attention_weights_are_positive_and_sum_to_one_per_sequence_in_training_and_inference()
    {
        RecurrentNetwork network = Network(GruVariant.ResetBefore, inputSize: 3, hidden: 5, layers: 1, attention: 4, outputs: 1);
        float[] parameters = network.CreateParameters(seed: 5);
        var random = new Random(6);
        const int Steps = 9, Batch = 4;
        float[] inputs = [.. Enumerable.Range(0, Steps * Batch * 3).Select(_ => (float)(random.NextDouble() * 4 - 2))];
        NetworkWorkspace workspace = network.CreateWorkspace();

        network.Forward(parameters, inputs, Steps, Batch, workspace);
        float[] training = workspace.AttentionWeights.ToArray();
        network.Infer(parameters, inputs, Steps, Batch, workspace);

        Assert.Equal(training, workspace.AttentionWeights.ToArray());
        Assert.Equal(Steps * Batch, training.Length);
        for (int b = 0; b < Batch; b++)
        {
            double sum = 0;
            for (int t = 0; t < Steps; t++)
            {
                Assert.True(training[(t * Batch) + b] > 0f);
                sum += training[(t * Batch) + b];
            }

            Assert.Equal(1.0, sum, 5);
        }

        // The weights are not uniform: the scores depend on the states.
        Assert.True(training.Max() - training.Min() > 1e-3f);
        Assert.True(RecurrentNetwork.CreateGru(3, 5, outputSize: 1).CreateWorkspace().AttentionWeights.IsEmpty);
    }

    [Fact]
    public void Forward_output_and_attention_weights_match_pytorch()
    {
        (RecurrentNetwork network, float[] parameters) = Build();
        NetworkWorkspace workspace = network.CreateWorkspace();

        network.Forward(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, Reference.InitialState);
        TorchParity.AssertClose(output, ParityTolerance, "output", Reference.Output, workspace.Outputs);
        TorchParity.AssertClose(output, ParityTolerance, "attention weights", Reference.AttentionWeights, workspace.AttentionWeights);

        network.Infer(parameters, Reference.Input, Reference.Steps, Reference.Batch, workspace, Reference.InitialState);
        TorchParity.AssertClose(output, ParityTolerance, "output (inference pass)", Reference.Output, workspace.Outputs);
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

        network.Backward(parameters, workspace, Reference.OutputWeights, gradients, default, inputGradients, initialStateGradients);

        for (int layer = 0; layer < Reference.Layers; layer++)
        {
            Dictionary<string, float[]> expected = Reference.LayerGradients[layer];
            TorchParity.AssertGruLayerGradients(output, ParityTolerance, $"l{layer}", expected, network, layer, gradients);
        }

        Dictionary<string, float[]> pooling = Reference.PoolingGradients;
        TorchParity.AssertClose(output, ParityTolerance, "attention.weight", pooling["weight"], TorchParity.Transpose(network.GetSlot("attention.weights"), gradients));
        TorchParity.AssertClose(output, ParityTolerance, "attention.bias", pooling["bias"], network.GetSlot("attention.bias").Slice(gradients));
        TorchParity.AssertClose(output, ParityTolerance, "score", pooling["score"], network.GetSlot("attention.score").Slice(gradients));
        TorchParity.AssertClose(output, ParityTolerance, "head.weight", pooling["head_weight"], TorchParity.Transpose(network.GetSlot("head.weights"), gradients));
        TorchParity.AssertClose(output, ParityTolerance, "head.bias", pooling["head_bias"], network.GetSlot("head.bias").Slice(gradients));
        TorchParity.AssertClose(output, ParityTolerance, "input", Reference.InputGradient, inputGradients);
        TorchParity.AssertClose(output, ParityTolerance, "initial_state", Reference.InitialStateGradient, initialStateGradients);
    }

    [Fact]
    public void Mismatched_parts_and_one_point_streaming_are_refused_with_a_reason()
    {
        IReadOnlyList<IRecurrentCell> cells = RecurrentNetwork.CreateGru(2, 4).Layers;

        ArgumentException width = Assert.Throws<ArgumentException>(() => new RecurrentNetwork(cells, new DenseHead(4, 1), new AttentionPooling(5, 3)));
        Assert.Contains("reads 5 values per step but the top layer produces 4", width.Message);
        Assert.Throws<ArgumentNullException>(() => new RecurrentNetwork(cells, null!, new AttentionPooling(4, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionPooling(4, 0));

        var network = new RecurrentNetwork(cells, new DenseHead(4, 1), new AttentionPooling(4, 3));
        ArgumentException streaming = Assert.Throws<ArgumentException>(() => network.CreateStreamer(network.CreateParameters(1)));
        Assert.Contains("attention pooling", streaming.Message);
        Assert.Equal(HeadPlacement.LastStep, network.HeadPlacement);
        Assert.Equal(["attention.weights", "attention.bias", "attention.score"], network.ParameterSlots.TakeLast(3).Select(s => s.Name));
        Assert.Equal(RecurrentNetwork.CreateGru(2, 4, outputSize: 1).ParameterCount + ((4 + 2) * 3), network.ParameterCount);
    }

    internal static RecurrentNetwork Network(GruVariant variant, int inputSize, int hidden, int layers, int attention, int outputs) =>
        new(RecurrentNetwork.CreateGru(inputSize, hidden, layers, variant: variant).Layers, new DenseHead(hidden, outputs),
            new AttentionPooling(hidden, attention));

    private static (RecurrentNetwork Network, float[] Parameters) Build()
    {
        RecurrentNetwork network = Network(GruVariant.ResetAfter, Reference.InputSize, Reference.HiddenSize, Reference.Layers,
            Reference.AttentionSize, Reference.OutputSize);
        var parameters = new float[network.ParameterCount];
        for (int layer = 0; layer < Reference.Layers; layer++)
        {
            Dictionary<string, float[]> weights = Reference.LayerWeights[layer];
            TorchParity.LoadGruLayer(weights, network, layer, parameters);
        }

        // nn.Linear stores weight as outputs×inputs; ours are inputs×outputs (row vectors times the matrix).
        Dictionary<string, float[]> pooling = Reference.PoolingWeights;
        TorchParity.TransposeInto(pooling["weight"], network.GetSlot("attention.weights"), parameters);
        pooling["bias"].CopyTo(network.GetSlot("attention.bias").Slice(parameters.AsSpan()));
        pooling["score"].CopyTo(network.GetSlot("attention.score").Slice(parameters.AsSpan()));
        TorchParity.TransposeInto(pooling["head_weight"], network.GetSlot("head.weights"), parameters);
        pooling["head_bias"].CopyTo(network.GetSlot("head.bias").Slice(parameters.AsSpan()));
        return (network, parameters);
    }

    private sealed class Fixture
    {
        public int InputSize { get; private init; }

        public int HiddenSize { get; private init; }

        public int Layers { get; private init; }

        public int Batch { get; private init; }

        public int Steps { get; private init; }

        public int AttentionSize { get; private init; }

        public int OutputSize { get; private init; }

        public required float[] Input { get; init; }

        public required float[] InitialState { get; init; }

        public required float[] OutputWeights { get; init; }

        public required float[] AttentionWeights { get; init; }

        public required float[] Output { get; init; }

        public required float[] InputGradient { get; init; }

        public required float[] InitialStateGradient { get; init; }

        public required List<Dictionary<string, float[]>> LayerWeights { get; init; }

        public required List<Dictionary<string, float[]>> LayerGradients { get; init; }

        public required Dictionary<string, float[]> PoolingWeights { get; init; }

        public required Dictionary<string, float[]> PoolingGradients { get; init; }

        public static Fixture Load()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch_attention_fixture.json");
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
                AttentionSize = root.GetProperty("attention_size").GetInt32(),
                OutputSize = root.GetProperty("output_size").GetInt32(),
                Input = Floats(root.GetProperty("input")),
                InitialState = Floats(root.GetProperty("initial_state")),
                OutputWeights = Floats(root.GetProperty("output_weights")),
                AttentionWeights = Floats(root.GetProperty("attention_weights")),
                Output = Floats(root.GetProperty("output")),
                InputGradient = Floats(gradients.GetProperty("input")),
                InitialStateGradient = Floats(gradients.GetProperty("initial_state")),
                LayerWeights = LayerList(root.GetProperty("layers")),
                LayerGradients = LayerList(gradients.GetProperty("layers")),
                PoolingWeights = Named(root.GetProperty("pooling")),
                PoolingGradients = Named(gradients.GetProperty("pooling")),
            };
        }

        private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => (float)e.GetDouble())];

        private static Dictionary<string, float[]> Named(JsonElement tensors) =>
            tensors.EnumerateObject().ToDictionary(p => p.Name, p => Floats(p.Value));

        private static List<Dictionary<string, float[]>> LayerList(JsonElement layers) => [.. layers.EnumerateArray().Select(Named)];
    }
}

/// <summary>A training step (forward, backward) and an inference pass through attention pooling allocate nothing once warm.</summary>
[Collection(typeof(AllocationMeasurementCollection))]
public sealed class AttentionPoolingAllocationTests
{
    [Fact]
    public void A_warm_training_step_allocates_nothing()
    {
        RecurrentNetwork network = AttentionPoolingTests.Network(GruVariant.ResetBefore, inputSize: 2, hidden: 8, layers: 2, attention: 4, outputs: 1);
        float[] parameters = network.CreateParameters(seed: 1);
        var random = new Random(2);
        const int Steps = 12, Batch = 5;
        float[] inputs = [.. Enumerable.Range(0, Steps * Batch * 2).Select(_ => (float)random.NextDouble())];
        float[] outputGradients = [.. Enumerable.Range(0, Batch).Select(_ => (float)random.NextDouble())];
        var gradients = new float[network.ParameterCount];
        NetworkWorkspace workspace = network.CreateWorkspace();
        void Step()
        {
            network.Forward(parameters, inputs, Steps, Batch, workspace);
            network.Backward(parameters, workspace, outputGradients, gradients);
            network.Infer(parameters, inputs, Steps, Batch, workspace);
        }

        Step();
        long allocated = Allocations.On(() =>
        {
            for (int i = 0; i < 5; i++)
            {
                Step();
            }
        });

        Assert.Equal(0, allocated);
    }
}
