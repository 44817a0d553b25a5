using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent;

/// <summary>
/// What every PyTorch parity test shares: moving PyTorch's (out × in) weight matrices into and out of our transposed
/// (in × out) slots, and comparing tensors relative to their largest magnitude.
/// </summary>
internal static class TorchParity
{
    /// <summary>Writes PyTorch's row-major matrix, transposed, into <paramref name="slot"/> of <paramref name="parameters"/>.</summary>
    public static void TransposeInto(float[] torchMatrix, ParameterSlot slot, float[] parameters)
    {
        int rows = slot.Spec.Rows, columns = slot.Spec.Columns;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                parameters[slot.Offset + i * columns + j] = torchMatrix[j * rows + i];
            }
        }
    }

    /// <summary>Returns <paramref name="slot"/> of <paramref name="values"/> in PyTorch's layout.</summary>
    public static float[] Transpose(ParameterSlot slot, float[] values)
    {
        int rows = slot.Spec.Rows, columns = slot.Spec.Columns;
        var torchMatrix = new float[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                torchMatrix[j * rows + i] = values[slot.Offset + i * columns + j];
            }
        }

        return torchMatrix;
    }

    /// <summary>
    /// Asserts that the worst difference, relative to the largest magnitude of <paramref name="expected"/>, is at most
    /// <paramref name="tolerance"/>, and reports it so that the margin shows in the test output.
    /// </summary>
    public static void AssertClose(ITestOutputHelper output, double tolerance, string name, float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs), worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / scale);
        }

        output.WriteLine($"{name,-24} worst difference {worst:E2} of max |value| {scale:G4}");
        Assert.True(worst <= tolerance, $"{name}: worst difference {worst:E2} of the largest magnitude exceeds {tolerance:E0}.");
    }

    /// <summary>Writes one <c>nn.GRU</c> layer's tensors (<c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>) into GRU layer <paramref name="layer"/>.</summary>
    public static void LoadGruLayer(IReadOnlyDictionary<string, float[]> torch, RecurrentNetwork network, int layer, float[] parameters)
    {
        // PyTorch stores weight_ih as (3·hidden)×input; our input_weights is its transpose.
        TransposeInto(torch["weight_ih"], network.GetSlot($"layers.{layer}.input_weights"), parameters);
        TransposeInto(torch["weight_hh"], network.GetSlot($"layers.{layer}.recurrent_weights"), parameters);
        torch["bias_ih"].CopyTo(network.GetSlot($"layers.{layer}.input_bias").Slice(parameters.AsSpan()));
        torch["bias_hh"].CopyTo(network.GetSlot($"layers.{layer}.recurrent_bias").Slice(parameters.AsSpan()));
    }

    /// <summary>Compares GRU layer <paramref name="layer"/>'s gradients with one <c>nn.GRU</c> layer's, tensor by tensor.</summary>
    public static void AssertGruLayerGradients(ITestOutputHelper output, double tolerance, string name, IReadOnlyDictionary<string, float[]> expected,
        RecurrentNetwork network, int layer, float[] gradients)
    {
        AssertClose(output, tolerance, $"{name}.weight_ih", expected["weight_ih"], Transpose(network.GetSlot($"layers.{layer}.input_weights"), gradients));
        AssertClose(output, tolerance, $"{name}.weight_hh", expected["weight_hh"], Transpose(network.GetSlot($"layers.{layer}.recurrent_weights"), gradients));
        AssertClose(output, tolerance, $"{name}.bias_ih", expected["bias_ih"], network.GetSlot($"layers.{layer}.input_bias").Slice(gradients));
        AssertClose(output, tolerance, $"{name}.bias_hh", expected["bias_hh"], network.GetSlot($"layers.{layer}.recurrent_bias").Slice(gradients));
    }
}
