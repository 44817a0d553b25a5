using System.Text.Json;
using GruAnomaly.Interop;

namespace GruAnomaly.Tests.Interop;

/// <summary>
/// The fixture that Fixtures/make_safetensors_fixture.py wrote with Debian's python3-torch: a 2-layer nn.GRU(3, 5) held as
/// <c>gru</c> and an nn.Linear(5, 2) held as <c>head</c>, saved as safetensors, with inputs, PyTorch's outputs, the same
/// weights as Keras arrays, and a Keras reset_after=False GRU with outputs from Keras's equations.
/// </summary>
internal sealed class ExchangeFixture
{
    public const string WeightsFile = "safetensors_fixture.safetensors";

    public static ExchangeFixture Instance { get; } = Load();

    public int InputSize { get; private init; }

    public int HiddenSize { get; private init; }

    public int Layers { get; private init; }

    public int Outputs { get; private init; }

    public int Batch { get; private init; }

    public int Steps { get; private init; }

    public required float[] Input { get; init; }

    public required float[] States { get; init; }

    public required float[] OutputLastStep { get; init; }

    public required float[] OutputEveryStep { get; init; }

    public required Dictionary<string, FloatTensor> KerasResetAfter { get; init; }

    public required Dictionary<string, FloatTensor> KerasResetBefore { get; init; }

    public required double[] KerasResetBeforeStates { get; init; }

    public required double[] KerasResetBeforeOutputLastStep { get; init; }

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    private static ExchangeFixture Load()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(PathOf("safetensors_fixture.json")));
        JsonElement root = document.RootElement;
        return new ExchangeFixture
        {
            InputSize = root.GetProperty("input_size").GetInt32(),
            HiddenSize = root.GetProperty("hidden_size").GetInt32(),
            Layers = root.GetProperty("num_layers").GetInt32(),
            Outputs = root.GetProperty("outputs").GetInt32(),
            Batch = root.GetProperty("batch").GetInt32(),
            Steps = root.GetProperty("steps").GetInt32(),
            Input = Floats(root.GetProperty("input")),
            States = Floats(root.GetProperty("states")),
            OutputLastStep = Floats(root.GetProperty("output_last_step")),
            OutputEveryStep = Floats(root.GetProperty("output_every_step")),
            KerasResetAfter = Named(root.GetProperty("keras_reset_after")),
            KerasResetBefore = Named(root.GetProperty("keras_reset_before")),
            KerasResetBeforeStates = Doubles(root.GetProperty("keras_reset_before_states")),
            KerasResetBeforeOutputLastStep = Doubles(root.GetProperty("keras_reset_before_output_last_step")),
        };
    }

    private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => (float)e.GetDouble())];

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    private static Dictionary<string, FloatTensor> Named(JsonElement arrays) => arrays.EnumerateObject().ToDictionary(
        p => p.Name,
        p => new FloatTensor([.. p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())], Floats(p.Value.GetProperty("values"))));
}
