using GruAnomaly.Data;
using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace GruAnomaly.Tests.Scoring;

public sealed class CarriedStateForecastScorerTests
{
    private const int Window = 12;

    private static readonly TrainerOptions Quick = new() { Epochs = 3, BatchSize = 8, LearningRate = 5e-3f, Seed = 7 };

    private static FittedCarriedStateForecastScorer Fit(float[] series, TrainerOptions trainer, int features = 1, int window = Window,
        int hidden = 8, int windowsPerSequence = 4) =>
        (FittedCarriedStateForecastScorer)new CarriedStateForecastScorer(windowsPerSequence).Fit(Context(series, trainer, features, window, hidden),
            progress: null, CancellationToken.None);

    private static ScorerFitContext Context(float[] series, TrainerOptions trainer, int features = 1, int window = Window, int hidden = 8) => new()
    {
        Inputs = series,
        Observed = series,
        Features = features,
        Window = window,
        Stride = 1,
        Model = Models.Gru(hiddenSize: hidden),
        Trainer = trainer,
        Logger = NullLogger.Instance,
    };

    private static (float[] Expected, float[] Errors) Score(IFittedScorer scorer, float[] inputs, float[]? observed = null)
    {
        var expected = new float[inputs.Length];
        var errors = new float[inputs.Length];
        scorer.Score(inputs, observed ?? inputs, expected, errors);
        return (expected, errors);
    }

    private static double MeanSquare(float[] errors, int from) => errors[from..].Average(e => (double)e * e);

    [Fact]
    public void TheSameSeedGivesTheSameWeightsAndScores()
    {
        float[] training = Synthetic.Normal(600, seed: 1);
        float[] test = Synthetic.Normal(300, seed: 2);

        FittedCarriedStateForecastScorer first = Fit(training, Quick), second = Fit(training, Quick);

        Assert.Equal(first.Parameters.ToArray(), second.Parameters.ToArray());
        Assert.Equal(Score(first, test).Errors, Score(second, test).Errors);
        Assert.NotEqual(first.Parameters.ToArray(), Fit(training, Quick with { Seed = 8 }).Parameters.ToArray());
    }

    [Fact]
    public void ItLearnsASineFarBetterThanTheNaiveForecast()
    {
        float[] training = Synthetic.Normal(3000, seed: 3);
        float[] test = Synthetic.Normal(1000, seed: 4);
        TrainerOptions trainer = new() { Epochs = 40, BatchSize = 4, LearningRate = 5e-3f, Seed = 1, Loss = Loss.Mse };
        FittedCarriedStateForecastScorer carried = Fit(training, trainer, window: 20, hidden: 16);
        IFittedScorer naive = Scorer.Naive().Fit(Context(test, trainer), progress: null, CancellationToken.None);

        double carriedError = MeanSquare(Score(carried, test).Errors, from: 20);
        double naiveError = MeanSquare(Score(naive, test).Errors, from: 20);

        // The noise alone (σ = 0.1) leaves 0.01; a lag-1 forecast of a period-40 sine adds about 0.025 to twice that.
        Assert.True(carriedError < 0.5 * naiveError, $"carried {carriedError:F5}, naive {naiveError:F5}");
        Assert.True(carried.History!.Epochs[^1].TrainingLoss < carried.History.Epochs[0].TrainingLoss);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AScoreNeverDependsOnALaterPoint(bool likelihood)
    {
        TrainerOptions trainer = Quick with { Loss = likelihood ? Loss.GaussianNll : Loss.Mse };
        FittedCarriedStateForecastScorer scorer = Fit(Synthetic.Normal(400, seed: 5, features: 2), trainer, features: 2);
        float[] series = Synthetic.Normal(200, seed: 6, features: 2);
        (float[] expected, float[] errors) = Score(scorer, series);

        foreach (int changed in new[] { Window, 80, 199 })
        {
            float[] moved = [.. series];
            moved[(changed * 2) + 1] += 5f;
            (float[] movedExpected, float[] movedErrors) = Score(scorer, moved);

            Assert.Equal(expected[..(changed * 2)], movedExpected[..(changed * 2)]);
            Assert.Equal(errors[..(changed * 2)], movedErrors[..(changed * 2)]);
            Assert.NotEqual(errors[(changed * 2)..], movedErrors[(changed * 2)..]);
        }
    }

    [Fact]
    public void TheWarmUpIsTheWindowAndMissingObservationsGetAnExpectationButNoError()
    {
        FittedCarriedStateForecastScorer scorer = Fit(Synthetic.Normal(400, seed: 5), Quick with { Loss = Loss.GaussianNll });
        float[] inputs = Synthetic.Normal(100, seed: 6);
        float[] observed = [.. inputs];
        observed[50] = float.NaN;

        (float[] expected, float[] errors) = Score(scorer, inputs, observed);

        Assert.Equal(Window, scorer.WarmUp);
        Assert.All(expected[..Window], e => Assert.True(float.IsNaN(e)));
        Assert.All(errors[..Window], e => Assert.True(float.IsNaN(e)));
        Assert.True(float.IsFinite(expected[50]));
        Assert.True(float.IsNaN(errors[50]));
        Assert.All(errors[Window..].Where((_, i) => i + Window != 50), e => Assert.True(float.IsFinite(e)));
        Assert.False(scorer.ErrorsAreSigned);
    }

    [Fact]
    public void ScoreRunsTheSameStepAsAStreamOfTheNetwork()
    {
        // The batch score is the network stepped from a zero state, each point judged by the step before it; the series
        // spans several of the batch path's chunks (NetworkStreamer.AdvanceChunk points), so their seams are covered.
        FittedCarriedStateForecastScorer scorer = Fit(Synthetic.Normal(400, seed: 5), Quick with { Loss = Loss.Mse });
        float[] series = Synthetic.Normal((2 * NetworkStreamer.AdvanceChunk) + 45, seed: 9);
        (float[] expected, _) = Score(scorer, series);

        NetworkStreamer streamer = scorer.Network.CreateStreamer(scorer.Parameters);
        StreamState state = streamer.CreateState();
        var output = new float[1];
        for (int t = 0; t < series.Length - 1; t++)
        {
            streamer.Step(state, series.AsSpan(t, 1), output);
            if (t + 1 >= Window)
            {
                Assert.Equal(output[0], expected[t + 1]);
            }
        }

        // The training pass (Infer over the whole series) agrees up to the order of its sums.
        NetworkWorkspace workspace = scorer.Network.CreateWorkspace();
        scorer.Network.Infer(scorer.Parameters, series, series.Length, 1, workspace);
        for (int t = Window; t < series.Length; t++)
        {
            Assert.Equal(workspace.Outputs[t - 1], expected[t], 1e-4f);
        }
    }

    [Fact]
    public void TheWindowedForecasterAgreesWithACarriedStateOnlyWhereTheStateHasReadNothingButTheWindow()
    {
        // Why the sliding window keeps its own semantics in batch (ForecastScorer's remarks): its network stepped with a
        // carried state gives the windowed forecast where the state has read only the window (the first scored point), and
        // other forecasts where the state has read more than the window.
        float[] training = Synthetic.Normal(400, seed: 5);
        var windowed = (FittedForecastScorer)new ForecastScorer().Fit(Context(training, Quick with { Loss = Loss.Mse }), progress: null,
            CancellationToken.None);
        float[] series = Synthetic.Normal(200, seed: 9);
        (float[] expected, _) = Score(windowed, series);

        NetworkStreamer streamer = windowed.Network.CreateStreamer(windowed.Parameters);
        var carried = new float[(series.Length - 1) * streamer.OutputSize];
        streamer.Advance(streamer.CreateState(), series.AsSpan(0, series.Length - 1), carried, streamer.CreateAdvanceBuffers());

        // Point Window: both read points 0 … Window − 1 from a zero state; only the order of sums differs (Infer's GEMM).
        Assert.Equal(expected[Window], carried[Window - 1], 1e-5f);
        double largest = 0;
        for (int t = 2 * Window; t < series.Length; t++)
        {
            largest = Math.Max(largest, Math.Abs(expected[t] - carried[t - 1]));
        }

        Assert.True(largest > 1e-3, $"the carried state should read context beyond the window; largest difference {largest}");
    }

    [Theory]
    [InlineData(false, 30)]
    [InlineData(true, 30)]
    [InlineData(true, 57)]
    public void SaliencyIsTheGradientOfTheErrorThroughTheWindowBeforeThePoint(bool likelihood, int time)
    {
        const int features = 2;
        TrainerOptions trainer = Quick with { Loss = likelihood ? Loss.GaussianNll : Loss.Mse };
        FittedCarriedStateForecastScorer scorer = Fit(Synthetic.Normal(400, seed: 5, features: features), trainer, features: features);
        float[] inputs = Synthetic.Normal(80, seed: 11, features: features);
        float[] observed = [.. inputs];
        observed[(time * features) + 1] += 0.7f;
        float[] errorGradient = [0.8f, -0.6f];
        var gradient = new float[scorer.MaximumSaliencySteps * features];

        int first = scorer.Saliency(inputs, observed, time, errorGradient, gradient, out int steps);

        Assert.Equal((time - Window, Window), (first, steps));
        const float h = 1e-2f;
        for (int i = 0; i < steps * features; i++)
        {
            int index = (first * features) + i;
            double numeric = (Weighted(Nudged(index, h)) - Weighted(Nudged(index, -h))) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 2e-3 * Math.Max(1, Math.Abs(numeric)),
                $"input {index} (step {index / features}, feature {index % features}): analytic {gradient[i]}, numeric {numeric}");
        }

        Assert.Contains(gradient, g => Math.Abs(g) > 1e-3);

        float[] Nudged(int index, float by)
        {
            float[] copy = [.. inputs];
            copy[index] += by;
            return copy;
        }

        double Weighted(float[] moved)
        {
            (_, float[] errors) = Score(scorer, moved, observed);
            return (errorGradient[0] * (double)errors[time * features]) + (errorGradient[1] * (double)errors[(time * features) + 1]);
        }
    }

    [Fact]
    public void TrainingSequencesTeachEveryTargetOnceAfterTheirBurnIn()
    {
        const int features = 2, burnIn = 5, steps = 20, length = 103;
        float[] series = [.. Enumerable.Range(0, length * features).Select(i => (float)i)];
        var data = new CarriedSequences(series, series, features, burnIn, steps);

        Assert.Equal(CarriedSequences.CountFor(length, burnIn, steps), data.Count);
        Assert.Equal(steps - burnIn + 1, data.Stride);
        Assert.Equal(length - 1, data.StartOf(data.Count - 1) + steps);
        var taught = new int[length];
        var inputs = new float[steps * features];
        var targets = new float[steps * features];
        for (int example = 0; example < data.Count; example++)
        {
            int start = data.StartOf(example);
            data.WriteInputs(example, inputs, 1, 0);
            data.WriteTargets(example, targets, 1, 0);
            Assert.Equal(series.AsSpan(start * features, steps * features).ToArray(), inputs);
            for (int step = 0; step < steps; step++)
            {
                float target = targets[step * features];
                if (step + 1 < burnIn)
                {
                    Assert.True(float.IsNaN(target));
                    continue;
                }

                Assert.Equal((start + step + 1) * features, target);
                taught[start + step + 1]++;
            }
        }

        int firstTaught = data.StartOf(0) + burnIn;
        Assert.All(taught[firstTaught..], count => Assert.Equal(1, count));
        Assert.All(taught[..firstTaught], count => Assert.Equal(0, count));
        Assert.True(data.StartOf(0) < data.Stride);
    }

    [Theory]
    [InlineData(10_000, 32, 4, 0.2, 128)]
    [InlineData(10_000, 300, 4, 0.2, 900)]
    [InlineData(10_000, 600, 4, 0.2, 1200)]
    [InlineData(10_000, 32, 1, 0.2, 32)]
    [InlineData(200, 32, 4, 0.2, 115)]
    [InlineData(200, 32, 4, 0.0, 128)]
    [InlineData(34, 32, 4, 0.2, 32)]
    [InlineData(33, 32, 4, 0.2, 0)]
    public void SequencesAreABoundedMultipleOfTheWindowThatTheSeriesCanGive(int length, int window, int windowsPerSequence, double validation, int expected)
    {
        int steps = CarriedStateForecastScorer.SequenceSteps(length, window, windowsPerSequence, validation);

        Assert.Equal(expected, steps);
        if (steps > 0)
        {
            Assert.True(CarriedSequences.CountFor(length, window, steps) >= CarriedStateForecastScorer.MinimumSequences(validation));
        }
    }

    [Theory]
    [InlineData(32, 97, 1)]
    [InlineData(256, 97, 3)]
    [InlineData(32, 1, 32)]
    [InlineData(1, 5, 1)]
    public void AMiniBatchHoldsTheSequencesItsTargetsTake(int batchSize, int targetsPerSequence, int expected) =>
        Assert.Equal(expected, CarriedStateForecastScorer.SequencesPerBatch(batchSize, targetsPerSequence));

    [Fact]
    public void TheFitTrainsWithTheDocumentedSequencesAndTruncation()
    {
        float[] training = Synthetic.Normal(600, seed: 1);
        FittedCarriedStateForecastScorer byDefault = Fit(training, Quick);
        FittedCarriedStateForecastScorer truncated = Fit(training, Quick with { TruncationSteps = 5 }, windowsPerSequence: 2);

        Assert.Equal((4 * Window, Window), (byDefault.SequenceSteps, byDefault.TruncationSteps));
        Assert.Equal((2 * Window, 5), (truncated.SequenceSteps, truncated.TruncationSteps));
        Assert.Equal(HeadPlacement.EveryStep, byDefault.Network.HeadPlacement);
        Assert.InRange(byDefault.HeldOutFrom, 400, 600);
        Assert.NotNull(byDefault.TrainedNetwork);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Scorer.CarriedStateForecast(0));
        Assert.Throws<ArgumentNullException>(() => new CarriedStateForecastScorer().Fit(null!, null, CancellationToken.None));
        var tooShort = Assert.Throws<ArgumentException>(() => Fit(Synthetic.Normal(Window + 1, seed: 1), Quick));
        Assert.Contains($"needs at least {Window + 2}", tooShort.Message, StringComparison.Ordinal);

        FittedCarriedStateForecastScorer scorer = Fit(Synthetic.Normal(300, seed: 1), Quick);
        float[] series = Synthetic.Normal(50, seed: 2);
        Assert.Throws<ArgumentException>(() => Score(scorer, series[..Window]));
        Assert.Throws<ArgumentException>(() => scorer.Score(series, series[..10], new float[50], new float[50]));
        Assert.Throws<ArgumentException>(() => scorer.Score(series, series, new float[49], new float[50]));
        float[] infinite = [.. series];
        infinite[3] = float.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => Score(scorer, infinite));
        var gradient = new float[scorer.MaximumSaliencySteps];
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Saliency(series, series, Window - 1, [1f], gradient, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Saliency(series, series, 50, [1f], gradient, out _));
        Assert.Throws<ArgumentException>(() => scorer.Saliency(series, series, 20, [1f], new float[3], out _));
    }

    [Fact]
    public void OnlineAdaptationIsRefusedWithTheReason()
    {
        var exception = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder()
            .WithScorer(Scorer.CarriedStateForecast())
            .WithOnlineAdaptation(new OnlineAdaptation { Every = 200 })
            .Build());

        Assert.Contains("carried-state forecast cannot be fine-tuned", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADetectorWithTheCarriedStateFindsASpikeAndExplainsIt()
    {
        float[] training = Synthetic.Normal(1500, seed: 12);
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder()
            .WithWindow(20)
            .WithModel(Models.Gru(hiddenSize: 16))
            .WithTrainer(new TrainerOptions { Epochs = 30, BatchSize = 4, LearningRate = 5e-3f, Seed = 2 })
            .WithScorer(Scorer.CarriedStateForecast())
            .Build()
            .Fit(training);
        float[] test = Synthetic.Normal(400, seed: 13);
        test[250] += 2.5f;

        DetectionResult result = fitted.Detect(test);
        Explanation explanation = fitted.Explain(test, 250);

        // The spike breaks the forecast of its own point and, read as an input, of the points after it.
        Assert.InRange(Enumerable.Range(20, 380).MaxBy(t => result.RawScores[t]), 250, 252);
        Assert.True(result.RawScores[250] > result.RawScores.ToArray()[40..240].Max(), "the spike stands out");
        Assert.Equal(230, explanation.WindowStart);
        Assert.Contains(explanation.Saliency.ToArray(), s => s != 0);
    }
}
