using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Training;

public class EncoderDecoderTrainingTests(ITestOutputHelper output)
{
    private const int Window = 24;

    private static float[] NoisySine(int length, int seed, double noise = 0.1, double period = 25)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(t =>
            (float)(Math.Sin(2 * Math.PI * t / period) + noise * Gaussian(random)))];
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double Variance(float[] values)
    {
        double mean = values.Average(v => (double)v);
        return values.Average(v => (v - mean) * (v - mean));
    }

    private static Trainer SmallTrainer(int epochs, int seed = 0) => new(new TrainerOptions
    {
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 1e-2f,
        ValidationFraction = 0.2,
        Seed = seed,
    });

    /// <summary>Squared reconstruction error of every point of one window (original order).</summary>
    private static double[] PointErrors(EncoderDecoderNetwork model, ReadOnlySpan<float> parameters, float[] window, DecoderInput decoding)
    {
        EncoderDecoderWorkspace workspace = model.CreateWorkspace();
        model.Infer(parameters, window, window.Length, 1, workspace, decoding);
        ReadOnlySpan<float> outputs = workspace.Outputs;
        var errors = new double[window.Length];
        for (int t = 0; t < window.Length; t++)
        {
            errors[t] = (outputs[t] - window[t]) * (double)(outputs[t] - window[t]);
        }

        return errors;
    }

    [Fact]
    public void Learns_to_reconstruct_a_noisy_sine_and_a_spike_stands_out()
    {
        float[] series = NoisySine(1200, seed: 1);
        var data = ReconstructionWindows.Univariate(series, Window);
        var model = EncoderDecoderNetwork.CreateGru(features: 1, hiddenSize: 16);

        TrainingResult result = SmallTrainer(epochs: 12).Fit(model, model.CreateParameters(7), data);

        double variance = Variance(series);
        double validation = result.History.Epochs[result.History.BestEpoch - 1].ValidationLoss;
        output.WriteLine($"validation reconstruction MSE {validation:F4} (best epoch {result.History.BestEpoch}); series variance {variance:F4}, noise variance 0.0100");
        Assert.True(validation < variance / 10, $"validation MSE {validation:F4} is not well below the variance {variance:F4}.");

        // Fresh windows of another stretch of the same process; one of them gets a spike of +3 at step 10.
        float[] test = NoisySine(20 * Window, seed: 2);
        const int spiked = 7, position = 10;
        float[] parameters = result.Parameters.ToArray();
        foreach (DecoderInput decoding in new[] { DecoderInput.TeacherForcing, DecoderInput.Autoregressive })
        {
            double[] normal = [.. Enumerable.Range(0, 20)
                .Select(w => PointErrors(model, parameters, test[(w * Window)..((w + 1) * Window)], decoding).Average())];
            float[] window = test[(spiked * Window)..((spiked + 1) * Window)];
            window[position] += 3f;
            double[] pointErrors = PointErrors(model, parameters, window, decoding);
            double spikeError = pointErrors.Average();
            int worst = Array.IndexOf(pointErrors, pointErrors.Max());
            output.WriteLine($"{decoding}: normal windows MSE mean {normal.Average():F4}, max {normal.Max():F4}; " +
                $"spiked window {spikeError:F4} ({spikeError / normal.Max():F1}× the worst normal window), largest point error at step {worst}");

            Assert.True(spikeError > 5 * normal.Max(), $"{decoding}: spiked window {spikeError:F4} vs worst normal {normal.Max():F4}.");
            if (decoding == DecoderInput.TeacherForcing)
            {
                // Output t reconstructs input t: the spike's own step is the worst reconstructed.
                Assert.Equal(position, worst);
            }
        }
    }

    [Fact]
    public void The_same_seed_gives_bit_identical_weights()
    {
        var data = ReconstructionWindows.Univariate(NoisySine(300, seed: 5), window: 12, stride: 2);
        var model = EncoderDecoderNetwork.CreateGru(1, 6, layers: 2, GruVariant.ResetAfter);
        float[] initial = model.CreateParameters(3);

        float[] first = SmallTrainer(epochs: 2, seed: 9).Fit(model, initial, data).Parameters.ToArray();
        float[] second = SmallTrainer(epochs: 2, seed: 9).Fit(model, initial, data).Parameters.ToArray();
        float[] otherSeed = SmallTrainer(epochs: 2, seed: 10).Fit(model, initial, data).Parameters.ToArray();

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
        Assert.NotEqual(initial, first);
    }

    [Fact]
    public void Missing_points_are_neither_read_nor_reconstructed()
    {
        float[] series = NoisySine(400, seed: 6);
        var random = new Random(7);
        for (int i = 0; i < series.Length; i++)
        {
            if (random.NextDouble() < 0.1)
            {
                series[i] = float.NaN;
            }
        }

        var data = ReconstructionWindows.Univariate(series, window: 12, stride: 3);
        var model = EncoderDecoderNetwork.CreateGru(1, 8);

        TrainingResult result = SmallTrainer(epochs: 3).Fit(model, model.CreateParameters(1), data);

        Assert.All(result.History.Epochs, e => Assert.True(double.IsFinite(e.TrainingLoss) && double.IsFinite(e.ValidationLoss)));
        Assert.True(result.History.Epochs[^1].TrainingLoss < result.History.Epochs[0].TrainingLoss);
    }

    [Fact]
    public void A_dataset_with_other_target_steps_is_rejected_before_training()
    {
        var trainer = new Trainer();
        float[] series = NoisySine(100, seed: 1);
        var model = EncoderDecoderNetwork.CreateGru(1, 4);

        var forecast = Assert.Throws<ArgumentException>(() =>
            trainer.Fit(model, model.CreateParameters(1), WindowedSeries.Univariate(series, window: 10)));
        Assert.Equal("data", forecast.ParamName);
        Assert.Contains("targets for 1 steps but the network predicts 10", forecast.Message);

        var lastStep = RecurrentNetwork.CreateGru(1, 4, outputSize: 1);
        var reconstruction = Assert.Throws<ArgumentException>(() =>
            trainer.Fit(lastStep, lastStep.CreateParameters(1), ReconstructionWindows.Univariate(series, window: 10)));
        Assert.Contains("targets for 10 steps but the network predicts 1", reconstruction.Message);
    }
}
