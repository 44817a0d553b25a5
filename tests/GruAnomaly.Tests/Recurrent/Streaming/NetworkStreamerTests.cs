using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent.Streaming;

public class NetworkStreamerTests
{
    /// <summary>
    /// How far a streamed value may be from <see cref="RecurrentNetwork.Infer"/>'s. Both compute the same formulas in
    /// float32 but sum the pre-activations in another order (bias first vs last, input and recurrent products fused or
    /// not, FMA chains split differently). One pre-activation here sums at most 65 products of magnitude ≤ 1·0.3: each
    /// order is within γ₆₅·Σ|terms| ≈ 65·2⁻²⁴·Σ|terms| of the exact sum in the worst case, and within about
    /// √65·2⁻²⁴·‖terms‖ ≈ 10⁻⁶ typically. σ, tanh and the convex blend do not amplify differences, and the GRU forgets
    /// them geometrically, so over these 12–20 steps the states (in (−1, 1)) and head outputs (O(1)) stay within a few
    /// 10⁻⁶ (measured on AVX2: largest difference between 3·10⁻⁷ and 10⁻⁶); 10⁻⁵ leaves headroom for other vector
    /// widths, while a wrong gate, bias or layout moves values by 10⁻² or more (a dropped recurrent bias: 4·10⁻²).
    /// </summary>
    private const float Tolerance = 1e-5f;

    internal static float[] RandomValues(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale))];
    }

    public static TheoryData<GruVariant, int, string> GruCases()
    {
        var data = new TheoryData<GruVariant, int, string>();
        foreach (GruVariant variant in Enum.GetValues<GruVariant>())
        {
            foreach (string head in new[] { "none", "last", "every" })
            {
                data.Add(variant, 1, head);
                data.Add(variant, 3, head);
            }
        }

        return data;
    }

    private static RecurrentNetwork Gru(GruVariant variant, int inputSize, string head, int hidden = 24, int layers = 2) =>
        RecurrentNetwork.CreateGru(inputSize, hidden, layers, head == "none" ? null : 2, variant,
            head == "every" ? HeadPlacement.EveryStep : HeadPlacement.LastStep);

    /// <summary>Streams a sequence point by point from <paramref name="initialState"/>; returns every point's output and the final state.</summary>
    private static (float[] Outputs, float[] State) Stream(NetworkStreamer streamer, float[] inputs, int steps, float[]? initialState = null)
    {
        StreamState state = streamer.CreateState();
        if (initialState is not null)
        {
            state.RestoreFrom(initialState, 0);
        }

        var outputs = new float[steps * streamer.OutputSize];
        for (int t = 0; t < steps; t++)
        {
            streamer.Step(state, inputs.AsSpan(t * streamer.InputSize, streamer.InputSize), outputs.AsSpan(t * streamer.OutputSize, streamer.OutputSize));
        }

        Assert.Equal(steps, state.StepsSeen);
        return (outputs, state.HiddenState.ToArray());
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"index {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static void AssertStreamMatchesInfer(RecurrentNetwork network, int steps, int seed)
    {
        float[] parameters = network.CreateParameters(seed);
        // Non-zero biases, so that a bias read from the wrong place or dropped cannot go unnoticed.
        foreach (ParameterSlot slot in network.ParameterSlots.Where(s => s.Name.Contains("bias", StringComparison.Ordinal)))
        {
            RandomValues(slot.Length, seed + slot.Offset, 0.5f).CopyTo(slot.Slice(parameters.AsSpan()));
        }

        float[] inputs = RandomValues(steps * network.InputSize, seed + 1);
        float[] initial = RandomValues(network.StateSize, seed + 2, 0.8f);
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Infer(parameters, inputs, steps, 1, workspace, initial);
        var expectedState = new float[network.StateSize];
        workspace.CopyFinalStates(expectedState);

        (float[] outputs, float[] state) = Stream(network.CreateStreamer(parameters), inputs, steps, initial);

        AssertClose(expectedState, state);
        if (network.Head is not null && network.HeadPlacement == HeadPlacement.LastStep)
        {
            AssertClose(workspace.Outputs, outputs.AsSpan((steps - 1) * network.OutputSize));
        }
        else
        {
            AssertClose(workspace.Outputs, outputs);
        }
    }

    [Theory]
    [MemberData(nameof(GruCases))]
    public void Streaming_a_gru_point_by_point_gives_the_outputs_and_states_of_Infer(GruVariant variant, int inputSize, string head) =>
        AssertStreamMatchesInfer(Gru(variant, inputSize, head), steps: 20, seed: 31);

    [Theory]
    [InlineData(GruVariant.ResetBefore, 1)]
    [InlineData(GruVariant.ResetAfter, 1)]
    [InlineData(GruVariant.ResetBefore, 64)]
    [InlineData(GruVariant.ResetAfter, 64)]
    [InlineData(GruVariant.ResetAfter, 37)]
    public void Streaming_matches_Infer_at_widths_that_fill_and_that_do_not_fill_the_vector_panels(GruVariant variant, int hidden) =>
        AssertStreamMatchesInfer(Gru(variant, 3, "every", hidden, layers: 2), steps: 12, seed: 5);

    [Fact]
    public void A_custom_cell_streams_through_its_own_Infer()
    {
        var network = new RecurrentNetwork([new MinimalGatedUnitCell(2, 6), new MinimalGatedUnitCell(6, 5)], new DenseHead(5, 3), HeadPlacement.EveryStep);
        AssertStreamMatchesInfer(network, steps: 15, seed: 8);
    }

    [Fact]
    public void A_custom_cell_between_gru_layers_streams_like_Infer()
    {
        var network = new RecurrentNetwork(
            [new GruCell(2, 8), new MinimalGatedUnitCell(8, 6), new GruResetAfterCell(6, 7)], new DenseHead(7, 1), HeadPlacement.EveryStep);
        AssertStreamMatchesInfer(network, steps: 15, seed: 9);
    }

    [Fact]
    public void A_stream_from_zero_states_equals_Infer_without_initial_states()
    {
        var network = Gru(GruVariant.ResetAfter, 1, "none");
        float[] parameters = network.CreateParameters(3);
        float[] inputs = RandomValues(10, 4);
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Infer(parameters, inputs, 10, 1, workspace);

        (float[] outputs, _) = Stream(network.CreateStreamer(parameters), inputs, 10);

        AssertClose(workspace.Outputs, outputs);
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore, 1)]
    [InlineData(GruVariant.ResetAfter, 1)]
    [InlineData(GruVariant.ResetAfter, 2)]
    [InlineData(GruVariant.ResetBefore, 3)]
    public void A_batch_of_streams_steps_like_Infer_over_the_batch(GruVariant variant, int parallelism)
    {
        const int streams = 7, steps = 9;
        var network = RecurrentNetwork.CreateGru(3, 16, layers: 2, outputSize: 2, variant, HeadPlacement.EveryStep);
        float[] parameters = network.CreateParameters(21);
        float[] inputs = RandomValues(steps * streams * 3, 22);
        float[] initial = RandomValues(streams * network.StateSize, 23, 0.8f);
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Infer(parameters, inputs, steps, streams, workspace, initial);
        var expectedStates = new float[streams * network.StateSize];
        workspace.CopyFinalStates(expectedStates);

        NetworkStreamer streamer = network.CreateStreamer(parameters);
        StreamBatchState states = streamer.CreateBatchState(streams);
        // The batch layout is Infer's initial-state layout; restore stream by stream to exercise the per-stream form.
        var one = new float[network.StateSize];
        for (int s = 0; s < streams; s++)
        {
            for (int layer = 0, offset = 0; layer < 2; offset += 16, layer++)
            {
                initial.AsSpan((layer * streams * 16) + (s * 16), 16).CopyTo(one.AsSpan(offset));
            }

            states.RestoreStream(s, one, 100 + s);
        }

        Assert.Equal(initial, states.HiddenStates.ToArray());
        var outputs = new float[steps * streams * 2];
        for (int t = 0; t < steps; t++)
        {
            streamer.Step(states, inputs.AsSpan(t * streams * 3, streams * 3), outputs.AsSpan(t * streams * 2, streams * 2), parallelism);
        }

        AssertClose(workspace.Outputs, outputs);
        AssertClose(expectedStates, states.HiddenStates);
        Assert.Equal(100 + 3 + steps, states.GetStepsSeen(3));
    }

    [Fact]
    public void A_stream_saved_from_a_batch_continues_alone_as_it_would_have_in_the_batch()
    {
        var network = RecurrentNetwork.CreateGru(1, 12, layers: 2, outputSize: 1, GruVariant.ResetAfter);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(2));
        StreamBatchState batch = streamer.CreateBatchState(4);
        float[] inputs = RandomValues(8 * 4, 3);
        var outputs = new float[4];
        for (int t = 0; t < 5; t++)
        {
            streamer.Step(batch, inputs.AsSpan(t * 4, 4), outputs);
        }

        var saved = new float[network.StateSize];
        batch.CopyStreamTo(2, saved);
        StreamState alone = streamer.CreateState();
        alone.RestoreFrom(saved, batch.GetStepsSeen(2));
        var single = new float[1];
        for (int t = 5; t < 8; t++)
        {
            streamer.Step(batch, inputs.AsSpan(t * 4, 4), outputs);
            streamer.Step(alone, inputs.AsSpan((t * 4) + 2, 1), single);
            Assert.True(Math.Abs(outputs[2] - single[0]) <= Tolerance, $"step {t}: batch {outputs[2]}, alone {single[0]}");
        }

        Assert.Equal(8, alone.StepsSeen);
    }

    [Fact]
    public void Saving_and_restoring_a_state_continues_the_stream_exactly()
    {
        var network = Gru(GruVariant.ResetBefore, 2, "last");
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(6));
        float[] inputs = RandomValues(2 * 12, 7);
        StreamState original = streamer.CreateState();
        var output = new float[2];
        for (int t = 0; t < 6; t++)
        {
            streamer.Step(original, inputs.AsSpan(2 * t, 2), output);
        }

        var saved = new float[original.StateSize];
        original.CopyTo(saved);
        StreamState restored = streamer.CreateState();
        restored.RestoreFrom(saved, original.StepsSeen);
        var restoredOutput = new float[2];
        for (int t = 6; t < 12; t++)
        {
            streamer.Step(original, inputs.AsSpan(2 * t, 2), output);
            streamer.Step(restored, inputs.AsSpan(2 * t, 2), restoredOutput);
            Assert.Equal(output, restoredOutput);
        }

        Assert.Equal(original.HiddenState.ToArray(), restored.HiddenState.ToArray());
        Assert.Equal(12, restored.StepsSeen);
    }

    [Fact]
    public void Reset_starts_the_stream_afresh()
    {
        var network = Gru(GruVariant.ResetAfter, 1, "none", hidden: 5);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));
        StreamState state = streamer.CreateState();
        var first = new float[5];
        var again = new float[5];
        streamer.Step(state, [0.5f], first);
        streamer.Step(state, [0.25f], again);
        Assert.NotEqual(first, again);

        state.Reset();
        Assert.Equal(0, state.StepsSeen);
        Assert.All(state.HiddenState.ToArray(), value => Assert.Equal(0f, value));
        streamer.Step(state, [0.5f], again);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Batch_reset_of_one_stream_leaves_the_others()
    {
        var network = Gru(GruVariant.ResetAfter, 1, "none", hidden: 4, layers: 1);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));
        StreamBatchState states = streamer.CreateBatchState(3);
        streamer.Step(states, [0.5f, -0.5f, 1f], new float[12]);

        states.ResetStream(1);

        Assert.Equal(0, states.GetStepsSeen(1));
        Assert.Equal(1, states.GetStepsSeen(2));
        Assert.All(states.HiddenStates[4..8].ToArray(), value => Assert.Equal(0f, value));
        Assert.All(states.HiddenStates[8..12].ToArray(), value => Assert.NotEqual(0f, value));
        states.Reset();
        Assert.All(states.HiddenStates.ToArray(), value => Assert.Equal(0f, value));
        Assert.Equal(0, states.GetStepsSeen(2));
    }

    [Fact]
    public void The_streamer_keeps_its_own_copy_of_the_weights()
    {
        var network = Gru(GruVariant.ResetAfter, 1, "last");
        float[] parameters = network.CreateParameters(4);
        NetworkStreamer streamer = network.CreateStreamer(parameters);
        var before = new float[2];
        streamer.Step(streamer.CreateState(), [0.3f], before);

        Array.Fill(parameters, 0.5f);
        var after = new float[2];
        streamer.Step(streamer.CreateState(), [0.3f], after);

        Assert.Equal(before, after);
        Assert.NotEqual(parameters, streamer.Parameters.ToArray());
        Assert.Equal(network.ParameterCount, streamer.Parameters.Length);
    }

    [Fact]
    public void A_streamer_rebuilt_from_its_parameters_streams_identically()
    {
        var network = Gru(GruVariant.ResetBefore, 1, "last");
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(4));
        var copy = new NetworkStreamer(streamer.Network, streamer.Parameters.Span);
        float[] inputs = RandomValues(10, 5);

        Assert.Equal(Stream(streamer, inputs, 10).Outputs, Stream(copy, inputs, 10).Outputs);
    }

    [Fact]
    public void Bad_weights_are_refused_once_at_creation()
    {
        var network = Gru(GruVariant.ResetAfter, 1, "none", hidden: 4);
        float[] parameters = network.CreateParameters(1);
        parameters[17] = float.NaN;

        var nan = Assert.Throws<ArgumentException>(() => network.CreateStreamer(parameters));
        Assert.Equal("parameters", nan.ParamName);
        Assert.Contains("index 17", nan.Message, StringComparison.Ordinal);
        var shortVector = Assert.Throws<ArgumentException>(() => network.CreateStreamer(parameters.AsSpan(1)));
        Assert.Equal("parameters", shortVector.ParamName);
        Assert.Contains($"expected {network.ParameterCount}", shortVector.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new NetworkStreamer(null!, parameters));
    }

    [Fact]
    public void A_step_checks_its_input_output_and_state()
    {
        var network = Gru(GruVariant.ResetAfter, 2, "last", hidden: 4);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));
        StreamState state = streamer.CreateState();
        var output = new float[2];

        var length = Assert.Throws<ArgumentException>(() => streamer.Step(state, new float[3], output));
        Assert.Equal("input", length.ParamName);
        Assert.Contains("expected 2", length.Message, StringComparison.Ordinal);
        var nan = Assert.Throws<ArgumentException>(() => streamer.Step(state, [1f, float.PositiveInfinity], output));
        Assert.Equal("input", nan.ParamName);
        Assert.Contains("index 1", nan.Message, StringComparison.Ordinal);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => streamer.Step(state, new float[2], new float[1])).ParamName);
        Assert.Throws<ArgumentNullException>(() => streamer.Step((StreamState)null!, new float[2], output));
        Assert.Equal(0, state.StepsSeen);

        var other = Gru(GruVariant.ResetAfter, 2, "last", hidden: 4);
        StreamState foreign = other.CreateStreamer(other.CreateParameters(1)).CreateState();
        var wrongNetwork = Assert.Throws<ArgumentException>(() => streamer.Step(foreign, new float[2], output));
        Assert.Equal("state", wrongNetwork.ParamName);
        Assert.Contains("another network", wrongNetwork.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_step_checks_its_arguments()
    {
        var network = Gru(GruVariant.ResetBefore, 2, "none", hidden: 4);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));
        StreamBatchState states = streamer.CreateBatchState(3);
        var outputs = new float[12];

        var length = Assert.Throws<ArgumentException>(() => streamer.Step(states, new float[5], outputs));
        Assert.Equal("inputs", length.ParamName);
        Assert.Contains("3 × 2", length.Message, StringComparison.Ordinal);
        float[] nan = new float[6];
        nan[4] = float.NaN;
        Assert.Contains("index 4", Assert.Throws<ArgumentException>(() => streamer.Step(states, nan, outputs)).Message, StringComparison.Ordinal);
        Assert.Equal("outputs", Assert.Throws<ArgumentException>(() => streamer.Step(states, new float[6], new float[8])).ParamName);
        Assert.Equal("maxDegreeOfParallelism",
            Assert.Throws<ArgumentOutOfRangeException>(() => streamer.Step(states, new float[6], outputs, 0)).ParamName);
        Assert.Equal("streams", Assert.Throws<ArgumentOutOfRangeException>(() => streamer.CreateBatchState(0)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentOutOfRangeException>(() => states.GetStepsSeen(3)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentOutOfRangeException>(() => states.ResetStream(-1)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => states.CopyStreamTo(0, new float[7])).ParamName);
    }

    [Fact]
    public void Restoring_a_state_checks_it()
    {
        var network = Gru(GruVariant.ResetAfter, 1, "none", hidden: 3);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));
        StreamState state = streamer.CreateState();
        StreamBatchState batch = streamer.CreateBatchState(2);

        var length = Assert.Throws<ArgumentException>(() => state.RestoreFrom(new float[5], 0));
        Assert.Equal("hiddenState", length.ParamName);
        Assert.Contains("expected 6", length.Message, StringComparison.Ordinal);
        var nan = Assert.Throws<ArgumentException>(() => state.RestoreFrom([0, 0, 0, float.NaN, 0, 0], 0));
        Assert.Contains("index 3", nan.Message, StringComparison.Ordinal);
        Assert.Equal("stepsSeen", Assert.Throws<ArgumentOutOfRangeException>(() => state.RestoreFrom(new float[6], -1)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => state.CopyTo(new float[7])).ParamName);
        Assert.Equal("hiddenState", Assert.Throws<ArgumentException>(() => batch.RestoreStream(1, new float[2], 0)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentOutOfRangeException>(() => batch.RestoreStream(2, new float[6], 0)).ParamName);
    }
}
