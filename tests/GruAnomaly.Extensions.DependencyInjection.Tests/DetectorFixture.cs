using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Training;

[assembly: AssemblyFixture(typeof(GruAnomaly.Extensions.DependencyInjection.Tests.DetectorFixture))]

namespace GruAnomaly.Extensions.DependencyInjection.Tests;

/// <summary>Small detectors fitted once for the whole assembly, and saved to a temporary folder.</summary>
public sealed class DetectorFixture : IDisposable
{
    public DetectorFixture()
    {
        Directory.CreateDirectory(Folder);
        Detector = Configure(AnomalyDetector.CreateBuilder()).Build().Fit(Training);
        Detector.Save(Path);
        Other = Configure(AnomalyDetector.CreateBuilder()).WithTrainer(Trainer with { Seed = 2 }).Build().Fit(Training);
        Other.Save(OtherPath);
    }

    public static TrainerOptions Trainer { get; } = new() { Epochs = 3, BatchSize = 32, LearningRate = 5e-3f, Seed = 1 };

    public static TimeSeries Training { get; } = Series.Normal(800, seed: 1);

    public string Folder { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gruanomaly-di-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Gets a fitted detector, saved at <see cref="Path"/>.</summary>
    public FittedAnomalyDetector Detector { get; }

    public string Path => System.IO.Path.Combine(Folder, "detector.gad");

    /// <summary>Gets a detector with the same choices but other weights (another seed), saved at <see cref="OtherPath"/>.</summary>
    public FittedAnomalyDetector Other { get; }

    public string OtherPath => System.IO.Path.Combine(Folder, "other.gad");

    /// <summary>The choices of the test detectors: a small GRU forecast, quickly trained.</summary>
    public static AnomalyDetectorBuilder Configure(AnomalyDetectorBuilder builder) => builder
        .WithWindow(16)
        .WithModel(Models.Gru(hiddenSize: 4))
        .WithScorer(Scorer.Forecast())
        .WithLoss(Loss.Mse)
        .WithTrainer(Trainer);

    public string NewPath(string name) => System.IO.Path.Combine(Folder, Guid.NewGuid().ToString("N") + "-" + name);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
