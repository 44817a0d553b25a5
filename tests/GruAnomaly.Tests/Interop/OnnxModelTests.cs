using GruAnomaly.Interop;
using GruAnomaly.Onnx;
using GruAnomaly.Recurrent;
using GruAnomaly.Tests.Recurrent;
using Microsoft.ML.OnnxRuntime;

namespace GruAnomaly.Tests.Interop;

public sealed class OnnxModelTests(ITestOutputHelper output)
{
    private const int Input = 3, Hidden = 4, Outputs = 2;

    public static TheoryData<int, GruVariant, string> Networks()
    {
        var data = new TheoryData<int, GruVariant, string>();
        foreach (int layers in new[] { 1, 2 })
        {
            foreach (GruVariant variant in Enum.GetValues<GruVariant>())
            {
                foreach (string head in new[] { "none", "last step", "every step" })
                {
                    data.Add(layers, variant, head);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Onnx_runtime_computes_what_the_network_computes(int layers, GruVariant variant, string head)
    {
        RecurrentNetwork network = RecurrentNetwork.CreateGru(Input, Hidden, layers, head == "none" ? null : Outputs, variant,
            head == "every step" ? HeadPlacement.EveryStep : HeadPlacement.LastStep);
        float[] weights = Parity.RandomWeights(network, seed: 10 * layers + (int)variant);
        byte[] model = Export(network, weights);
        if (layers == 2 && head == "last step")
        {
            File.WriteAllBytes(Parity.ExportPath($"gru2-{variant}-head.onnx"), model);
        }

        using var session = new InferenceSession(model);
        foreach ((int steps, int batch) in new[] { (7, 3), (2, 1) })
        {
            float[] inputs = Parity.RandomInputs(steps * batch * Input, seed: steps);
            (float[] onnx, long[] shape) = Run(session, inputs, steps, batch);

            float[] ours = Parity.Run(network, weights, inputs, steps, batch);
            long[] expectedShape = head switch
            {
                "none" => [steps, batch, Hidden],
                "last step" => [batch, Outputs],
                _ => [steps, batch, Outputs],
            };
            Assert.Equal(expectedShape, shape);
            Parity.AssertClose(output, $"{layers} layer(s), {variant}, head {head}, {steps} steps × {batch}", ours, onnx);
        }
    }

    [Fact]
    public void The_graph_declares_its_input_and_output_with_symbolic_steps_and_batch()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateGru(Input, Hidden, layers: 2, outputSize: Outputs, variant: GruVariant.ResetAfter);

        using var session = new InferenceSession(Export(network, network.CreateParameters(1), new OnnxExportOptions { InputName = "x", OutputName = "y" }));

        NodeMetadata input = session.InputMetadata["x"];
        Assert.Equal([-1, -1, Input], input.Dimensions);
        Assert.Equal(["steps", "batch", ""], input.SymbolicDimensions);
        Assert.Equal(typeof(float), input.ElementType);
        Assert.Equal([-1, Outputs], session.OutputMetadata["y"].Dimensions);
        Assert.Equal("GruAnomaly", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void Names_that_collide_and_cells_onnx_lacks_are_refused()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateGru(Input, Hidden, outputSize: Outputs);
        float[] weights = network.CreateParameters(1);

        Assert.Throws<ArgumentException>(() => Export(network, weights, new OnnxExportOptions { InputName = "same", OutputName = "same" }));
        var taken = Assert.Throws<ArgumentException>(() => Export(network, weights, new OnnxExportOptions { OutputName = "layers.0.W" }));
        Assert.Contains("taken by a tensor of the exported graph", taken.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Export(network, weights[1..]));

        var custom = new RecurrentNetwork([new MinimalGatedUnitCell(Input, Hidden)]);
        var cell = Assert.Throws<ArgumentException>(() => Export(custom, custom.CreateParameters(1)));
        Assert.Contains("Layer 0 is a MinimalGatedUnitCell", cell.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wire_format_is_protobufs()
    {
        // The examples of the protocol-buffer encoding guide: 150 as field 1, "testing" as field 2; -1 takes ten bytes.
        Assert.Equal([0x08, 0x96, 0x01], new ProtoWriter().Int(1, 150).Written.ToArray());
        Assert.Equal([0x12, 0x07, .. "testing"u8.ToArray()], new ProtoWriter().String(2, "testing").Written.ToArray());
        Assert.Equal([0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], new ProtoWriter().Int(1, -1).Written.ToArray());
        Assert.Equal([0xA0, 0x01, 0x02], new ProtoWriter().Int(20, 2).Written.ToArray());
        Assert.Equal([0x3A, 0x03, 0x08, 0x96, 0x01], new ProtoWriter().Message(7, new ProtoWriter().Int(1, 150)).Written.ToArray());
    }

    private static byte[] Export(RecurrentNetwork network, float[] weights, OnnxExportOptions? options = null)
    {
        var stream = new MemoryStream();
        OnnxModel.Export(stream, network, weights, options);
        return stream.ToArray();
    }

    private static (float[] Values, long[] Shape) Run(InferenceSession session, float[] inputs, int steps, int batch)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(inputs, [steps, batch, Input]);
        using var options = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(options, ["input"], [input], ["output"]);
        return (results[0].GetTensorDataAsSpan<float>().ToArray(), results[0].GetTensorTypeAndShape().Shape);
    }
}
