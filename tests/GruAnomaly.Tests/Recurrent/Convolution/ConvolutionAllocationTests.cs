using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Tests.Recurrent.Streaming;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Recurrent.Convolution;

/// <summary>
/// A convolution below a GRU allocates nothing once warm, counted as <see cref="AllocationTests"/> counts (exact bytes on
/// the test's thread): a training pass (full and truncated), a trainer's mini-batch step, a streamed point.
/// </summary>
[Collection(typeof(AllocationMeasurementCollection))]
public class ConvolutionAllocationTests
{
    private static float[] Sine(int length) => [.. Enumerable.Range(0, length).Select(i => MathF.Sin(0.1f * i))];

    private static RecurrentNetwork Network(int inputSize, int hidden, int? head) => new(
        [new CausalConvolutionCell(inputSize, 8, 3, 2), new GruCell(8, hidden)], head is int outputs ? new DenseHead(hidden, outputs) : null);

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Forward_and_backward_allocate_nothing_once_warm(int truncationSteps)
    {
        const int steps = 30, batch = 16;
        RecurrentNetwork network = Network(3, 32, 1);
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

    [Fact]
    public void Trainer_mini_batch_steps_after_the_first_allocate_nothing()
    {
        var data = WindowedSeries.Univariate(Sine(400), window: 20);
        RecurrentNetwork network = Network(1, 16, 1);
        var trainer = new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 16, ValidationFraction = 0.2, GradientClipNorm = 1f, Seed = 3 });
        var progress = new AllocationRecorder(capacity: 64);

        trainer.Fit(network, network.CreateParameters(1), data, progress);

        int checkedSteps = 0;
        for (int i = 1; i < progress.Count; i++)
        {
            if (progress.Epochs[i] == progress.Epochs[i - 1])
            {
                Assert.True(progress.Bytes[i] - progress.Bytes[i - 1] == 0,
                    $"epoch {progress.Epochs[i]}, batch {progress.Batches[i]} allocated {progress.Bytes[i] - progress.Bytes[i - 1]} bytes");
                checkedSteps++;
            }
        }

        Assert.True(checkedSteps >= 30, $"only {checkedSteps} steps were checked");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Streaming_a_point_allocates_nothing(bool head)
    {
        RecurrentNetwork network = Network(1, 64, head ? 1 : null);
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

    private sealed class AllocationRecorder(int capacity) : IProgress<TrainingProgress>
    {
        public int[] Epochs { get; } = new int[capacity];

        public int[] Batches { get; } = new int[capacity];

        public long[] Bytes { get; } = new long[capacity];

        public int Count { get; private set; }

        public void Report(TrainingProgress value)
        {
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            Epochs[Count] = value.Epoch;
            Bytes[Count] = bytes;
            Batches[Count] = value.Batch;
            Count++;
        }
    }
}
