using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent;

public class RecurrentNetworkTests
{
    private static float[] RandomValues(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale))];
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore)]
    [InlineData(GruVariant.ResetAfter)]
    public void Inference_pass_gives_the_same_outputs_as_the_training_pass(GruVariant variant)
    {
        var network = RecurrentNetwork.CreateGru(4, 16, layers: 2, outputSize: 3, variant, HeadPlacement.EveryStep);
        float[] parameters = network.CreateParameters(seed: 11);
        float[] inputs = RandomValues(9 * 5 * 4, seed: 12);
        float[] states = RandomValues(5 * network.StateSize, seed: 13, scale: 0.5f);
        NetworkWorkspace training = network.CreateWorkspace(), inference = network.CreateWorkspace();

        network.Forward(parameters, inputs, 9, 5, training, states);
        network.Infer(parameters, inputs, 9, 5, inference, states);

        Assert.Equal(training.Outputs.ToArray(), inference.Outputs.ToArray());
        Assert.Equal(training.FinalState(1).ToArray(), inference.FinalState(1).ToArray());
    }

    [Fact]
    public void Running_a_sequence_in_two_halves_carrying_the_state_equals_running_it_whole()
    {
        var network = RecurrentNetwork.CreateGru(2, 8, layers: 2);
        float[] parameters = network.CreateParameters(seed: 5);
        float[] inputs = RandomValues(10 * 3 * 2, seed: 6);
        NetworkWorkspace whole = network.CreateWorkspace(), part = network.CreateWorkspace();
        network.Infer(parameters, inputs, 10, 3, whole);

        network.Infer(parameters, inputs.AsSpan(0, 6 * 3 * 2), 6, 3, part);
        var carried = new float[3 * network.StateSize];
        part.CopyFinalStates(carried);
        network.Infer(parameters, inputs.AsSpan(6 * 3 * 2), 4, 3, part, carried);

        Assert.Equal(whole.Outputs[(6 * 3 * 8)..].ToArray(), part.Outputs.ToArray());
    }

    [Fact]
    public void The_same_seed_gives_the_same_network_and_another_seed_a_different_one()
    {
        var network = RecurrentNetwork.CreateGru(3, 6, layers: 2, outputSize: 1);

        Assert.Equal(network.CreateParameters(42), network.CreateParameters(42));
        Assert.NotEqual(network.CreateParameters(42), network.CreateParameters(43));
    }

    [Fact]
    public void Recurrent_weights_start_orthogonal_per_gate_and_biases_at_zero()
    {
        const int hidden = 7;
        var network = RecurrentNetwork.CreateGru(3, hidden);
        float[] parameters = network.CreateParameters(1);
        ReadOnlySpan<float> recurrent = network.GetSlot("layers.0.recurrent_weights").Slice(parameters.AsSpan());

        for (int gate = 0; gate < 3; gate++)
        {
            for (int a = 0; a < hidden; a++)
            {
                for (int b = 0; b < hidden; b++)
                {
                    double dot = 0;
                    for (int row = 0; row < hidden; row++)
                    {
                        dot += recurrent[row * 3 * hidden + gate * hidden + a] * recurrent[row * 3 * hidden + gate * hidden + b];
                    }

                    Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-5);
                }
            }
        }

        Assert.All(network.GetSlot("layers.0.bias").Slice(parameters.AsSpan()).ToArray(), v => Assert.Equal(0f, v));
        float limit = MathF.Sqrt(6f / (3 + 3 * hidden));
        Assert.All(network.GetSlot("layers.0.input_weights").Slice(parameters.AsSpan()).ToArray(), v => Assert.InRange(v, -limit, limit));
    }

    [Fact]
    public void Parameter_slots_tile_the_flat_vector_with_qualified_names()
    {
        var network = RecurrentNetwork.CreateGru(3, 5, layers: 2, outputSize: 2, GruVariant.ResetAfter);

        Assert.Equal(
            ["layers.0.input_weights", "layers.0.recurrent_weights", "layers.0.input_bias", "layers.0.recurrent_bias",
             "layers.1.input_weights", "layers.1.recurrent_weights", "layers.1.input_bias", "layers.1.recurrent_bias",
             "head.weights", "head.bias"],
            network.ParameterSlots.Select(s => s.Name));
        int expectedOffset = 0;
        foreach (ParameterSlot slot in network.ParameterSlots)
        {
            Assert.Equal(expectedOffset, slot.Offset);
            expectedOffset += slot.Length;
        }

        Assert.Equal(network.ParameterCount, expectedOffset);
        Assert.Equal((3 * 15) + (5 * 15) + 30 + (5 * 15) + (5 * 15) + 30 + 10 + 2, network.ParameterCount);
        var missing = Assert.Throws<KeyNotFoundException>(() => network.GetSlot("layers.2.bias"));
        Assert.Contains("layers.1.recurrent_bias", missing.Message);
    }

    [Fact]
    public void Wrong_input_width_names_the_expected_shape()
    {
        var network = RecurrentNetwork.CreateGru(3, 4);
        float[] parameters = network.CreateParameters(1);

        var error = Assert.Throws<ArgumentException>(() =>
            network.Forward(parameters, new float[5 * 2 * 2], 5, 2, network.CreateWorkspace()));

        Assert.Equal("inputs", error.ParamName);
        Assert.Contains("expected 30", error.Message);
        Assert.Contains("5 × 2 × 3", error.Message);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(3, 0)]
    [InlineData(-1, 2)]
    public void Zero_length_sequences_and_empty_batches_are_rejected(int steps, int batch)
    {
        var network = RecurrentNetwork.CreateGru(1, 4);

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            network.Infer(network.CreateParameters(1), [], steps, batch, network.CreateWorkspace()));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_inputs_are_rejected_with_their_position(float bad)
    {
        var network = RecurrentNetwork.CreateGru(2, 4);
        float[] inputs = RandomValues(3 * 2 * 2, 1);
        inputs[7] = bad;

        var error = Assert.Throws<ArgumentException>(() =>
            network.Forward(network.CreateParameters(1), inputs, 3, 2, network.CreateWorkspace()));

        Assert.Equal("inputs", error.ParamName);
        Assert.Contains("index 7", error.Message);
    }

    [Fact]
    public void Non_finite_weights_are_rejected_before_anything_runs()
    {
        var network = RecurrentNetwork.CreateGru(2, 4, outputSize: 1);
        float[] parameters = network.CreateParameters(1);
        parameters[network.GetSlot("head.bias").Offset] = float.NaN;

        var error = Assert.Throws<ArgumentException>(() =>
            network.Infer(parameters, RandomValues(6, 2), 3, 1, network.CreateWorkspace()));

        Assert.Equal("parameters", error.ParamName);
        Assert.Contains("NaN", error.Message);
    }

    [Fact]
    public void Mismatched_batch_sizes_and_gradient_shapes_are_rejected()
    {
        var network = RecurrentNetwork.CreateGru(2, 4, layers: 2);
        float[] parameters = network.CreateParameters(1);
        NetworkWorkspace workspace = network.CreateWorkspace();
        float[] inputs = RandomValues(3 * 2 * 2, 2);

        var states = Assert.Throws<ArgumentException>(() =>
            network.Forward(parameters, inputs, 3, 2, workspace, new float[3 * network.StateSize]));
        Assert.Contains("2 × 8", states.Message);

        network.Forward(parameters, inputs, 3, 2, workspace);
        var outputs = Assert.Throws<ArgumentException>(() =>
            network.Backward(parameters, workspace, new float[3 * 4], new float[network.ParameterCount]));
        Assert.Equal("outputGradients", outputs.ParamName);
        Assert.Throws<ArgumentException>(() =>
            network.Backward(parameters, workspace, new float[3 * 2 * 4], new float[network.ParameterCount], inputGradients: new float[5]));
    }

    [Fact]
    public void Backward_without_a_recorded_forward_pass_is_refused()
    {
        var network = RecurrentNetwork.CreateGru(1, 3);
        float[] parameters = network.CreateParameters(1);
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Infer(parameters, [0.5f, 0.25f], 2, 1, workspace);

        Assert.Throws<InvalidOperationException>(() =>
            network.Backward(parameters, workspace, new float[2 * 3], new float[network.ParameterCount]));
    }

    [Fact]
    public void Layers_that_do_not_fit_together_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new RecurrentNetwork([new GruCell(2, 4), new GruCell(5, 3)]));
        Assert.Contains("Layer 1 expects 5 inputs but layer 0 produces 4", error.Message);
        Assert.Throws<ArgumentException>(() => new RecurrentNetwork([new GruCell(2, 4)], new DenseHead(3, 1)));
        Assert.Throws<ArgumentException>(() => new RecurrentNetwork([]));
    }

    [Fact]
    public void A_custom_cell_learns_through_the_same_layer_code()
    {
        // Learn to output the previous input (needs the state); plain gradient descent on the flat vector.
        var network = new RecurrentNetwork([new MinimalGatedUnitCell(1, 8)], new DenseHead(8, 1), HeadPlacement.EveryStep);
        float[] parameters = network.CreateParameters(seed: 3);
        const int steps = 12, batch = 16;
        float[] inputs = RandomValues(steps * batch, seed: 4);
        var targets = new float[steps * batch];
        for (int i = batch; i < targets.Length; i++)
        {
            targets[i] = inputs[i - batch];
        }

        NetworkWorkspace workspace = network.CreateWorkspace();
        var gradients = new float[network.ParameterCount];
        var outputGradients = new float[steps * batch];
        double MeanSquaredError()
        {
            network.Forward(parameters, inputs, steps, batch, workspace);
            double total = 0;
            for (int i = 0; i < targets.Length; i++)
            {
                float error = workspace.Outputs[i] - targets[i];
                outputGradients[i] = 2 * error / targets.Length;
                total += error * error;
            }

            return total / targets.Length;
        }

        double initial = MeanSquaredError();
        for (int iteration = 0; iteration < 300; iteration++)
        {
            MeanSquaredError();
            Array.Clear(gradients);
            network.Backward(parameters, workspace, outputGradients, gradients);
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] -= 0.5f * gradients[i];
            }
        }

        double final = MeanSquaredError();
        Assert.True(final < initial / 10, $"MSE went from {initial:G4} to {final:G4}; expected at least a tenfold drop.");
    }
}
