using GruAnomaly.Detection;
using GruAnomaly.Evaluation;
using GruAnomaly.Recurrent;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Detection;

/// <summary>Choosing a window length the way a user would: expanding-window folds, forecast error on each test fold.</summary>
public sealed class CrossValidationTests(ITestOutputHelper output)
{
    [Fact]
    public void ExpandingWindowFoldsPickTheContextThatCoversThePeriod()
    {
        // A noisy sawtooth of period 30: only a window that reaches back to the last drop can predict the next one.
        const int period = 30;
        var random = new Random(21);
        float[] series = [.. Enumerable.Range(0, 1500).Select(t => ((t % period) / (float)period) + (0.02f * Synthetic.Gaussian(random)))];
        IReadOnlyList<TimeSeriesFold> folds = TimeSeriesSplit.ExpandingWindow(series.Length, folds: 2, testSize: 300, minTrainSize: 600);

        var meanError = new Dictionary<int, double>();
        foreach (int window in new[] { 3, 36 })
        {
            AnomalyDetector detector = AnomalyDetector.CreateBuilder()
                .WithWindow(window)
                .WithModel(Models.Gru(hiddenSize: 16))
                .WithTrainer(new TrainerOptions { Epochs = 20, LearningRate = 1e-2f, Seed = 4 })
                .WithThreshold(Threshold.Quantile(0.99))
                .Build();
            double sum = 0;
            int count = 0;
            foreach (TimeSeriesFold fold in folds)
            {
                FittedAnomalyDetector fitted = detector.Fit(series[fold.TrainRange]);
                float[] test = series[fold.TestRange];
                DetectionResult result = fitted.Detect(test);
                for (int t = window; t < test.Length; t++)
                {
                    sum += Math.Abs(test[t] - result.Expected[t]);
                    count++;
                }
            }

            meanError[window] = sum / count;
            output.WriteLine($"window {window}: mean absolute forecast error {meanError[window]:F4} over {folds.Count} folds");
        }

        Assert.True(meanError[36] < 0.7 * meanError[3], $"window 36: {meanError[36]:F4}, window 3: {meanError[3]:F4}");
    }
}
