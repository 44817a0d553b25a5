using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Scoring;

public sealed class ScoreNormalizationTests
{
    [Fact]
    public void RobustZReadsEachScoreAgainstTheMedianAndInterquartileRangeBeforeIt()
    {
        // History 16, calibration 0..15: median 7.5, quartiles 3.75 and 11.25 (numpy's linear rule), IQR 7.5.
        double[] calibration = [.. Enumerable.Range(0, 16).Select(i => (double)i)];
        var normalized = new double[16];
        IFittedScoreNormalization fitted = ScoreNormalization.RobustZ(history: 16).Fit(calibration, normalized);

        double scale = 7.5 / 1.3489795003921634;
        var next = new double[2];
        fitted.Apply([7.5 + (3 * scale), 100], next);
        Assert.Equal(3, next[0], 12);

        // The second score is judged against 1..15 and the first new score: the oldest (0) has left the history.
        double[] history = [.. Enumerable.Range(1, 15).Select(i => (double)i), 7.5 + (3 * scale)];
        Array.Sort(history);
        double median = (history[7] + history[8]) / 2;
        double q1 = history[3] + (0.75 * (history[4] - history[3])), q3 = history[11] + (0.25 * (history[12] - history[11]));
        Assert.Equal((100 - median) / ((q3 - q1) / 1.3489795003921634), next[1], 10);

        // Calibration scores are normalized as a stream would have seen them; the first 16 use the first 16 scores' statistics.
        Assert.Equal((0 - 7.5) / scale, normalized[0], 12);
    }

    [Fact]
    public void ApplyingTwiceGivesTheSameResultAndLeavesTheFittedHistoryAlone()
    {
        double[] calibration = [.. Enumerable.Range(0, 300).Select(i => Math.Sin(i) + 2)];
        IFittedScoreNormalization fitted = ScoreNormalization.RobustZ(history: 100).Fit(calibration, new double[300]);
        double[] scores = [.. Enumerable.Range(0, 500).Select(i => Math.Cos(i) * 3)];
        var first = new double[500];
        var second = new double[500];
        fitted.Apply(scores, first);
        fitted.Apply(scores, second);
        Assert.Equal(first, second);
        Assert.Equal(100, ((FittedRunningScoreNormalization)fitted).History.Length);
    }

    [Theory]
    [InlineData("robust")]
    [InlineData("ratio")]
    public void ALastingRiseInTheNormalErrorLevelStopsLookingAnomalousWithinHalfTheHistory(string kind)
    {
        IScoreNormalization strategy = kind == "robust" ? ScoreNormalization.RobustZ(history: 400) : ScoreNormalization.RatioToMedian(history: 400);
        var random = new Random(1);
        double[] calibration = [.. Enumerable.Range(0, 1000).Select(_ => Math.Abs(Gaussian(random)))];
        var normalizedCalibration = new double[calibration.Length];
        IFittedScoreNormalization fitted = strategy.Fit(calibration, normalizedCalibration);
        double usual = normalizedCalibration.Order().ElementAt(990);

        // The normal error triples for good.
        double[] scores = [.. Enumerable.Range(0, 2000).Select(_ => 3 * Math.Abs(Gaussian(random)))];
        var normalized = new double[scores.Length];
        fitted.Apply(scores, normalized);

        int exceedEarly = normalized.Take(100).Count(v => v > usual);
        int exceedLate = normalized.Skip(400).Count(v => v > usual);
        Assert.True(exceedEarly > 20, $"right after the change {exceedEarly} of 100 exceed the calibration's 99th percentile");
        Assert.True(exceedLate < 1600 * 0.03, $"after the history has turned over, {exceedLate} of 1600 exceed it");
    }

    [Fact]
    public void RefusesBadArguments()
    {
        Assert.Contains("ScoreNormalization.RobustZ", Assert.Throws<ArgumentException>(() => ScoreNormalization.RobustZ(history: 15).Fit([1, 2], new double[2])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ScoreNormalization.RobustZ().Fit([], []));
        Assert.Throws<ArgumentException>(() => ScoreNormalization.RobustZ().Fit([1, double.NaN], new double[2]));
        Assert.Throws<ArgumentException>(() => ScoreNormalization.RobustZ().Fit([1, 2], new double[1]));
        IFittedScoreNormalization fitted = ScoreNormalization.RobustZ().Fit([1, 2, 3], new double[3]);
        Assert.Throws<ArgumentException>(() => fitted.Apply([double.PositiveInfinity], new double[1]));
    }

    [Fact]
    public void ConstantCalibrationScoresGiveFiniteNormalizedScores()
    {
        double[] calibration = [.. Enumerable.Repeat(0.5, 100)];
        var normalized = new double[100];
        IFittedScoreNormalization fitted = ScoreNormalization.RobustZ().Fit(calibration, normalized);
        Assert.All(normalized, v => Assert.Equal(0, v));
        var next = new double[1];
        fitted.Apply([0.6], next);
        Assert.True(double.IsFinite(next[0]) && next[0] > 0);
    }

    [Fact]
    public void AFlaggedScoreStaysOutOfTheHistoryAndAnUnflaggedOneEntersIt()
    {
        double[] calibration = [.. Enumerable.Range(0, 16).Select(i => (double)i)];
        IFittedScoreNormalization fitted = ScoreNormalization.RobustZ(history: 16, excludeFlagged: true).Fit(calibration, new double[16]);
        Assert.True(((IStreamableScoreNormalization)fitted).FollowsDecisions);
        ScoreNormalizationState state = ScoreNormalizationStates.Create(fitted);
        double scale = 7.5 / 1.3489795003921634;

        Assert.Equal((100 - 7.5) / scale, state.Normalize(100), 12);
        state.Decided(flagged: true);
        double probe = 7.5 + (3 * scale);
        Assert.Equal(3, state.Normalize(probe), 12); // against 0..15 still: 100 was kept out
        state.Decided(flagged: false);

        // The probe entered and pushed 0 out, as in an ungated history that never saw 100.
        var ungated = new double[2];
        ScoreNormalization.RobustZ(history: 16).Fit(calibration, new double[16]).Apply([probe, 50], ungated);
        Assert.Equal(ungated[1], state.Normalize(50));
    }

    [Fact]
    public void ARunOfFlagsLongerThanHalfTheHistoryEntersItSoALastingChangeIsLearned()
    {
        var random = new Random(3);
        double[] calibration = [.. Enumerable.Range(0, 400).Select(_ => Math.Abs(Gaussian(random)))];
        var normalizedCalibration = new double[calibration.Length];
        IFittedScoreNormalization fitted = ScoreNormalization.RobustZ(history: 100, excludeFlagged: true).Fit(calibration, normalizedCalibration);
        ScoreNormalizationState state = ScoreNormalizationStates.Create(fitted);

        // A constant score far above normal, flagged each time: the first 51 read the same history (the first 50 stay out,
        // the 51st is judged before it enters); from then on each enters, and 30 of them widen the quartiles.
        double[] constant = [.. Enumerable.Range(0, 82).Select(_ => Next(10))];
        Assert.All(constant.Take(51), v => Assert.Equal(constant[0], v));
        Assert.True(constant[81] < constant[0], $"the 82nd reads {constant[81]}, the first {constant[0]}");

        // Once it has entered, the new level is learned: a history that refused every flag would flag it for ever.
        double[] later = [.. Enumerable.Range(0, 300).Select(_ => Next(10 + Math.Abs(Gaussian(random))))];
        int flaggedLate = later.Skip(150).Count(v => v > 5);
        Assert.True(flaggedLate < 15, $"{flaggedLate} of the last 150 scores of the new level are still above 5");

        double Next(double score)
        {
            double normalized = state.Normalize(score);
            state.Decided(normalized > 5);
            return normalized;
        }
    }

    [Fact]
    public void AppliedAloneAHistoryThatKeepsFlaggedScoresOutTakesEveryScore()
    {
        double[] calibration = [.. Enumerable.Range(0, 300).Select(i => Math.Sin(i) + 2)];
        double[] scores = [.. Enumerable.Range(0, 500).Select(i => i % 50 == 0 ? 40 : Math.Cos(i) * 3)];
        var gated = new double[500];
        var ungated = new double[500];
        IFittedScoreNormalization fitted = ScoreNormalization.RobustZ(history: 100, excludeFlagged: true).Fit(calibration, new double[300]);
        fitted.Apply(scores, gated);
        ScoreNormalization.RobustZ(history: 100).Fit(calibration, new double[300]).Apply(scores, ungated);
        Assert.Equal(ungated, gated);
        Assert.Equal("RobustZ(history=100, excludeFlagged)", fitted.Name);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
