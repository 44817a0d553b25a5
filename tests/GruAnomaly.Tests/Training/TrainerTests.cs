using GruAnomaly.Data;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;
using GruAnomaly.Training.Optimizers;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Tests.Training;

public class TrainerTests(ITestOutputHelper output)
{
    private static float[] NoisySine(int length, int seed, double noise = 0.1, double period = 25)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(t =>
            (float)(Math.Sin(2 * Math.PI * t / period) + noise * Gaussian(random)))];
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>MSE of predicting each validation target with the last input value, over observed targets.</summary>
    private static double NaiveValidationMse(float[] series, WindowedSeries data, int validationCount)
    {
        double sum = 0;
        int count = 0;
        for (int example = data.Count - validationCount; example < data.Count; example++)
        {
            int last = data.StartOf(example) + data.Window - 1;
            float target = series[last + 1];
            float previous = series[last];
            for (int back = last; float.IsNaN(previous) && back > 0; back--)
            {
                previous = series[back - 1];
            }

            if (!float.IsNaN(target))
            {
                sum += (target - previous) * (target - previous);
                count++;
            }
        }

        return sum / count;
    }

    private static Trainer SmallTrainer(int epochs = 12, int seed = 0, ILogger? logger = null) => new(new TrainerOptions
    {
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 1e-2f,
        ValidationFraction = 0.2,
        Seed = seed,
    }, logger);

    [Fact]
    public void Learns_a_noisy_sine_far_better_than_repeating_the_last_value()
    {
        float[] series = NoisySine(1200, seed: 1);
        var data = WindowedSeries.Univariate(series, window: 24);
        var network = RecurrentNetwork.CreateGru(1, 16, layers: 1, outputSize: 1);

        TrainingResult result = SmallTrainer().Fit(network, network.CreateParameters(7), data);

        double naive = NaiveValidationMse(series, data, (int)Math.Round(data.Count * 0.2));
        double model = result.History.Epochs[result.History.BestEpoch - 1].ValidationLoss;
        output.WriteLine($"validation MSE: GRU {model:F4}, repeat-last-value {naive:F4} (noise floor 0.0100)");
        Assert.True(model < naive / 2, $"GRU {model:F4} is not well below repeat-last-value {naive:F4}.");
    }

    [Fact]
    public void Learns_through_missing_values_that_the_masked_loss_ignores()
    {
        float[] series = NoisySine(1200, seed: 2);
        var random = new Random(3);
        for (int i = 0; i < series.Length; i++)
        {
            if (random.NextDouble() < 0.1)
            {
                series[i] = float.NaN;
            }
        }

        var data = WindowedSeries.Univariate(series, window: 24);
        var network = RecurrentNetwork.CreateGru(1, 16, layers: 1, outputSize: 1);

        TrainingResult result = SmallTrainer().Fit(network, network.CreateParameters(7), data);

        double naive = NaiveValidationMse(series, data, (int)Math.Round(data.Count * 0.2));
        double model = result.History.Epochs[result.History.BestEpoch - 1].ValidationLoss;
        output.WriteLine($"validation MSE with 10% missing: GRU {model:F4}, repeat-last-observed {naive:F4}");
        Assert.All(result.History.Epochs, e => Assert.True(double.IsFinite(e.TrainingLoss) && double.IsFinite(e.ValidationLoss)));
        Assert.True(model < naive / 2, $"GRU {model:F4} is not well below repeat-last-observed {naive:F4}.");
    }

    [Fact]
    public void The_seed_tutorial_model_trains_end_to_end()
    {
        // Two GRU layers of 64 units and a dense layer, windows of 100, batch 32, Adam, MSE (the benchmark model).
        float[] series = NoisySine(100 + 320, seed: 4);
        var data = WindowedSeries.Univariate(series, window: 100);
        var network = RecurrentNetwork.CreateGru(inputSize: 1, hiddenSize: 64, layers: 2, outputSize: 1);
        float[] initial = network.CreateParameters(seed: 1);
        var trainer = new Trainer(new TrainerOptions { Epochs = 3, BatchSize = 32, Optimizer = new Adam(), Loss = Loss.Mse, Seed = 1 });

        TrainingResult result = trainer.Fit(network, initial, data);

        output.WriteLine(string.Join(Environment.NewLine, result.History.Epochs));
        Assert.Equal(3, result.History.Epochs.Count);
        Assert.True(result.History.Epochs[^1].TrainingLoss < result.History.Epochs[0].TrainingLoss);
        Assert.True(result.History.Epochs.Min(e => e.ValidationLoss) < result.History.Epochs[0].ValidationLoss * 1.0001);
    }

    [Fact]
    public void A_cell_defined_only_in_the_tests_trains_through_the_same_trainer()
    {
        float[] series = NoisySine(800, seed: 13);
        var data = WindowedSeries.Univariate(series, window: 20);
        var network = new RecurrentNetwork([new GruAnomaly.Tests.Recurrent.MinimalGatedUnitCell(1, 12)], new DenseHead(12, 1));

        TrainingResult result = SmallTrainer(epochs: 10).Fit(network, network.CreateParameters(5), data);

        double naive = NaiveValidationMse(series, data, (int)Math.Round(data.Count * 0.2));
        double model = result.History.Epochs[result.History.BestEpoch - 1].ValidationLoss;
        output.WriteLine($"minimal gated unit validation MSE {model:F4}, repeat-last-value {naive:F4}");
        Assert.True(model < naive / 2, $"MGU {model:F4} is not well below repeat-last-value {naive:F4}.");
    }

    [Fact]
    public void The_same_seed_data_and_options_give_bit_identical_weights()
    {
        float[] series = NoisySine(400, seed: 5);
        var data = WindowedSeries.Univariate(series, window: 16);
        var network = RecurrentNetwork.CreateGru(1, 8, layers: 2, outputSize: 1);
        float[] initial = network.CreateParameters(3);

        float[] first = SmallTrainer(epochs: 3, seed: 9).Fit(network, initial, data).Parameters.ToArray();
        float[] second = SmallTrainer(epochs: 3, seed: 9).Fit(network, initial, data).Parameters.ToArray();
        float[] otherSeed = SmallTrainer(epochs: 3, seed: 10).Fit(network, initial, data).Parameters.ToArray();

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Cancellation_stops_between_batches_and_reports_how_far_it_got()
    {
        var data = WindowedSeries.Univariate(NoisySine(400, seed: 6), window: 16);
        var network = RecurrentNetwork.CreateGru(1, 8, outputSize: 1);
        float[] initial = network.CreateParameters(3);
        float[] untouched = [.. initial];
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Epoch == 2 && p.Batch == 3)
            {
                cancellation.Cancel();
            }
        });

        TrainingResult cancelled = SmallTrainer(epochs: 5, seed: 2).Fit(network, initial, data, progress, cancellation.Token);
        TrainingResult oneEpoch = SmallTrainer(epochs: 1, seed: 2).Fit(network, initial, data);

        Assert.Equal(StopReason.Cancelled, cancelled.History.StopReason);
        Assert.Single(cancelled.History.Epochs);
        Assert.Equal(3, cancelled.History.BatchesCompletedInStoppedEpoch);
        Assert.Equal(untouched, initial);

        // Restoring best weights: the result is exactly the state after the completed first epoch.
        Assert.Equal(oneEpoch.Parameters.ToArray(), cancelled.Parameters.ToArray());
    }

    [Fact]
    public void Cancellation_without_restoring_keeps_the_last_completed_step()
    {
        var data = WindowedSeries.Univariate(NoisySine(300, seed: 6), window: 16);
        var network = RecurrentNetwork.CreateGru(1, 8, outputSize: 1);
        float[] initial = network.CreateParameters(3);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var trainer = new Trainer(new TrainerOptions { RestoreBestWeights = false });

        TrainingResult result = trainer.Fit(network, initial, data, cancellationToken: cancellation.Token);

        Assert.Equal(StopReason.Cancelled, result.History.StopReason);
        Assert.Empty(result.History.Epochs);
        Assert.Equal(0, result.History.BatchesCompletedInStoppedEpoch);
        Assert.Equal(initial, result.Parameters.ToArray());
    }

    [Fact]
    public void Early_stopping_waits_for_the_patience_and_restores_the_best_epoch()
    {
        var data = WindowedSeries.Univariate(NoisySine(300, seed: 7), window: 16);
        var network = RecurrentNetwork.CreateGru(1, 8, outputSize: 1);
        float[] initial = network.CreateParameters(3);

        // A minimum improvement no epoch can reach makes epoch 1 the best for certain.
        var trainer = new Trainer(new TrainerOptions { Epochs = 20, EarlyStoppingPatience = 3, EarlyStoppingMinDelta = 1e9, Seed = 4, LearningRate = 1e-2f });
        TrainingResult stopped = trainer.Fit(network, initial, data);
        TrainingResult oneEpoch = new Trainer(new TrainerOptions { Epochs = 1, Seed = 4, LearningRate = 1e-2f }).Fit(network, initial, data);

        Assert.Equal(StopReason.EarlyStopping, stopped.History.StopReason);
        Assert.Equal(4, stopped.History.Epochs.Count);
        Assert.Equal(1, stopped.History.BestEpoch);
        Assert.Equal(oneEpoch.Parameters.ToArray(), stopped.Parameters.ToArray());
    }

    [Fact]
    public void A_diverging_loss_stops_with_a_clear_error_and_changes_no_weights()
    {
        float[] series = NoisySine(200, seed: 8);
        series[150] = 1e30f;
        var data = WindowedSeries.Univariate(series, window: 8);
        var network = RecurrentNetwork.CreateGru(1, 4, outputSize: 1);
        float[] initial = network.CreateParameters(1);
        float[] copy = [.. initial];

        var error = Assert.Throws<NotFiniteNumberException>(() =>
            new Trainer(new TrainerOptions { Epochs = 2, ValidationFraction = 0 }).Fit(network, initial, data));

        Assert.Contains("No weights were changed", error.Message);
        Assert.Equal(copy, initial);
    }

    [Fact]
    public void Skipping_non_finite_batches_keeps_training_and_counts_them()
    {
        float[] series = NoisySine(200, seed: 8);
        series[150] = 1e30f;
        var data = WindowedSeries.Univariate(series, window: 8);
        var network = RecurrentNetwork.CreateGru(1, 4, outputSize: 1);
        var logger = new ListLogger();
        var trainer = new Trainer(new TrainerOptions
        {
            Epochs = 2, ValidationFraction = 0, NonFiniteBehavior = NonFiniteBehavior.SkipBatch,
        }, logger);

        TrainingResult result = trainer.Fit(network, network.CreateParameters(1), data);

        Assert.All(result.History.Epochs, e => Assert.Equal(1, e.SkippedBatches));
        Assert.True(System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(result.Parameters.Span));
        Assert.Equal(2, logger.Events.Count(e => e.Level == LogLevel.Warning && e.EventId == 3));
    }

    [Fact]
    public void Reports_progress_after_every_batch_and_logs_every_epoch()
    {
        var data = WindowedSeries.Univariate(NoisySine(300, seed: 9), window: 10);
        var network = RecurrentNetwork.CreateGru(1, 4, outputSize: 1);
        var reports = new List<TrainingProgress>();
        var logger = new ListLogger();

        TrainingResult result = SmallTrainer(epochs: 3, logger: logger).Fit(network, network.CreateParameters(1), data, new SynchronousProgress(reports.Add));

        int trainCount = data.Count - (int)Math.Round(data.Count * 0.2), batches = (trainCount + 31) / 32;
        Assert.Equal(3 * batches, reports.Count);
        Assert.All(reports, r => Assert.True(r.ExamplesPerSecond > 0 && r.LearningRate == 1e-2f));
        Assert.Equal(3, logger.Events.Count(e => e.EventId == 2));
        Assert.Equal(3, result.History.Epochs.Count);
        Assert.True(double.IsNaN(reports[0].ValidationLoss));
        Assert.Equal(result.History.Epochs[0].ValidationLoss, reports[batches].ValidationLoss);
    }

    [Fact]
    public void Truncated_backpropagation_and_clipping_train_too()
    {
        float[] series = NoisySine(600, seed: 10);
        var data = WindowedSeries.Univariate(series, window: 24);
        var network = RecurrentNetwork.CreateGru(1, 16, outputSize: 1, variant: GruVariant.ResetAfter);
        var trainer = new Trainer(new TrainerOptions { Epochs = 8, LearningRate = 1e-2f, TruncationSteps = 6, GradientClipNorm = 1f });

        TrainingResult result = trainer.Fit(network, network.CreateParameters(2), data);

        double naive = NaiveValidationMse(series, data, (int)Math.Round(data.Count * 0.2));
        double model = result.History.Epochs[result.History.BestEpoch - 1].ValidationLoss;
        output.WriteLine($"truncated (k = 6) validation MSE {model:F4}, repeat-last-value {naive:F4}");
        Assert.True(model < naive, $"GRU {model:F4} vs repeat-last-value {naive:F4}.");
    }

    [Fact]
    public void Gaussian_likelihood_head_trains_with_two_outputs_per_target()
    {
        var data = WindowedSeries.Univariate(NoisySine(400, seed: 11), window: 16);
        var network = RecurrentNetwork.CreateGru(1, 8, outputSize: 2);
        var trainer = new Trainer(new TrainerOptions { Epochs = 4, LearningRate = 1e-2f, Loss = Loss.GaussianNll });

        TrainingResult result = trainer.Fit(network, network.CreateParameters(1), data);

        Assert.True(result.History.Epochs[^1].ValidationLoss < result.History.Epochs[0].ValidationLoss);
    }

    [Fact]
    public void Data_network_and_loss_that_do_not_fit_are_rejected_before_training()
    {
        var data = WindowedSeries.Univariate(NoisySine(100, seed: 1), window: 10);
        var trainer = new Trainer();

        var width = Assert.Throws<ArgumentException>(() =>
            trainer.Fit(RecurrentNetwork.CreateGru(2, 4, outputSize: 1), new float[RecurrentNetwork.CreateGru(2, 4, outputSize: 1).ParameterCount], data));
        Assert.Contains("1 input features but the network expects 2", width.Message);

        var gaussian = new Trainer(new TrainerOptions { Loss = Loss.GaussianNll });
        var network = RecurrentNetwork.CreateGru(1, 4, outputSize: 1);
        var outputs = Assert.Throws<ArgumentException>(() => gaussian.Fit(network, network.CreateParameters(1), data));
        Assert.Contains("needs 2", outputs.Message);

        var tiny = WindowedSeries.Univariate([1f, 2f, 3f], window: 2);
        Assert.Throws<ArgumentException>(() => trainer.Fit(network, network.CreateParameters(1), tiny));

        float[] bad = network.CreateParameters(1);
        bad[0] = float.NaN;
        Assert.Throws<ArgumentException>(() => trainer.Fit(network, bad, data));
    }

    [Fact]
    public void Invalid_options_list_every_problem()
    {
        var error = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions
        {
            Epochs = 0, BatchSize = -1, LearningRate = float.NaN, ValidationFraction = 1.5, EarlyStoppingPatience = 2,
        }));

        foreach (string name in new[] { "Epochs", "BatchSize", "LearningRate", "ValidationFraction" })
        {
            Assert.Contains(name, error.Message);
        }
    }

    [Fact]
    public async Task FitAsync_gives_the_same_weights_as_Fit()
    {
        var data = WindowedSeries.Univariate(NoisySine(200, seed: 12), window: 8);
        var network = RecurrentNetwork.CreateGru(1, 4, outputSize: 1);
        float[] initial = network.CreateParameters(1);

        TrainingResult sync = SmallTrainer(epochs: 2).Fit(network, initial, data);
        TrainingResult async = await SmallTrainer(epochs: 2).FitAsync(network, initial, data, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(sync.Parameters.ToArray(), async.Parameters.ToArray());
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
