using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace GruAnomaly.Tests.Scoring.Baselines;

/// <summary>Fits a baseline scorer outside a detector and scores a series with it.</summary>
internal static class BaselineScoring
{
    /// <summary>
    /// Fits <paramref name="scorer"/> as a detector with the given window would, on <paramref name="training"/> (none by
    /// default: the rolling baselines read nothing else; a nearest-neighbour search keeps it as its reference).
    /// </summary>
    public static IFittedScorer Fit(IAnomalyScorer scorer, int features = 1, int window = 4, float[]? training = null) => scorer.Fit(new ScorerFitContext
    {
        Inputs = training ?? [],
        Observed = training ?? [],
        Features = features,
        Window = window,
        Stride = 1,
        Model = Models.Gru(hiddenSize: 4),
        Trainer = new TrainerOptions(),
        Logger = NullLogger.Instance,
    }, progress: null, CancellationToken.None);

    /// <summary>Scores a series whose observations are its inputs, except where <paramref name="observed"/> says otherwise.</summary>
    public static (float[] Expected, float[] Errors) Score(IFittedScorer scorer, float[] inputs, float[]? observed = null)
    {
        var expected = new float[inputs.Length];
        var errors = new float[inputs.Length];
        scorer.Score(inputs, observed ?? inputs, expected, errors);
        return (expected, errors);
    }

    /// <summary>
    /// Checks that a missing observation at <paramref name="missing"/> leaves the expected value there as it was and
    /// gives no error, and that the next step is scored as if nothing were missing (the input there stays).
    /// </summary>
    public static void AssertAMissingObservationHasAnExpectedValueButNoError(IFittedScorer scorer, float[] inputs, int missing)
    {
        float[] observed = [.. inputs];
        observed[missing] = float.NaN;

        (float[] expected, float[] errors) = Score(scorer, inputs, observed);
        (float[] expectedAll, float[] errorsAll) = Score(scorer, inputs);

        Assert.True(float.IsNaN(errors[missing]));
        Assert.Equal(expectedAll[missing], expected[missing]);
        Assert.Equal(errorsAll[missing + 1], errors[missing + 1]);
    }

    /// <summary>
    /// Checks a scorer's saliency at <paramref name="time"/> against central differences of Σ_f g_f·error_f(time), where
    /// moving an input also moves the observation at that step (as the detector's inputs and observations agree there).
    /// </summary>
    public static void AssertSaliencyMatchesFiniteDifferences(IFittedScorer scorer, float[] inputs, int time, int seed = 1)
    {
        int features = scorer.Features;
        var random = new Random(seed);
        float[] errorGradient = [.. Enumerable.Range(0, features).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        var gradient = new float[scorer.MaximumSaliencySteps * features];
        int first = scorer.Saliency(inputs, inputs, time, errorGradient, gradient, out int steps);
        Assert.Equal(time, first + steps - 1);
        Assert.All(gradient[(steps * features)..], g => Assert.Equal(0f, g));

        const float h = 1e-2f;
        for (int i = Math.Max(0, first - 2) * features; i < (time + 1) * features; i++)
        {
            float[] up = [.. inputs], down = [.. inputs];
            up[i] += h;
            down[i] -= h;
            double numeric = (WeightedError(scorer, up, time, errorGradient) - WeightedError(scorer, down, time, errorGradient)) / (2 * h);
            double analytic = i < first * features ? 0 : gradient[i - (first * features)];
            Assert.True(Math.Abs(numeric - analytic) <= 2e-3 * Math.Max(1, Math.Abs(numeric)),
                $"{scorer.Name}: input {i} (step {i / features}, feature {i % features}): analytic {analytic}, numeric {numeric}");
        }
    }

    private static double WeightedError(IFittedScorer scorer, float[] inputs, int time, float[] errorGradient)
    {
        (_, float[] errors) = Score(scorer, inputs);
        double sum = 0;
        for (int f = 0; f < errorGradient.Length; f++)
        {
            sum += errorGradient[f] * (double)errors[(time * errorGradient.Length) + f];
        }

        return sum;
    }
}
