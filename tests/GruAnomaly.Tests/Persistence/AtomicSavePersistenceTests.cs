using GruAnomaly.Detection;
using GruAnomaly.Persistence;
using GruAnomaly.Scoring;
using GruAnomaly.Tests.Detection;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Persistence;

/// <summary>Saving to a path replaces the file only when the new one is complete: a failure leaves the old file and no temporary file.</summary>
public sealed class AtomicSavePersistenceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gruanomaly-persist-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void SavingToAPathWritesAFileThatLoadsAndReplacesAnOldOne()
    {
        string path = Path.Combine(_folder, "detector.gad");
        FittedAnomalyDetector first = Fit(seed: 1), second = Fit(seed: 2);
        first.Save(path);
        second.Save(path);

        Assert.Equal(Persisted.Bytes(second), File.ReadAllBytes(path));
        Assert.Equal(Persisted.Bytes(second), Persisted.Bytes(FittedAnomalyDetector.Load(path)));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(500)]
    public void AFailureMidSaveLeavesThePreviousFileAndNoTemporaryFile(int failAfter)
    {
        string path = Path.Combine(_folder, "detector.gad");
        FittedAnomalyDetector detector = Fit(seed: 1);
        detector.Save(path);
        byte[] before = File.ReadAllBytes(path);
        byte[] content = Persisted.Bytes(Fit(seed: 2));

        Assert.Throws<IOException>(() => AtomicFile.Write(path, content, file => new FailingStream(file, failAfter)));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void ADetectorThatCannotBeSavedLeavesThePreviousFileAlone()
    {
        string path = Path.Combine(_folder, "detector.gad");
        Fit(seed: 1).Save(path);
        byte[] before = File.ReadAllBytes(path);
        FittedAnomalyDetector custom = AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive()).WithThreshold(new CustomThreshold())
            .Build().Fit(Synthetic.Normal(300, seed: 1));

        Assert.Throws<NotSupportedException>(() => custom.Save(path));
        // Its streams' states cannot name their detector either.
        Assert.Contains(typeof(CustomThreshold).FullName!, Assert.Throws<NotSupportedException>(() => custom.CreateStream().Save(new MemoryStream())).Message,
            StringComparison.Ordinal);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void AStreamThatFailsMidSaveReportsTheFailure()
    {
        FittedAnomalyDetector detector = Fit(seed: 1);
        Assert.Throws<IOException>(() => detector.Save(new FailingStream(new MemoryStream(), 100)));
        Assert.Throws<ArgumentException>(() => detector.Save(new MemoryStream([], writable: false)));
        Assert.Throws<IOException>(() => detector.CreateStream().Save(new FailingStream(new MemoryStream(), 10)));
    }

    private static FittedAnomalyDetector Fit(int seed) =>
        AnomalyDetectorTests.QuickBuilder().WithScorer(Scorer.Naive()).Build().Fit(Synthetic.Normal(300, seed));

    private sealed class CustomThreshold : IThresholdStrategy
    {
        public string Name => "custom";

        public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores) => Threshold.Quantile(0.9).Fit(calibrationScores);
    }
}
