using GruAnomaly.Recurrent;
using GruAnomaly.Tests.Recurrent.Streaming;

namespace GruAnomaly.Tests.Recurrent.Lstm;

/// <summary>
/// An LSTM network streamed one point at a time, alone or in a batch of streams, gives what <see cref="RecurrentNetwork.Infer"/>
/// gives over the whole sequence, and its saved state (h and c of every layer) restores exactly.
/// </summary>
public class LstmStreamingTests
{
    /// <summary>
    /// Streaming runs the cell's own Infer one row at a time, so the only difference from Infer over the sequence is the
    /// order in which the GEMM sums the projections (a one-row product against a blocked one): float32 rounding, a few
    /// 10⁻⁷ per pre-activation. c is not squashed, so the bound is relative to max(1, |value|); 10⁻⁵ leaves the GRU
    /// tests' headroom (NetworkStreamerTests), while a wrong gate block or a state read from the wrong half moves values by 10⁻².
    /// </summary>
    private const float Tolerance = 1e-5f;

    private static RecurrentNetwork Network(string head, int inputSize = 3, int hidden = 12) => new(
        [new LstmCell(inputSize, hidden), new LstmCell(hidden, hidden - 3)],
        head == "none" ? null : new DenseHead(hidden - 3, 2),
        head == "every" ? HeadPlacement.EveryStep : HeadPlacement.LastStep);

    private static float[] Parameters(RecurrentNetwork network, int seed)
    {
        float[] parameters = network.CreateParameters(seed);
        foreach (ParameterSlot slot in network.ParameterSlots.Where(s => s.Name.Contains("bias", StringComparison.Ordinal)))
        {
            NetworkStreamerTests.RandomValues(slot.Length, seed + slot.Offset, 0.5f).CopyTo(slot.Slice(parameters.AsSpan()));
        }

        return parameters;
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1f, Math.Abs(expected[i])),
                $"index {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("last")]
    [InlineData("every")]
    public void Streaming_point_by_point_gives_the_outputs_and_states_of_Infer(string head)
    {
        const int steps = 20;
        RecurrentNetwork network = Network(head);
        float[] parameters = Parameters(network, 31);
        float[] inputs = NetworkStreamerTests.RandomValues(steps * network.InputSize, 32);
        // c may exceed 1: start some of it there.
        float[] initial = NetworkStreamerTests.RandomValues(network.StateSize, 33, 2f);
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Infer(parameters, inputs, steps, 1, workspace, initial);
        var expectedState = new float[network.StateSize];
        workspace.CopyFinalStates(expectedState);

        NetworkStreamer streamer = network.CreateStreamer(parameters);
        StreamState state = streamer.CreateState();
        state.RestoreFrom(initial, 0);
        var outputs = new float[steps * network.OutputSize];
        for (int t = 0; t < steps; t++)
        {
            streamer.Step(state, inputs.AsSpan(t * network.InputSize, network.InputSize), outputs.AsSpan(t * network.OutputSize, network.OutputSize));
        }

        AssertClose(expectedState, state.HiddenState);
        AssertClose(workspace.Outputs, head == "last" ? outputs.AsSpan((steps - 1) * network.OutputSize) : outputs);
        Assert.Equal(2 * (12 + 9), state.StateSize);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_batch_of_streams_steps_like_Infer_over_the_batch(int parallelism)
    {
        const int streams = 7, steps = 9;
        RecurrentNetwork network = Network("every");
        float[] parameters = Parameters(network, 21);
        float[] inputs = NetworkStreamerTests.RandomValues(steps * streams * 3, 22);
        float[] initial = NetworkStreamerTests.RandomValues(streams * network.StateSize, 23, 2f);
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Infer(parameters, inputs, steps, streams, workspace, initial);
        var expectedStates = new float[streams * network.StateSize];
        workspace.CopyFinalStates(expectedStates);

        NetworkStreamer streamer = network.CreateStreamer(parameters);
        StreamBatchState states = streamer.CreateBatchState(streams);
        // Restored stream by stream: a stream's state is every layer's [h | c] rows, bottom first.
        var one = new float[network.StateSize];
        for (int s = 0; s < streams; s++)
        {
            int offset = 0, block = 0;
            foreach (IRecurrentCell cell in network.Layers)
            {
                initial.AsSpan(block + (s * cell.StateSize), cell.StateSize).CopyTo(one.AsSpan(offset));
                offset += cell.StateSize;
                block += streams * cell.StateSize;
            }

            states.RestoreStream(s, one, 0);
        }

        Assert.Equal(initial, states.HiddenStates.ToArray());
        var outputs = new float[steps * streams * 2];
        for (int t = 0; t < steps; t++)
        {
            streamer.Step(states, inputs.AsSpan(t * streams * 3, streams * 3), outputs.AsSpan(t * streams * 2, streams * 2), parallelism);
        }

        AssertClose(workspace.Outputs, outputs);
        AssertClose(expectedStates, states.HiddenStates);
    }

    [Fact]
    public void A_stream_saved_from_a_batch_continues_alone_bit_for_bit()
    {
        RecurrentNetwork network = Network("last", inputSize: 1, hidden: 8);
        NetworkStreamer streamer = network.CreateStreamer(Parameters(network, 2));
        StreamBatchState batch = streamer.CreateBatchState(4);
        float[] inputs = NetworkStreamerTests.RandomValues(9 * 4, 3, 3f);
        var outputs = new float[4 * 2];
        for (int t = 0; t < 5; t++)
        {
            streamer.Step(batch, inputs.AsSpan(t * 4, 4), outputs);
        }

        var saved = new float[network.StateSize];
        batch.CopyStreamTo(2, saved);
        StreamState alone = streamer.CreateState();
        alone.RestoreFrom(saved, batch.GetStepsSeen(2));
        var copy = new float[network.StateSize];
        alone.CopyTo(copy);
        Assert.Equal(saved, copy);
        Assert.Equal(5, alone.StepsSeen);

        // Both continue from the same state through the same single-row code: the same bits.
        StreamState twin = streamer.CreateState();
        twin.RestoreFrom(saved, 5);
        var a = new float[2];
        var b = new float[2];
        for (int t = 5; t < 9; t++)
        {
            streamer.Step(alone, inputs.AsSpan((t * 4) + 2, 1), a);
            streamer.Step(twin, inputs.AsSpan((t * 4) + 2, 1), b);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void A_cell_state_beyond_one_restores_but_a_non_finite_one_is_refused()
    {
        RecurrentNetwork network = Network("last");
        StreamState state = network.CreateStreamer(Parameters(network, 4)).CreateState();
        var values = new float[network.StateSize];
        values[12 + 3] = 25f; // layer 0, batch row 0, c unit 3

        state.RestoreFrom(values, 1);
        Assert.Equal(25f, state.HiddenState[15]);

        values[15] = float.NaN;
        Assert.ThrowsAny<ArgumentException>(() => state.RestoreFrom(values, 1));
    }
}
