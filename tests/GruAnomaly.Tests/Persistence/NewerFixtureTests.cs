using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Persistence;

/// <summary>
/// Backward compatibility of the newer formats: detectors written as version 8, with what versions 3 to 8 added (the
/// default five-part fusion calibrating points with a shorter nearest-neighbour reference, a seed, a running normalization
/// that keeps flagged scores out, alarms at onsets only), as version 9, the same with the automatic threshold's
/// exponential tail, as version 10, that with a sliding nearest-neighbour distance as a sixth part of the fusion, and as
/// version 11, the default with the plain distance at three lengths (a 300-step reference, so that the 700-step training
/// series holds it);
/// their stream states and what <c>Detect</c> reported, committed under <c>Fixtures/</c>. Every later library must load
/// them and report the same.
/// </summary>
/// <remarks>
/// Written by <see cref="GenerateFixtures"/>, an explicit test CI does not run; regenerate only when they are
/// missing, never to make a failing test pass. Scores are compared to rounding error, not bit for bit: the fusion's parts
/// and the GRU sum in an order that depends on the SIMD width of the machine (see <see cref="FixturePersistenceTests"/>).
/// A step's alarm is compared where the fixture's scores of that step and of the suppression period before it are
/// farther from their thresholds than that error could move them.
/// </remarks>
public sealed class NewerFixtureTests
{

    /// <summary>Relative to max(1, |value|), as for the version-1 fixture on the default kernels.</summary>
    private const double Tolerance = 1e-5;

    /// <summary>The fixture's alarm suppression: the detector's window.</summary>
    private const int Suppression = 16;

    [Theory]
    [InlineData(8, TailModel.GeneralizedPareto)]
    [InlineData(9, TailModel.Exponential)]
    [InlineData(10, TailModel.Exponential)]
    [InlineData(11, TailModel.Exponential)]
    public void TheFixtureHoldsWhatItsVersionAdded(int version, TailModel tail)
    {
        byte[] file = File.ReadAllBytes(DetectorFixtures.Path(DetectorFile(version)));
        FittedAnomalyDetector detector = FittedAnomalyDetector.Load(new MemoryStream(file));

        Assert.Equal(version, BitConverter.ToUInt16(file, 4));
        Assert.Equal(ScorerOf(version).Name, detector.Settings.Scorer.Name);
        Assert.Equal(11, detector.Settings.Seed);
        Assert.True(Assert.IsType<RunningScoreNormalization>(detector.Settings.Normalization).ExcludeFlagged);
        Assert.False(detector.Settings.EventRules.RepeatAlarms);
        Assert.Equal(tail, Assert.IsType<AutomaticThresholdStrategy>(detector.Settings.Threshold).Tail);
        // Loading and saving again gives the committed bytes: nothing is lost or reordered.
        Assert.Equal(file, Persisted.Bytes(detector));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public void TheDetectorStillDetectsWhatItDid(int version)
    {
        FittedAnomalyDetector detector = FittedAnomalyDetector.Load(DetectorFixtures.Path(DetectorFile(version)));
        DetectorFixtures.Row[] expected = DetectorFixtures.ReadExpected(ExpectedFile(version));
        DetectionResult result = detector.Detect(expected.Select(r => r.Value).ToArray());
        bool[] decided = Decided(expected);

        Assert.True(decided.Count(d => d) > expected.Length * 0.9, $"only {decided.Count(d => d)} of {expected.Length} alarms are compared");
        for (int t = 0; t < expected.Length; t++)
        {
            AssertSame(expected[t], t, decided[t], result.IsScored[t], result.RawScores[t], result.Scores[t], result.Thresholds[t], result.IsAlarm[t]);
            AssertClose(expected[t].Expected, result.Expected[t], t, "expected value");
        }

        Assert.Contains(expected, r => r.IsAlarm);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public void TheStreamStateStillContinues(int version)
    {
        FittedAnomalyDetector detector = FittedAnomalyDetector.Load(DetectorFixtures.Path(DetectorFile(version)));
        DetectorFixtures.Row[] expected = DetectorFixtures.ReadExpected(ExpectedFile(version));
        DetectorStream stream = detector.RestoreStream(new MemoryStream(File.ReadAllBytes(DetectorFixtures.Path(StreamFile(version)))));
        bool[] decided = Decided(expected);

        Assert.Equal(DetectorFixtures.StreamSavedAt, stream.Count);
        for (int t = DetectorFixtures.StreamSavedAt; t < expected.Length; t++)
        {
            StreamPoint point = stream.Observe(expected[t].Value);
            AssertSame(expected[t], t, decided[t], point.IsScored, point.RawScore, point.Score, point.Threshold, point.IsAlarm);
        }
    }

    /// <summary>
    /// Writes a version's fixtures into the source tree. Explicit: CI never runs it (see the class remarks). Versions 8
    /// and 9 differ only in the automatic threshold's tail, 9, 10 and 11 only in the scorer.
    /// </summary>
    [Theory(Explicit = true)]
    [InlineData(8, TailModel.GeneralizedPareto)]
    [InlineData(9, TailModel.Exponential)]
    [InlineData(10, TailModel.Exponential)]
    [InlineData(11, TailModel.Exponential)]
    public void GenerateFixtures(int version, TailModel tail)
    {
        FittedAnomalyDetector detector = AnomalyDetector.CreateBuilder()
            .WithWindow(16)
            .WithModel(Models.Gru(hiddenSize: 4))
            .WithTrainer(AnomalyDetectorTests.Quick with { Epochs = 3 })
            .WithSeed(11)
            .WithScoreNormalization(ScoreNormalization.RobustZ(history: 100, excludeFlagged: true))
            .WithEventRules(new EventRules { RepeatAlarms = false })
            .WithThreshold(Threshold.Automatic(tail: tail))
            .WithScorer(ScorerOf(version))
            .Build()
            .Fit(Synthetic.Normal(700, seed: 3));
        DetectorFixtures.Write(detector, DetectorStreamTests.TestSeries(700, seed: 5), DetectorFile(version), StreamFile(version), ExpectedFile(version));
    }

    /// <summary>
    /// The default's parts until version 11 (until version 10 the default itself), with a sliding distance as a sixth part
    /// in version 10 and the plain distance at three lengths in version 11.
    /// </summary>
    private static IAnomalyScorer ScorerOf(int version) => Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint,
    [
        Scorer.Forecast(), Scorer.RollingZScore(), Scorer.WindowedGaussian(window: 500),
        version < 11 ? Scorer.NearestNeighbour(reference: 2000) : Scorer.MultiLengthNearestNeighbour(reference: 300),
        Scorer.NearestNeighbour(normalize: true, reference: 2000),
        .. version == 10 ? [Scorer.SlidingNearestNeighbour(reference: 300)] : Array.Empty<IAnomalyScorer>(),
    ]);

    private static string DetectorFile(int version) => $"detector-v{version}.gad";

    private static string StreamFile(int version) => $"detector-v{version}-stream.gas";

    private static string ExpectedFile(int version) => $"detector-v{version}-expected.csv";

    private static void AssertSame(DetectorFixtures.Row row, int t, bool decided, bool isScored, double raw, double score, double threshold, bool isAlarm)
    {
        Assert.Equal(row.IsScored, isScored);
        AssertClose(row.RawScore, raw, t, "raw score");
        AssertClose(row.Score, score, t, "score");
        AssertClose(row.Threshold, threshold, t, "threshold");
        if (decided)
        {
            Assert.True(row.IsAlarm == isAlarm, $"alarm at {t}: {isAlarm}, fixture {row.IsAlarm}");
        }
    }

    /// <summary>
    /// Whether each step's alarm is beyond doubt: without repeats it depends on the flags of the step and of the
    /// <see cref="Suppression"/> steps before it, and each of those scores is a hundred tolerances from its threshold.
    /// </summary>
    private static bool[] Decided(DetectorFixtures.Row[] rows)
    {
        bool[] clear = [.. rows.Select(r => !r.IsScored || Math.Abs(r.Score - r.Threshold) > 100 * Tolerance * Math.Max(1, Math.Abs(r.Threshold)))];
        return [.. Enumerable.Range(0, rows.Length).Select(t => Enumerable.Range(Math.Max(0, t - Suppression), Math.Min(t, Suppression) + 1).All(u => clear[u]))];
    }

    private static void AssertClose(double expected, double actual, int t, string what)
    {
        Assert.True(double.IsNaN(expected) == double.IsNaN(actual), $"{what} at {t}: {actual:R}, fixture {expected:R}");
        Assert.True(double.IsNaN(expected) || Math.Abs(actual - expected) <= Tolerance * Math.Max(1, Math.Abs(expected)),
            $"{what} at {t}: {actual:R}, fixture {expected:R}");
    }
}
