using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Recurrent.Streaming;

/// <summary>
/// Hot paths allocate nothing once warm: counted with <see cref="GC.GetAllocatedBytesForCurrentThread"/>, which is exact
/// for the calling thread (a count, not a timing). Every path measured here runs on the test's thread.
/// </summary>
[Collection(typeof(AllocationMeasurementCollection))]
public class AllocationTests
{
    private static float[] Sine(int length) => [.. Enumerable.Range(0, length).Select(i => MathF.Sin(0.1f * i))];

    public static TheoryData<GruVariant, bool> GruVariantsWithAndWithoutHead() => new()
    {
        { GruVariant.ResetBefore, false },
        { GruVariant.ResetBefore, true },
        { GruVariant.ResetAfter, false },
        { GruVariant.ResetAfter, true },
    };

    private static long AllocatedBy(Action action) => Allocations.On(action);

    private static long StreamPointsAllocation(NetworkStreamer streamer, float[] values)
    {
        StreamState state = streamer.CreateState();
        var output = new float[streamer.OutputSize];
        for (int i = 0; i < 100; i++)
        {
            streamer.Step(state, values.AsSpan(i % values.Length, 1), output);
        }

        return AllocatedBy(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                streamer.Step(state, values.AsSpan(i, 1), output);
            }
        });
    }

    [Theory]
    [MemberData(nameof(GruVariantsWithAndWithoutHead))]
    public void Streaming_a_point_allocates_nothing(GruVariant variant, bool head)
    {
        var network = RecurrentNetwork.CreateGru(1, 64, layers: 2, outputSize: head ? 1 : null, variant);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));

        Assert.Equal(0, StreamPointsAllocation(streamer, Sine(1000)));
    }

    [Fact]
    public void Streaming_a_point_through_a_custom_cell_allocates_nothing()
    {
        var network = new RecurrentNetwork([new MinimalGatedUnitCell(1, 8), new GruCell(8, 8)], new DenseHead(8, 1));
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));

        Assert.Equal(0, StreamPointsAllocation(streamer, Sine(1000)));
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore)]
    [InlineData(GruVariant.ResetAfter)]
    public void Stepping_a_batch_of_streams_allocates_nothing(GruVariant variant)
    {
        const int streams = 32;
        var network = RecurrentNetwork.CreateGru(1, 64, layers: 2, outputSize: 1, variant);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));
        StreamBatchState states = streamer.CreateBatchState(streams);
        float[] values = Sine(streams * 120);
        var outputs = new float[streams];
        for (int t = 0; t < 20; t++)
        {
            streamer.Step(states, values.AsSpan(t * streams, streams), outputs);
        }

        long allocated = AllocatedBy(() =>
        {
            for (int t = 20; t < 120; t++)
            {
                streamer.Step(states, values.AsSpan(t * streams, streams), outputs);
            }
        });

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore, 0, 32)]
    [InlineData(GruVariant.ResetAfter, 0, 32)]
    [InlineData(GruVariant.ResetAfter, 7, 32)]
    [InlineData(GruVariant.ResetBefore, 0, 64)] // the fused small-hidden step where 512-bit vectors serve it, the GEMM path elsewhere
    [InlineData(GruVariant.ResetAfter, 0, 64)]
    public void Forward_and_backward_allocate_nothing_once_warm(GruVariant variant, int truncationSteps, int hidden)
    {
        const int steps = 30, batch = 16;
        var network = RecurrentNetwork.CreateGru(3, hidden, layers: 2, outputSize: 1, variant);
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

        Assert.Equal(0, AllocatedBy(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                Pass();
            }
        }));
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore)]
    [InlineData(GruVariant.ResetAfter)]
    public void Trainer_mini_batch_steps_after_the_first_allocate_nothing(GruVariant variant)
    {
        var data = WindowedSeries.Univariate(Sine(400), window: 20);
        var network = RecurrentNetwork.CreateGru(1, 16, layers: 2, outputSize: 1, variant);
        var trainer = new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 16, ValidationFraction = 0.2, GradientClipNorm = 1f, Seed = 3 });
        Allocations.AssertTrainerStepsAllocateNothing(trainer, network, network.CreateParameters(1), data);
    }
}
