using GruAnomaly.Detection;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;

namespace GruAnomaly.Tests.Scoring.Baselines;

/// <summary>The nearest-neighbour (discord) distance against a brute-force search, and its reference, saliency and refusals.</summary>
public sealed class NearestNeighbourScorerTests
{
    private static IFittedScorer Fit(IAnomalyScorer scorer, float[] training, int features = 1, int window = 8) =>
        BaselineScoring.Fit(scorer, features, window, training);

    /// <summary>A wave of period 13 with noise, each feature shifted: shapes repeat, but never exactly.</summary>
    internal static float[] Noisy(int length, int features, int seed)
    {
        var random = new Random(seed);
        var values = new float[length * features];
        for (int t = 0; t < length; t++)
        {
            for (int f = 0; f < features; f++)
            {
                values[(t * features) + f] = (float)(Math.Sin((t + (7 * f)) * 2 * Math.PI / 13) + (0.3 * random.NextDouble()));
            }
        }

        return values;
    }

    /// <summary>The distance and neighbour's last value by trying every reference subsequence, in double precision.</summary>
    private static (double Distance, double Expected) BruteForce(float[] reference, float[] query, bool normalize)
    {
        int length = query.Length;
        static (double Mean, double Deviation) Stats(ReadOnlySpan<float> x)
        {
            double m = 0, s = 0;
            foreach (float v in x)
            {
                m += v;
            }

            m /= x.Length;
            foreach (float v in x)
            {
                s += (v - m) * (v - m);
            }

            return (m, Math.Sqrt(s / x.Length));
        }

        (double queryMean, double queryDeviation) = Stats(query);
        double best = double.PositiveInfinity, expected = double.NaN;
        for (int j = 0; j + length <= reference.Length; j++)
        {
            ReadOnlySpan<float> candidate = reference.AsSpan(j, length);
            (double mean, double deviation) = Stats(candidate);
            double squared = 0;
            for (int k = 0; k < length; k++)
            {
                double difference = normalize
                    ? ((query[k] - queryMean) / queryDeviation) - ((candidate[k] - mean) / deviation)
                    : query[k] - candidate[k];
                squared += difference * difference;
            }

            if (squared < best)
            {
                best = squared;
                expected = normalize ? queryMean + (queryDeviation * (candidate[^1] - mean) / deviation) : candidate[^1];
            }
        }

        return (Math.Sqrt(best), expected);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryErrorIsTheDistanceToTheNearestTrainingSubsequence(bool normalize)
    {
        // Two features, each searched on its own; a series longer than one subsequence length, so that the sliding products
        // are both rebuilt (every 8 steps) and moved.
        const int features = 2, length = 8;
        float[] training = Noisy(300, features, seed: 1);
        float[] test = Noisy(120, features, seed: 2);
        test[(60 * features) + 1] += 3;
        var scorer = (FittedNearestNeighbourScorer)Fit(Scorer.NearestNeighbour(normalize: normalize), training, features, window: length);

        (float[] expected, float[] errors) = BaselineScoring.Score(scorer, test);

        Assert.Equal((length - 1, length), (scorer.WarmUp, scorer.Window));
        Assert.All(errors[..((length - 1) * features)], e => Assert.True(float.IsNaN(e)));
        int checkedSteps = 0;
        for (int t = length - 1; t < 120; t++)
        {
            for (int f = 0; f < features; f++)
            {
                float[] query = [.. Enumerable.Range(t - length + 1, length).Select(s => test[(s * features) + f])];
                (double distance, double neighbour) = BruteForce(scorer.Reference[f], query, normalize);
                Assert.Equal(distance, errors[(t * features) + f], 2e-4 * Math.Max(1, distance));
                Assert.Equal(neighbour, expected[(t * features) + f], 2e-4 * Math.Max(1, Math.Abs(neighbour)));
                checkedSteps++;
            }
        }

        Assert.Equal(2 * (120 - length + 1), checkedSteps);
        // The feature with the spike is far from everything in training while the spike is in its subsequence.
        Assert.True(errors[(60 * features) + 1] > 2 * errors[(60 * features) + 0], $"{errors[(60 * features) + 1]} against {errors[60 * features]}");
    }

    [Fact]
    public void TheReferenceKeepsTheLatestTrainingSteps()
    {
        // 13000 steps: the reference is the last 10000.
        float[] training = [.. Enumerable.Range(0, 13000).Select(t => (float)t)];
        var scorer = (FittedNearestNeighbourScorer)Fit(Scorer.NearestNeighbour(), training);

        Assert.Equal(NearestNeighbourScorer.MaximumReference, scorer.Reference[0].Length);
        Assert.Equal((3000f, 12999f), (scorer.Reference[0][0], scorer.Reference[0][^1]));
        Assert.Equal((3000, scorer.WarmUp), (scorer.ReferenceStart, scorer.HeldOutFrom));

        // Scored as any series, a training subsequence finds itself; scored as the training series, it cannot.
        (_, float[] errors) = BaselineScoring.Score(scorer, training);
        Assert.Equal(0f, errors[5000], 1e-3f);
        var expected = new float[training.Length];
        var ownErrors = new float[training.Length];
        scorer.ScoreTraining(training, training, null, expected, ownErrors);
        // The nearest subsequence that starts a whole length away is 8 steps off at every one of its 8 values: √(8·8²).
        Assert.Equal(Math.Sqrt(8 * 64.0), ownErrors[5000], 1e-3);
        // A step before the reference overlaps none of it, so nothing is left out: the nearest is the reference's first.
        Assert.Equal(Math.Sqrt(8 * 1007.0 * 1007.0), ownErrors[2000], 1e-2);
        Assert.Equal(errors[2000], ownErrors[2000]);
    }

    [Fact]
    public void AShorterReferenceKeepsFewerOfTheLatestTrainingSteps()
    {
        float[] training = [.. Enumerable.Range(0, 3000).Select(t => (float)t)];
        var scorer = (FittedNearestNeighbourScorer)Fit(Scorer.NearestNeighbour(reference: 500), training);

        Assert.Equal("nearest-neighbour(length=8, reference=500)", scorer.Name);
        Assert.Equal((500, 2500, 2500f, 2999f), (scorer.Reference[0].Length, scorer.ReferenceStart, scorer.Reference[0][0], scorer.Reference[0][^1]));
        // A subsequence of the reference finds itself; one before it is nearest to the reference's first, whose last value is 507 steps on.
        (_, float[] errors) = BaselineScoring.Score(scorer, training);
        Assert.Equal(0f, errors[2800], 1e-3f);
        Assert.Equal(Math.Sqrt(8 * 507.0 * 507.0), errors[2000], 1e-2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnItsTrainingSeriesEveryPointIsScoredAgainstTheSubsequencesThatDoNotOverlapIt(bool normalize)
    {
        const int length = 6;
        float[] training = Noisy(150, 1, seed: 11);
        var scorer = (FittedNearestNeighbourScorer)Fit(Scorer.NearestNeighbour(normalize: normalize), training, window: length);
        var expected = new float[training.Length];
        var errors = new float[training.Length];

        scorer.ScoreTraining(training, training, null, expected, errors);

        for (int t = length - 1; t < training.Length; t++)
        {
            int start = t - length + 1;
            // Every reference subsequence that starts at least a length away from the query's own start.
            float[] query = training[start..(t + 1)];
            double best = double.PositiveInfinity, neighbour = double.NaN;
            for (int j = 0; j + length <= training.Length; j++)
            {
                if (Math.Abs(j - start) < length)
                {
                    continue;
                }

                (double distance, double value) = BruteForce(training[j..(j + length)], query, normalize);
                if (distance < best)
                {
                    (best, neighbour) = (distance, value);
                }
            }

            Assert.Equal(best, errors[t], 2e-4 * Math.Max(1, best));
            Assert.Equal(neighbour, expected[t], 2e-4 * Math.Max(1, Math.Abs(neighbour)));
        }
    }

    [Fact]
    public void AFlatQueryIsAtZeroFromAFlatReferenceAndAtTheUncorrelatedDistanceFromAMovingOne()
    {
        const int length = 6;
        float[] moving = Noisy(100, 1, seed: 3);
        float[] withFlat = [.. moving[..50], .. Enumerable.Repeat(2f, 20), .. moving[70..]];
        float[] query = [.. Enumerable.Repeat(5f, 10)];

        (float[] expectedFlat, float[] errorsFlat) = BaselineScoring.Score(Fit(Scorer.NearestNeighbour(normalize: true), withFlat, window: length), query);
        (_, float[] errorsMoving) = BaselineScoring.Score(Fit(Scorer.NearestNeighbour(normalize: true), moving, window: length), query);

        Assert.Equal([0f, 0f, 0f, 0f, 0f], errorsFlat[(length - 1)..]);
        Assert.Equal(5f, expectedFlat[^1]);
        Assert.All(errorsMoving[(length - 1)..], e => Assert.Equal(Math.Sqrt(2.0 * length), e, 1e-6));
    }

    [Fact]
    public void AMissingObservationHasAnExpectedValueButNoError()
    {
        float[] training = Noisy(200, 1, seed: 4);
        float[] inputs = Noisy(40, 1, seed: 5);
        BaselineScoring.AssertAMissingObservationHasAnExpectedValueButNoError(Fit(Scorer.NearestNeighbour(), training), inputs, missing: 20);
    }

    [Theory]
    [InlineData(false, 30)]
    [InlineData(true, 30)]
    [InlineData(true, 57)]
    public void SaliencyMatchesFiniteDifferences(bool normalize, int time)
    {
        // The inputs are a stretch of the reference moved a little, so that each query's nearest neighbour is its source by a
        // wide margin: the distance is a minimum, differentiable only where the minimiser does not change within the step.
        float[] training = Noisy(300, 2, seed: 6);
        float[] moves = Noisy(80, 2, seed: 7);
        float[] inputs = [.. Enumerable.Range(0, 160).Select(i => training[100 + i] + (0.1f * moves[i]))];
        IFittedScorer scorer = Fit(Scorer.NearestNeighbour(length: 10, normalize: normalize), training, features: 2);

        BaselineScoring.AssertSaliencyMatchesFiniteDifferences(scorer, inputs, time);
    }

    [Fact]
    public void NamesAndLengthsFollowTheDetectorsWindowUnlessGiven()
    {
        float[] training = Noisy(300, 1, seed: 8);
        Assert.Equal("nearest-neighbour(length=8)", Fit(Scorer.NearestNeighbour(), training).Name);
        Assert.Equal("nearest-neighbour(length=5, z-normalised)", Fit(Scorer.NearestNeighbour(length: 5, normalize: true), training).Name);
        Assert.Equal(("nearest-neighbour", "nearest-neighbour(z-normalised)"), (Scorer.NearestNeighbour().Name, Scorer.NearestNeighbour(normalize: true).Name));
        Assert.Equal((12, 5), (Scorer.NearestNeighbour().MinimumLength(12), Scorer.NearestNeighbour(length: 5).MinimumLength(12)));
        Assert.False(Fit(Scorer.NearestNeighbour(), training).ErrorsAreSigned);
    }

    [Fact]
    public void BadSettingsAndTooShortTrainingAreRefusedSayingWhatIsNeeded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NearestNeighbourScorer(length: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NearestNeighbourScorer(length: 1, normalize: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NearestNeighbourScorer(reference: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NearestNeighbourScorer(reference: NearestNeighbourScorer.MaximumReference + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NearestNeighbourScorer(length: 20, reference: 19));
        // Without a length, the window decides at the fit: a reference must hold one subsequence of it.
        Assert.Contains("reference of 6 steps, shorter than one subsequence of the detector's window (8)",
            Assert.Throws<ArgumentException>(() => Fit(Scorer.NearestNeighbour(reference: 6), Noisy(50, 1, seed: 9))).Message);

        // A window of 8 needs 8 training steps, one subsequence.
        var error = Assert.Throws<ArgumentException>(() => Fit(Scorer.NearestNeighbour(), Noisy(7, 1, seed: 9)));
        Assert.Contains("needs at least 8", error.Message);
        Assert.Equal(7, Fit(Scorer.NearestNeighbour(), Noisy(8, 1, seed: 9)).WarmUp);
    }

    [Fact]
    public void ADetectorCalibratesOnTrainingDistancesThatLeaveEachPointOut()
    {
        float[] training = Synthetic.Normal(800, seed: 10);
        // Without smoothing, whose start at the typical calibration score would hide the zeros at first.
        FittedAnomalyDetector neighbour = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.NearestNeighbour()).WithSmoothing(1).Build().Fit(training);
        FittedAnomalyDetector forecast = AnomalyDetectorTests.QuickBuilder().Build().Fit(training);
        var series = new TimeSeries(training);

        DetectionResult asNew = neighbour.Detect(series), asTraining = neighbour.DetectTraining(series);
        int scored = asNew.IsScored.ToArray().Count(s => s);

        // Scored as a new series, the training points find themselves; as the calibration scored them, none does.
        Assert.True(scored > 700, $"{scored}");
        Assert.All(Enumerable.Range(0, series.Length).Where(t => asNew.IsScored[t]), t => Assert.Equal(0, asNew.RawScores[t], 1e-3));
        Assert.All(Enumerable.Range(0, series.Length).Where(t => asTraining.IsScored[t]), t => Assert.True(asTraining.RawScores[t] > 1e-2));
        // A scorer that keeps nothing of its training points scores its training series the same either way.
        Assert.Equal(forecast.Detect(series).RawScores.ToArray(), forecast.DetectTraining(series).RawScores.ToArray());
    }
}
