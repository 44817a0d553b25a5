using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Interop;

/// <summary>Runs a network on a batch and measures how far its outputs are from a reference.</summary>
internal static class Parity
{
    /// <summary>Both sides compute in float32 (the Keras reference in float64): what is left is summation order.</summary>
    public const double Tolerance = 1e-5;

    public static float[] Run(RecurrentNetwork network, ReadOnlySpan<float> weights, float[] inputs, int steps, int batch)
    {
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Infer(weights, inputs, steps, batch, workspace);
        return workspace.Outputs.ToArray();
    }

    /// <summary>Asserts the largest absolute difference is within <see cref="Tolerance"/>, and returns it.</summary>
    public static double AssertClose(ITestOutputHelper output, string what, IReadOnlyList<double> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Count, actual.Length);
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }

        output.WriteLine($"{what}: worst |difference| {worst:E2} over {actual.Length} values");
        Assert.True(worst <= Tolerance, $"{what}: worst difference {worst:E2} exceeds {Tolerance:E0}.");
        return worst;
    }

    public static double AssertClose(ITestOutputHelper output, string what, float[] expected, ReadOnlySpan<float> actual) =>
        AssertClose(output, what, [.. expected.Select(v => (double)v)], actual);

    /// <summary>Random weights in ±0.6 (biases included, which the initializers leave at zero), seeded.</summary>
    public static float[] RandomWeights(RecurrentNetwork network, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, network.ParameterCount).Select(_ => (float)((random.NextDouble() * 1.2) - 0.6))];
    }

    /// <summary>
    /// Where tests leave the files they export (under the test output folder), to check them with other tools: the
    /// fixture script's --check loads the PyTorch one, and ONNX's checker the ONNX ones.
    /// </summary>
    public static string ExportPath(string file)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Interop-exports");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, file);
    }

    public static float[] RandomInputs(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 4) - 2))];
    }
}
