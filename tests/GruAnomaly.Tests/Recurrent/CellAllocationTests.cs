using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Tests.Recurrent.Streaming;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Recurrent;

/// <summary>
/// The cells whose state is wider than their output (two LSTM layers; a causal convolution below a GRU) allocate nothing on
/// their hot paths once warm, counted as <see cref="AllocationTests"/> counts (exact bytes on the test's thread): a training
/// pass (full and truncated), a trainer's mini-batch step, a streamed point, a step of a batch of streams.
/// </summary>
[Collection(typeof(AllocationMeasurementCollection))]
public class CellAllocationTests
{
    public static TheoryData<string> Stacks => ["LSTM", "convolution"];

    public static TheoryData<string, int> StacksAndTruncations => new() { { "LSTM", 0 }, { "LSTM", 7 }, { "convolution", 0 }, { "convolution", 7 } };

    public static TheoryData<string, bool> StacksAndHeads => new() { { "LSTM", false }, { "LSTM", true }, { "convolution", false }, { "convolution", true } };

    private static float[] Sine(int length) => [.. Enumerable.Range(0, length).Select(i => MathF.Sin(0.1f * i))];

    private static RecurrentNetwork Network(string stack, int inputSize, int hidden, int? head)
    {
        IRecurrentCell[] layers = stack == "LSTM"
            ? [new LstmCell(inputSize, hidden), new LstmCell(hidden, hidden)]
            : [new CausalConvolutionCell(inputSize, 8, 3, 2), new GruCell(8, hidden)];
        return new RecurrentNetwork(layers, head is int outputs ? new DenseHead(hidden, outputs) : null);
    }

    [Theory]
    [MemberData(nameof(StacksAndTruncations))]
    public void Forward_and_backward_allocate_nothing_once_warm(string stack, int truncationSteps)
    {
        const int steps = 30, batch = 16;
        RecurrentNetwork network = Network(stack, 3, 32, 1);
        float[] parameters = network.CreateParameters(1);
        float[] inputs = NetworkStreamerTests.RandomValues(steps * batch * 3, 2);
        var outputGradients = new float[batch];
        Array.Fill(outputGradients, 0.1f);
        var gradients = new float[network.ParameterCount];
        var inputGradients = new float[inputs.Length];
        NetworkWorkspace workspace = network.CreateWorkspace();
        void Pass()
        {
            Array.Clear(gradients);
            network.Forward(parameters, inputs, steps, batch, workspace);
            network.Backward(parameters, workspace, outputGradients, gradients, inputGradients: inputGradients, truncationSteps: truncationSteps);
        }

        Pass();
        Pass();

        Assert.Equal(0, Allocations.On(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                Pass();
            }
        }));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Trainer_mini_batch_steps_after_the_first_allocate_nothing(string stack)
    {
        var data = WindowedSeries.Univariate(Sine(400), window: 20);
        RecurrentNetwork network = Network(stack, 1, 16, 1);
        var trainer = new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 16, ValidationFraction = 0.2, GradientClipNorm = 1f, Seed = 3 });
        Allocations.AssertTrainerStepsAllocateNothing(trainer, network, network.CreateParameters(1), data);
    }

    [Theory]
    [MemberData(nameof(StacksAndHeads))]
    public void Streaming_a_point_allocates_nothing(string stack, bool head)
    {
        RecurrentNetwork network = Network(stack, 1, 64, head ? 1 : null);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));
        StreamState state = streamer.CreateState();
        float[] values = Sine(1100);
        var output = new float[streamer.OutputSize];
        for (int i = 0; i < 100; i++)
        {
            streamer.Step(state, values.AsSpan(i, 1), output);
        }

        Assert.Equal(0, Allocations.On(() =>
        {
            for (int i = 100; i < 1100; i++)
            {
                streamer.Step(state, values.AsSpan(i, 1), output);
            }
        }));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Stepping_a_batch_of_streams_allocates_nothing(string stack)
    {
        const int streams = 32;
        RecurrentNetwork network = Network(stack, 1, 64, 1);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));
        StreamBatchState states = streamer.CreateBatchState(streams);
        float[] values = Sine(streams * 120);
        var outputs = new float[streams];
        for (int t = 0; t < 20; t++)
        {
            streamer.Step(states, values.AsSpan(t * streams, streams), outputs);
        }

        Assert.Equal(0, Allocations.On(() =>
        {
            for (int t = 20; t < 120; t++)
            {
                streamer.Step(states, values.AsSpan(t * streams, streams), outputs);
            }
        }));
    }
}
