using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Preprocessing;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Reliability;

/// <summary>Faults during training: cancellation at any moment, exploding gradients, a loss that turns non-finite.</summary>
public sealed class TrainingFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSeries Training = new(Synthetic.Normal(600, seed: 70));
    private static readonly TimeSeries Test = new(Synthetic.Normal(200, seed: 71));

    [Fact]
    public void CancellingAtAnyReportLeavesADetectorThatFitsAsIfNothingHappened()
    {
        AnomalyDetector detector = AnomalyDetectorTests.QuickBuilder().Build();
        double[] reference = detector.Fit(Training).Detect(Test).Scores.ToArray();
        int reports = 0;
        detector.Fit(Training, new Progress(_ => reports++));

        // Every report of a fit, in a seeded order: the fit stops there with OperationCanceledException and nothing else.
        var order = new Random(73);
        int[] moments = [.. Enumerable.Range(1, reports).OrderBy(_ => order.Next()).Take(12).Order()];
        foreach (int moment in moments)
        {
            using var cancellation = new CancellationTokenSource();
            int seen = 0;
            var progress = new Progress(_ =>
            {
                if (++seen == moment)
                {
                    cancellation.Cancel();
                }
            });

            Assert.ThrowsAny<OperationCanceledException>(() => detector.Fit(Training, progress, cancellation.Token));
            Assert.Equal(reference, detector.Fit(Training).Detect(Test).Scores.ToArray());
        }

        output.WriteLine($"cancelled at reports {string.Join(", ", moments)} of {reports}");
    }

    [Fact]
    public async Task CancellingAfterATimeLeavesADetectorThatFitsAsIfNothingHappened()
    {
        AnomalyDetector detector = AnomalyDetectorTests.QuickBuilder().Build();
        double[] reference = detector.Fit(Training).Detect(Test).Scores.ToArray();
        foreach (int milliseconds in new[] { 0, 1, 5, 20, 80 })
        {
            using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(milliseconds));
            try
            {
                await detector.FitAsync(Training, cancellationToken: cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                // Cancelled in time, or the fit finished first: both are fine, anything else is not.
            }

            Assert.Equal(reference, detector.Fit(Training).Detect(Test).Scores.ToArray());
        }
    }

    [Fact]
    public void ExplodingGradientsAreClippedAndTrainingStaysFinite()
    {
        // Unscaled values of order 10⁴ with squared error give gradients of order 10⁸; clipping keeps every step bounded.
        float[] loud = [.. Synthetic.Normal(600, seed: 72).Select(v => v * 1e4f)];
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder()
            .WithScaler(Scaler.None())
            .WithLoss(Loss.Mse)
            .WithTrainer(AnomalyDetectorTests.Quick with { GradientClipNorm = 1f, LearningRate = 1e-2f })
            .Build()
            .Fit(new TimeSeries(loud));

        Assert.NotNull(fitted.History);
        Assert.All(fitted.History!.Epochs, e => Assert.True(double.IsFinite(e.TrainingLoss)));
        Assert.True(fitted.Scorer.TrainedNetwork!.Parameters.ToArray().All(float.IsFinite));
    }

    [Fact]
    public void ALossThatTurnsNonFiniteStopsWithAClearMessage()
    {
        // A learning rate of 10³⁰ moves the weights by about 10³⁰ in the first step, and the squared error of the next overflows.
        AnomalyDetector detector = AnomalyDetectorTests.QuickBuilder()
            .WithLoss(Loss.Mse)
            .WithTrainer(AnomalyDetectorTests.Quick with { LearningRate = 1e30f })
            .Build();

        var exception = Assert.ThrowsAny<ArithmeticException>(() => detector.Fit(Training));

        output.WriteLine(exception.Message);
        Assert.Matches("diverged|non-finite", exception.Message);
        Assert.Contains("learning rate", exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
