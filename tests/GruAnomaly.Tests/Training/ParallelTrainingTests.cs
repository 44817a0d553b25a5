using System.Collections.Concurrent;
using GruAnomaly.Data;
using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Training;
using GruAnomaly.Training.Optimizers;
using System.Numerics.Tensors;

namespace GruAnomaly.Tests.Training;

/// <summary>
/// <see cref="TrainerOptions.MaxDegreeOfParallelism"/> changes the speed of training, never the weights: every mini-batch
/// is cut into shards by its size alone and their gradients are added in shard order.
/// </summary>
public sealed class ParallelTrainingTests(ITestOutputHelper output)
{
    private static readonly int[] ThreadCounts = [1, 2, 3, 4];

    private static float[] NoisySine(int length, int seed, int features = 1)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length * features).Select(i =>
            (float)(Math.Sin(2 * Math.PI * (i / features) / 25 + (i % features)) + (0.1 * (random.NextDouble() - 0.5))))];
    }

    /// <summary>
    /// Batches of 70 (4 shards of 18, 18, 17 and 17 examples) over 250 training examples: the last batch of an epoch has
    /// 40 (2 shards of 20). Large enough that a shard's pass clears the work threshold, so 2 or more threads are used.
    /// </summary>
    private static TrainerOptions Options(int threads, ILoss? loss = null, int truncation = 0) => new()
    {
        Epochs = 3,
        BatchSize = 70,
        LearningRate = 5e-3f,
        ValidationFraction = 0.2,
        Seed = 4,
        GradientClipNorm = 5f,
        TruncationSteps = truncation,
        Loss = loss ?? Loss.Mse,
        MaxDegreeOfParallelism = threads,
    };

    private static int[] Bits(ReadOnlySpan<float> weights) => [.. weights.ToArray().Select(BitConverter.SingleToInt32Bits)];

    /// <summary>Trains with 1, 2, 3 and 4 threads, checks every result bit for bit against 1 thread, and that threads were used.</summary>
    private void AssertThreadCountDoesNotMatter(ISequenceModel model, ISequenceDataset data, Func<int, TrainerOptions> options)
    {
        float[] initial = model.CreateParameters(11);
        int[]? reference = null;
        double referenceLoss = double.NaN;
        foreach (int threads in ThreadCounts)
        {
            var recorder = new ThreadRecordingModel(model);
            TrainingResult result = new Trainer(options(threads)).Fit(recorder, initial, data);
            int[] bits = Bits(result.Parameters.Span);
            EpochSummary last = result.History.Epochs[^1];
            output.WriteLine($"{threads} thread(s): passes ran on {recorder.Threads} thread(s); training loss {last.TrainingLoss:R}, validation {last.ValidationLoss:R}");
            if (threads > 1)
            {
                // The shards really were spread: otherwise this test could not tell a parallel run from a serial one.
                Assert.True(recorder.Threads > 1, $"{threads} threads allowed, but every pass ran on one thread");
            }
            else
            {
                Assert.Equal(1, recorder.Threads);
            }

            if (reference is null)
            {
                reference = bits;
                referenceLoss = last.ValidationLoss;
                continue;
            }

            Assert.Equal(reference, bits);
            Assert.Equal(BitConverter.DoubleToInt64Bits(referenceLoss), BitConverter.DoubleToInt64Bits(last.ValidationLoss));
        }

        Assert.NotEqual(Bits(initial), reference);
    }

    [Fact]
    public void Gru_forecast_gives_bit_identical_weights_on_1_2_3_and_4_threads()
    {
        var data = WindowedSeries.Univariate(NoisySine(344, seed: 1), window: 32);
        Assert.Equal(312, data.Count);
        var network = RecurrentNetwork.CreateGru(1, 32, layers: 2, outputSize: 1);
        AssertThreadCountDoesNotMatter(network, data, threads => Options(threads));
    }

    [Fact]
    public void Missing_targets_and_a_likelihood_loss_give_bit_identical_weights_too()
    {
        // NaN targets fall unevenly into the shards: the loss is still the mean over the observed targets of the whole batch.
        float[] series = NoisySine(344, seed: 2);
        for (int t = 40; t < series.Length; t += 7)
        {
            series[t] = float.NaN;
        }

        var data = WindowedSeries.Univariate(series, window: 32);
        var network = RecurrentNetwork.CreateGru(1, 32, layers: 2, outputSize: 2);
        AssertThreadCountDoesNotMatter(network, data, threads => Options(threads, Loss.GaussianNll));
    }

    [Fact]
    public void Reconstruction_gives_bit_identical_weights_on_1_2_3_and_4_threads()
    {
        var data = ReconstructionWindows.Univariate(NoisySine(344, seed: 3), window: 32);
        var model = EncoderDecoderNetwork.CreateGru(features: 1, hiddenSize: 40);
        AssertThreadCountDoesNotMatter(model, data, threads => Options(threads));
    }

    [Fact]
    public void Carried_state_training_gives_bit_identical_weights_on_1_2_3_and_4_threads()
    {
        // The carried-state scorer's shape: a head on every step of long sequences, truncated backpropagation.
        const int features = 2, window = 16, steps = 48;
        float[] series = NoisySine(3000, seed: 4, features);
        var data = new CarriedSequences(series, series, features, window, steps);
        var network = new RecurrentNetwork(Models.Gru(hiddenSize: 48).CreateLayers(features), new DenseHead(48, features),
            HeadPlacement.EveryStep);
        output.WriteLine($"{data.Count} sequences of {steps} steps");
        AssertThreadCountDoesNotMatter(network, data, threads => Options(threads, truncation: window) with { BatchSize = 35 });
    }

    [Fact]
    public void A_detector_builder_reaches_the_option_and_the_carried_state_scorer_trains_alike_on_1_and_2_threads()
    {
        float[] series = NoisySine(2400, seed: 5);
        var scores = new List<long[]>();
        foreach (int threads in new[] { 1, 2 })
        {
            AnomalyDetector detector = AnomalyDetector.CreateBuilder()
                .WithScorer(Scorer.CarriedStateForecast())
                .WithWindow(16)
                .WithModel(Models.Gru(hiddenSize: 48))
                .WithTrainer(new TrainerOptions { Epochs = 2, BatchSize = 32 * 49, Seed = 3, MaxDegreeOfParallelism = threads })
                .Build();
            Assert.Equal(threads, detector.Settings.Trainer!.MaxDegreeOfParallelism);
            FittedAnomalyDetector fitted = detector.Fit(TimeSeries.Univariate(series));
            scores.Add([.. fitted.Detect(TimeSeries.Univariate(series)).RawScores.ToArray().Select(BitConverter.DoubleToInt64Bits)]);
        }

        Assert.Equal(scores[0], scores[1]);
    }

    [Fact]
    public void A_step_adds_the_shard_gradients_in_shard_order_and_that_order_shows_in_the_bits()
    {
        // One SGD step on exactly 32 examples: the trainer cuts them into rows 0–15 and 16–31. Done here by hand: each
        // half's forward pass, the loss over the whole batch, each half's backward pass, then gradient = half 0 + half 1.
        const int batch = 32, window = 24;
        var data = WindowedSeries.Univariate(NoisySine(batch + window, seed: 8), window);
        Assert.Equal(batch, data.Count);
        var network = RecurrentNetwork.CreateGru(1, 32, layers: 2, outputSize: 1);
        float[] initial = network.CreateParameters(5);
        var options = new TrainerOptions
        {
            Epochs = 1, BatchSize = batch, ValidationFraction = 0, Shuffle = false, Optimizer = new Sgd(), LearningRate = 0.5f,
            MaxDegreeOfParallelism = 2,
        };
        float[] trained = new Trainer(options).Fit(network, initial, data).Parameters.ToArray();

        float[] targets = new float[batch], outputs = new float[batch], outputGradients = new float[batch];
        for (int slot = 0; slot < batch; slot++)
        {
            data.WriteTargets(slot, targets, batch, slot);
        }

        var halves = new (NetworkWorkspace Workspace, float[] Gradient)[2];
        for (int half = 0; half < 2; half++)
        {
            float[] inputs = new float[window * 16];
            for (int slot = 0; slot < 16; slot++)
            {
                data.WriteInputs((half * 16) + slot, inputs, 16, slot);
            }

            halves[half] = (network.CreateWorkspace(), new float[network.ParameterCount]);
            network.Forward(initial, inputs, window, 16, halves[half].Workspace);
            halves[half].Workspace.Outputs.CopyTo(outputs.AsSpan(half * 16, 16));
        }

        Loss.Mse.Evaluate(outputs, targets, 1, outputGradients);
        for (int half = 0; half < 2; half++)
        {
            network.Backward(initial, halves[half].Workspace, outputGradients.AsSpan(half * 16, 16), halves[half].Gradient);
        }

        float[] sharded = [.. halves[0].Gradient];
        TensorPrimitives.Add(sharded, halves[1].Gradient, sharded);
        float[] expected = [.. initial];
        new Sgd().CreateState(expected.Length).Step(expected, sharded, 0.5f);
        Assert.Equal(Bits(expected), Bits(trained));

        // The same gradient from one uncut pass over the 32 rows agrees to rounding but not bit for bit: the order of the
        // sums shows in the last bits, which is why the cut must not depend on the number of threads.
        float[] allInputs = new float[window * batch], uncut = new float[network.ParameterCount];
        for (int slot = 0; slot < batch; slot++)
        {
            data.WriteInputs(slot, allInputs, batch, slot);
        }

        NetworkWorkspace whole = network.CreateWorkspace();
        network.Forward(initial, allInputs, window, batch, whole);
        Loss.Mse.Evaluate(whole.Outputs, targets, 1, outputGradients);
        network.Backward(initial, whole, outputGradients, uncut);
        Assert.NotEqual(Bits(sharded), Bits(uncut));
        float largest = Math.Abs(TensorPrimitives.MaxMagnitude(uncut));
        for (int i = 0; i < uncut.Length; i++)
        {
            Assert.True(Math.Abs(uncut[i] - sharded[i]) <= 1e-5f * largest, $"gradient {i}: {uncut[i]} uncut, {sharded[i]} in two shards");
        }
    }

    [Fact]
    public void Cancellation_on_several_threads_leaves_the_model_untouched_and_stops_where_one_thread_stops()
    {
        var data = WindowedSeries.Univariate(NoisySine(344, seed: 6), window: 32);
        var network = RecurrentNetwork.CreateGru(1, 32, layers: 2, outputSize: 1);
        float[] initial = network.CreateParameters(3);
        float[] untouched = [.. initial];
        var results = new List<TrainingResult>();
        foreach (int threads in new[] { 1, 3 })
        {
            using var cancellation = new CancellationTokenSource();
            var progress = new SynchronousProgress(p =>
            {
                if (p.Epoch == 2 && p.Batch == 2)
                {
                    cancellation.Cancel();
                }
            });
            results.Add(new Trainer(Options(threads) with { RestoreBestWeights = false }).Fit(network, initial, data, progress, cancellation.Token));
        }

        Assert.Equal(untouched, initial);
        foreach (TrainingResult result in results)
        {
            Assert.Equal(StopReason.Cancelled, result.History.StopReason);
            Assert.Equal(2, result.History.BatchesCompletedInStoppedEpoch);
        }

        Assert.Equal(Bits(results[0].Parameters.Span), Bits(results[1].Parameters.Span));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void A_degree_of_zero_or_below_minus_one_is_refused_by_name(int degree)
    {
        var exception = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { MaxDegreeOfParallelism = degree }));
        Assert.Contains($"MaxDegreeOfParallelism must be positive, or -1 for one thread per processor; got {degree}.", exception.Message, StringComparison.Ordinal);

        var built = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithTrainer(t => t with { MaxDegreeOfParallelism = degree }).Build());
        Assert.Contains("WithTrainer: MaxDegreeOfParallelism must be positive", built.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Minus_one_and_large_degrees_are_accepted()
    {
        Assert.Equal(-1, new TrainerOptions().MaxDegreeOfParallelism);
        _ = new Trainer(new TrainerOptions { MaxDegreeOfParallelism = -1 });
        _ = new Trainer(new TrainerOptions { MaxDegreeOfParallelism = 1024 });
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(31, 1)]
    [InlineData(32, 2)]
    [InlineData(47, 2)]
    [InlineData(48, 3)]
    [InlineData(70, 4)]
    [InlineData(256, 16)]
    [InlineData(10_000, 16)]
    public void Shards_depend_on_the_batch_size_alone_and_cover_it_in_order(int batch, int shards)
    {
        Assert.Equal(shards, BatchShards.Count(batch));
        int next = 0;
        for (int s = 0; s < shards; s++)
        {
            (int start, int rows) = BatchShards.Range(batch, shards, s);
            Assert.Equal(next, start);
            Assert.InRange(rows, batch / shards, (batch / shards) + 1);
            Assert.True(shards == 1 || rows >= BatchShards.MinimumRows);
            Assert.InRange(rows, 1, BatchShards.MaximumRows(batch, s));
            next += rows;
        }

        Assert.Equal(batch, next);
    }

    [Fact]
    public void Small_passes_stay_on_the_calling_thread()
    {
        Assert.Equal(1, BatchShards.Threads(4, batchSize: 31, steps: 1000, parameterCount: 1_000_000));
        Assert.Equal(1, BatchShards.Threads(4, batchSize: 64, steps: 16, parameterCount: 700));
        Assert.Equal(1, BatchShards.Threads(1, batchSize: 64, steps: 100, parameterCount: 600_000));
        Assert.Equal(2, BatchShards.Threads(4, batchSize: 32, steps: 100, parameterCount: 600_000));
        Assert.Equal(4, BatchShards.Threads(4, batchSize: 64, steps: 100, parameterCount: 600_000));
        Assert.Equal(Math.Min(Environment.ProcessorCount, 4), BatchShards.Threads(-1, batchSize: 64, steps: 100, parameterCount: 600_000));
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>
    /// A model that runs another and records on which threads its passes ran. Each training pass first sleeps a little:
    /// on a loaded machine the calling thread could otherwise finish every shard of a small test batch before a helper
    /// thread wakes up, and the test could not see that threads were used (the weights would be the same either way).
    /// </summary>
    private sealed class ThreadRecordingModel(ISequenceModel inner) : ISequenceModel
    {
        private readonly ConcurrentDictionary<int, bool> _threads = new();

        public int Threads => _threads.Count;

        public int InputSize => inner.InputSize;

        public int OutputSize => inner.OutputSize;

        public bool OutputsEveryStep => inner.OutputsEveryStep;

        public int ParameterCount => inner.ParameterCount;

        public IReadOnlyList<ParameterSlot> ParameterSlots => inner.ParameterSlots;

        public float[] CreateParameters(int seed) => inner.CreateParameters(seed);

        public ISequenceWorkspace CreateWorkspace() => inner.CreateWorkspace();

        public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize, ISequenceWorkspace workspace)
        {
            _threads.TryAdd(Environment.CurrentManagedThreadId, true);
            Thread.Sleep(2);
            inner.Forward(parameters, inputs, steps, batchSize, workspace);
        }

        public void Infer(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int steps, int batchSize, ISequenceWorkspace workspace) =>
            inner.Infer(parameters, inputs, steps, batchSize, workspace);

        public void Backward(ReadOnlySpan<float> parameters, ISequenceWorkspace workspace, ReadOnlySpan<float> outputGradients,
            Span<float> parameterGradients, Span<float> inputGradients = default, int truncationSteps = 0)
        {
            _threads.TryAdd(Environment.CurrentManagedThreadId, true);
            Thread.Sleep(2);
            inner.Backward(parameters, workspace, outputGradients, parameterGradients, inputGradients, truncationSteps);
        }
    }
}
