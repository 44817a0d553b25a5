using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Scoring.Baselines;

/// <summary>
/// The nearest-neighbour distance against a sliding reference: against a brute-force search in double precision, a shape
/// new only the first time, the training series scored against its own past, saliency, names and refusals.
/// </summary>
public sealed class SlidingNearestNeighbourScorerTests
{
    private static IFittedScorer Fit(IAnomalyScorer scorer, float[] training, int features = 1, int window = 8) =>
        BaselineScoring.Fit(scorer, features, window, training);

    /// <summary>Uniform noise in [−<paramref name="scale"/>, <paramref name="scale"/>]: no shape repeats, so every nearest neighbour is clear.</summary>
    private static float[] Noise(int length, int features, int seed, float scale = 1)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length * features).Select(_ => scale * (float)((2 * random.NextDouble()) - 1))];
    }

    private static float[] Wave(int length, int features, int seed) => NearestNeighbourScorerTests.Noisy(length, features, seed);

    /// <summary>
    /// By trying, in double precision, each of the <paramref name="reference"/> subsequences of <paramref name="values"/>
    /// that end from <paramref name="length"/> steps before <paramref name="end"/> back: the distance and the nearest one's last value.
    /// </summary>
    private static (double Distance, double Expected) BruteForce(float[] values, int end, int length, int reference)
    {
        double best = double.PositiveInfinity, expected = double.NaN;
        for (int other = end - length; other >= Math.Max(length - 1, end - length - reference + 1); other--)
        {
            double squared = 0;
            for (int k = 0; k < length; k++)
            {
                double difference = values[end - length + 1 + k] - values[other - length + 1 + k];
                squared += difference * difference;
            }

            if (squared < best)
            {
                (best, expected) = (squared, values[other]);
            }
        }

        return (Math.Sqrt(best), expected);
    }

    private static float[] Feature(float[] values, int features, int feature) =>
        [.. Enumerable.Range(0, values.Length / features).Select(t => values[(t * features) + feature])];

    [Fact]
    public void EveryErrorIsTheDistanceToTheNearestOfTheLatestSubsequencesBeforeIt()
    {
        // Two features, each searched on its own; a reference of 40 subsequences, so that the test series leaves the
        // training tail behind after 2·8 + 40 − 2 = 54 steps.
        const int features = 2, length = 8, reference = 40;
        float[] training = Wave(300, features, seed: 1);
        float[] test = Wave(150, features, seed: 2);
        test[(90 * features) + 1] += 3;
        var scorer = (FittedSlidingNearestNeighbourScorer)Fit(Scorer.SlidingNearestNeighbour(reference: reference), training, features, window: length);

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, test);

        Assert.Equal((length - 1, length, reference + length - 1), (scorer.WarmUp, scorer.Window, scorer.Tail[0].Length));
        Assert.All(errors[..((length - 1) * features)], e => Assert.True(float.IsNaN(e)));
        for (int f = 0; f < features; f++)
        {
            float[] values = [.. scorer.Tail[f], .. Feature(test, features, f)];
            for (int t = length - 1; t < 150; t++)
            {
                (double distance, double neighbour) = BruteForce(values, scorer.Tail[f].Length + t, length, reference);
                Assert.Equal(distance, errors[(t * features) + f], 1e-4 * Math.Max(1, distance));
                Assert.Equal(neighbour, expected[(t * features) + f]);
            }
        }

        // The feature with the spike is far from every earlier shape while the spike is in its subsequence.
        Assert.True(errors[(90 * features) + 1] > 2 * errors[(90 * features) + 0], $"{errors[(90 * features) + 1]} against {errors[90 * features]}");
    }

    [Fact]
    public void AShapeIsNewOnlyTheFirstTimeTheSeriesShowsIt()
    {
        // The same bump twice on quiet noise: against a reference of the training series only, both are as new; against a
        // sliding one, the second finds the first.
        float[] training = Noise(400, 1, seed: 3, scale: 0.05f);
        float[] test = Noise(300, 1, seed: 4, scale: 0.05f);
        float[] bump = [1, 2, 3, 3, 2, 1];
        for (int k = 0; k < bump.Length; k++)
        {
            test[100 + k] += bump[k];
            test[200 + k] += bump[k];
        }

        (_, float[] sliding) = BaselineScoring.Score(Fit(Scorer.SlidingNearestNeighbour(), training), test);
        (_, float[] fixedReference) = BaselineScoring.Score(Fit(Scorer.NearestNeighbour(), training), test);

        Assert.True(sliding[105] > 4, $"first bump {sliding[105]}");
        Assert.True(sliding[205] < 0.5, $"second bump {sliding[205]}");
        Assert.True(fixedReference[205] > 4, $"second bump against the training series {fixedReference[205]}");
    }

    [Fact]
    public void OnItsTrainingSeriesEveryPointIsComparedWithItsOwnPastOnly()
    {
        const int length = 6, reference = 50;
        float[] training = Wave(200, 1, seed: 5);
        IFittedScorer scorer = Fit(Scorer.SlidingNearestNeighbour(reference: reference), training, window: length);
        var expected = new float[training.Length];
        var errors = new float[training.Length];

        ((ITrainingScorer)scorer).ScoreTraining(training, training, null, expected, errors);

        // A point needs a whole subsequence before its own to be compared with: 2·6 − 1 steps.
        Assert.All(errors[..((2 * length) - 1)], e => Assert.True(float.IsNaN(e)));
        for (int t = (2 * length) - 1; t < training.Length; t++)
        {
            (double distance, double neighbour) = BruteForce(training, t, length, reference);
            Assert.Equal(distance, errors[t], 1e-4 * Math.Max(1, distance));
            Assert.Equal(neighbour, expected[t]);
        }

        // Scored as a series that continues it, the training series' first points are compared with its own tail instead.
        (_, float[] continued) = BaselineScoring.Score(scorer, training);
        Assert.False(float.IsNaN(continued[length - 1]));

        // Held out: the steps with a full reference (2·6 + 50 − 2 = 60) where 200 of those remain; on a shorter series
        // the later half of those with any reference.
        Assert.Equal(60, Fit(Scorer.SlidingNearestNeighbour(reference: reference), Wave(400, 1, seed: 6), window: length).HeldOutFrom);
        Assert.Equal(11 + ((200 - 11) / 2), scorer.HeldOutFrom);
    }

    [Fact]
    public void TheFittedScorerKeepsTheTrainingTailItsReferenceStartsFrom()
    {
        float[] training = [.. Enumerable.Range(0, 3000).Select(t => (float)t)];
        var scorer = (FittedSlidingNearestNeighbourScorer)Fit(Scorer.SlidingNearestNeighbour(reference: 500), training);

        Assert.Equal((507, 2493f, 2999f), (scorer.Tail[0].Length, scorer.Tail[0][0], scorer.Tail[0][^1]));
        // The series that continues the training series: its first subsequence (3000…3007) is nearest to the latest of
        // the tail that ends a length before it (2992…2999), 8 steps off at each of its 8 values.
        float[] continued = [.. Enumerable.Range(3000, 20).Select(t => (float)t)];
        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, continued);
        Assert.Equal(Math.Sqrt(8 * 64.0), errors[7], 1e-3);
        Assert.Equal(2999f, expected[7]);
    }

    [Fact]
    public void AMissingObservationHasAnExpectedValueButNoError()
    {
        float[] training = Wave(200, 1, seed: 7);
        float[] inputs = Wave(40, 1, seed: 8);
        BaselineScoring.AssertAMissingObservationHasAnExpectedValueButNoError(Fit(Scorer.SlidingNearestNeighbour(), training), inputs, missing: 20);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(57)]
    public void SaliencyMatchesFiniteDifferences(int time)
    {
        // The inputs are a stretch of the training series moved a little, and the training series is noise: each query's
        // nearest neighbour is its source in the training tail by a wide margin, far from the inputs the check also moves.
        float[] training = Noise(300, 2, seed: 9);
        float[] moves = Noise(160, 2, seed: 10, scale: 0.3f);
        float[] inputs = [.. Enumerable.Range(0, 320).Select(i => training[100 + i] + moves[i])];
        IFittedScorer scorer = Fit(Scorer.SlidingNearestNeighbour(length: 10), training, features: 2);

        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(scorer, inputs, time);
    }

    [Fact]
    public void NamesLengthsAndRefusalsSayWhatIsNeeded()
    {
        float[] training = Wave(300, 1, seed: 11);
        Assert.Equal(("sliding nearest-neighbour", "sliding nearest-neighbour(length=5, reference=40)"),
            (Scorer.SlidingNearestNeighbour().Name, Scorer.SlidingNearestNeighbour(length: 5, reference: 40).Name));
        Assert.Equal("sliding nearest-neighbour(length=8)", Fit(Scorer.SlidingNearestNeighbour(), training).Name);
        Assert.Equal((24, 10), (Scorer.SlidingNearestNeighbour().MinimumLength(12), Scorer.SlidingNearestNeighbour(length: 5).MinimumLength(12)));
        Assert.False(Fit(Scorer.SlidingNearestNeighbour(), training).ErrorsAreSigned);

        Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingNearestNeighbourScorer(length: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingNearestNeighbourScorer(reference: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingNearestNeighbourScorer(reference: SlidingNearestNeighbourScorer.MaximumReference + 1));
        // The factory defers the refusal to the build, with the other invalid choices.
        Assert.Throws<ArgumentException>(() => Fit(Scorer.SlidingNearestNeighbour(reference: -1), training));

        // A window of 8 needs 16 training steps: a subsequence and one before it.
        var error = Assert.Throws<ArgumentException>(() => Fit(Scorer.SlidingNearestNeighbour(), Wave(15, 1, seed: 12)));
        Assert.Contains("needs at least 16", error.Message);
        Assert.Equal(7, Fit(Scorer.SlidingNearestNeighbour(), Wave(16, 1, seed: 12)).WarmUp);
    }
}
