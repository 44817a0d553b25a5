using GruAnomaly.Detection;
using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Scoring.Baselines;

/// <summary>
/// The plain nearest-neighbour distance at three lengths: the largest root-mean-square distance of the three plain
/// distances, the window's length alone on a training series shorter than the reference, lengths that do not fit left
/// out, saliency, names and refusals.
/// </summary>
public sealed class MultiLengthNearestNeighbourScorerTests
{
    private static IFittedScorer Fit(IAnomalyScorer scorer, float[] training, int features = 1, int window = 8) =>
        BaselineScoring.Fit(scorer, features, window, training);

    private static float[] Noisy(int length, int features, int seed) => NearestNeighbourScorerTests.Noisy(length, features, seed);

    [Fact]
    public void EveryErrorIsTheLargestOfThePlainDistancesAtThreeLengthsPerStep()
    {
        const int features = 2, window = 8, reference = 300;
        float[] training = Noisy(400, features, seed: 1);
        float[] test = Noisy(120, features, seed: 2);
        test[(70 * features) + 1] += 3;
        IFittedScorer scorer = Fit(Scorer.MultiLengthNearestNeighbour(reference), training, features, window);
        Assert.Equal("multi-length nearest-neighbour(reference=300) (lengths 8/4/16)", scorer.Name);
        Assert.Equal(15, scorer.WarmUp);

        int[] lengths = [8, 4, 16];
        IFittedScorer[] plain = [.. lengths.Select(l => Fit(Scorer.NearestNeighbour(l, reference: reference), training, features, window))];
        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, test);
        (float[] Expected, float[] Errors)[] parts = [.. plain.Select(p => BaselineScoring.Score(p, test))];
        for (int i = 0; i < test.Length; i++)
        {
            if (i < scorer.WarmUp * features)
            {
                Assert.True(float.IsNaN(errors[i]) && float.IsNaN(expected[i]));
                continue;
            }

            float largest = parts.Select((p, k) => p.Errors[i] * (1 / MathF.Sqrt(lengths[k]))).Max();
            Assert.Equal(largest, errors[i]);
            Assert.Equal(parts[0].Expected[i], expected[i]);
        }

        // The bump at step 70 is what the lengths find most unusual, at it or at the next step.
        Assert.InRange(Enumerable.Range(scorer.WarmUp, 120 - scorer.WarmUp).MaxBy(t => errors[(t * features) + 1]), 70, 71);
    }

    [Fact]
    public void TheTrainingSeriesIsScoredByEachLengthAsANewSeriesWouldBe()
    {
        const int window = 8, reference = 300;
        float[] training = Noisy(400, 1, seed: 3);
        var scorer = (ITrainingScorer)Fit(Scorer.MultiLengthNearestNeighbour(reference), training, window: window);
        int[] lengths = [8, 4, 16];
        var ownErrors = new float[training.Length];
        scorer.ScoreTraining(training, training, null, new float[training.Length], ownErrors);
        float[][] partErrors = [.. lengths.Select(l =>
        {
            var errors = new float[training.Length];
            ((ITrainingScorer)Fit(Scorer.NearestNeighbour(l, reference: reference), training, window: window)).ScoreTraining(training, training, null, new float[training.Length], errors);
            return errors;
        })];

        for (int t = 15; t < training.Length; t++)
        {
            Assert.Equal(partErrors.Select((e, k) => e[t] * (1 / MathF.Sqrt(lengths[k]))).Max(), ownErrors[t]);
        }
    }

    [Fact]
    public void ATrainingSeriesShorterThanTheReferenceGivesThePlainDistanceAtTheWindowAlone()
    {
        float[] training = Noisy(250, 1, seed: 4);
        float[] test = Noisy(60, 1, seed: 5);
        IFittedScorer scorer = Fit(Scorer.MultiLengthNearestNeighbour(reference: 300), training);
        IFittedScorer plain = Fit(Scorer.NearestNeighbour(length: 8, reference: 300), training);

        Assert.Equal(plain.Name, scorer.Name);
        Assert.Equal(BaselineScoring.Score(plain, test).Errors, BaselineScoring.Score(scorer, test).Errors);
    }

    [Theory]
    [InlineData(3, 300, "lengths 3/6")]
    [InlineData(200, 300, "lengths 200/100")]
    [InlineData(150, 300, "lengths 150/75/300")]
    public void LengthsThatDoNotFitAreLeftOut(int window, int reference, string lengths)
    {
        IFittedScorer scorer = Fit(Scorer.MultiLengthNearestNeighbour(reference), Noisy(400, 1, seed: 6), window: window);
        Assert.EndsWith($"({lengths})", scorer.Name);
    }

    [Fact]
    public void AMissingObservationHasAnExpectedValueButNoError() =>
        BaselineScoring.AssertAMissingObservationHasAnExpectedValueButNoError(
            Fit(Scorer.MultiLengthNearestNeighbour(reference: 300), Noisy(400, 1, seed: 7)), Noisy(60, 1, seed: 8), missing: 40);

    [Fact]
    public void SaliencyMatchesFiniteDifferencesWhereOneLengthDecides()
    {
        // A stretch of the reference moved a little, so that each length's nearest neighbour is its source by a wide margin.
        const int features = 2, window = 10;
        float[] training = Noisy(400, features, seed: 9);
        float[] moves = Noisy(100, features, seed: 10);
        float[] inputs = [.. Enumerable.Range(0, 200).Select(i => training[200 + i] + (0.1f * moves[i]))];
        IFittedScorer scorer = Fit(Scorer.MultiLengthNearestNeighbour(reference: 300), training, features, window);

        // The largest is differentiable where one length decides by a margin that the finite differences' steps cannot
        // close; where two lengths tie, it has a kink. Every step with such a margin in both features is checked.
        int[] lengths = [10, 5, 20];
        float[][] scaled = [.. lengths.Select(l => BaselineScoring.Score(Fit(Scorer.NearestNeighbour(l, reference: 300), training, features, window), inputs)
            .Errors.Select(e => e / MathF.Sqrt(l)).ToArray())];
        int[] decided = [.. Enumerable.Range(scorer.WarmUp, 100 - scorer.WarmUp).Where(t => Enumerable.Range(0, features).All(f =>
        {
            float[] ordered = [.. scaled.Select(s => s[(t * features) + f]).OrderDescending()];
            return ordered[0] - ordered[1] > 0.005f;
        }))];
        Assert.True(decided.Length >= 3, $"only {decided.Length} steps where one length decides");
        foreach (int time in decided.Take(6))
        {
            BaselineScoring.AssertSaliencyMatchesFiniteDifferences(scorer, inputs, time);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10_001)]
    public void AReferenceOutOfRangeIsRefused(int reference)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLengthNearestNeighbourScorer(reference));
        var error = Assert.ThrowsAny<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithScorer(Scorer.MultiLengthNearestNeighbour(reference)).Build());
        Assert.Contains("Scorer.MultiLengthNearestNeighbour", error.Message);
    }
}
