using GruAnomaly.Detection;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Reliability;

public sealed class ExploreTests(ITestOutputHelper output)
{
    private void Try(string what, Action a)
    {
        try { a(); File.AppendAllText("/tmp/explore.txt", $"{what}: OK\n"); }
        catch (Exception e) { File.AppendAllText("/tmp/explore.txt", $"{what}: {e.GetType().Name}: {e.Message}\n"); }
    }

    [Fact]
    public void Explore()
    {
        var quick = new TrainerOptions { Epochs = 1, BatchSize = 32, Seed = 1 };
        foreach (int n in new[] { 64, 100, 300, 1000, 3000 })
        foreach (float c in new[] { 0f, 3f, 1e6f })
        {
            float[] k = Enumerable.Repeat(c, n).ToArray();
            Try($"constant {c} x{n} default", () => AnomalyDetector.CreateBuilder().WithTrainer(quick).WithModel(Model.Gru(4)).Build().Fit(new TimeSeries(k)));
            Try($"constant {c} x{n} default model", () => AnomalyDetector.CreateBuilder().Build().Fit(new TimeSeries(k)));
            Try($"constant {c} x{n} POT", () => AnomalyDetector.CreateBuilder().WithTrainer(quick).WithModel(Model.Gru(4)).WithThreshold(Threshold.PeaksOverThreshold()).Build().Fit(new TimeSeries(k)));
        }
        float[] constant = Enumerable.Repeat(3f, 600).ToArray();
        Try("constant default", () => AnomalyDetector.CreateBuilder().WithTrainer(quick).WithModel(Model.Gru(4)).Build().Fit(new TimeSeries(constant)));
        Try("constant forecast", () => AnomalyDetector.CreateBuilder().WithScorer(Scorer.Forecast()).WithTrainer(quick).WithModel(Model.Gru(4)).Build().Fit(new TimeSeries(constant)));
        var rnd = new Random(1);
        IThresholdStrategy[] ts = [Threshold.Automatic(), Threshold.Fixed(1), Threshold.MeanPlusSigma(), Threshold.Quantile(0.99), Threshold.MedianPlusMad(), Threshold.PeaksOverThreshold(), Threshold.StreamingPeaksOverThreshold(1e-3), Threshold.DriftingPeaksOverThreshold(10, 1e-3), Threshold.Dynamic(), Threshold.FalseAlarmBudget(0.01)];
        foreach (int? window in new int?[] { null, 8 })
        foreach (var t in ts)
        {
            var b = AnomalyDetector.CreateBuilder().WithTrainer(quick).WithModel(Model.Gru(4)).WithThreshold(t);
            if (window is int w) b.WithWindow(w);
            var d = b.Build();
            int n = d.MinimumTrainingLength;
            float[] x = Enumerable.Range(0, n).Select(_ => (float)rnd.NextDouble()).ToArray();
            Try($"min length {n} window {window} {t.Name}", () => d.Fit(new TimeSeries(x)));
        }
        var det = AnomalyDetector.CreateBuilder().WithScorer(Scorer.Forecast()).WithWindow(8).WithTrainer(quick).WithModel(Model.Gru(4)).WithThreshold(Threshold.MeanPlusSigma()).Build();
        var fitted = det.Fit(new TimeSeries(Enumerable.Range(0, 300).Select(_ => (float)rnd.NextDouble()).ToArray()));
        Try("all missing detect", () => output.WriteLine("len " + fitted.Detect(new TimeSeries(Enumerable.Repeat(float.NaN, 50).ToArray())).Scores.Length));
        var det2 = AnomalyDetector.CreateBuilder().WithScorer(Scorer.Forecast()).WithWindow(8).WithTrainer(quick).WithModel(Model.Gru(4)).WithThreshold(Threshold.MeanPlusSigma()).Build();
        var two = new float[600];
        for (int i = 0; i < 300; i++) { two[2 * i] = (float)rnd.NextDouble(); two[2 * i + 1] = (float)rnd.NextDouble(); }
        var fitted2 = det2.Fit(new TimeSeries(two, 2));
        var t2 = (float[])two.Clone();
        for (int i = 0; i < 300; i++) t2[2 * i + 1] = float.NaN;
        Try("all missing feature detect", () => output.WriteLine("len " + fitted2.Detect(new TimeSeries(t2, 2)).Scores.Length));
        Try("all missing feature fit", () => det2.Fit(new TimeSeries(t2, 2)));
        Try("window maxvalue", () => AnomalyDetector.CreateBuilder().WithWindow(int.MaxValue).Build().Fit(new TimeSeries(new float[700])));
        Try("window maxvalue forecast", () => AnomalyDetector.CreateBuilder().WithScorer(Scorer.Forecast()).WithWindow(int.MaxValue).Build().Fit(new TimeSeries(new float[700])));
        Try("window maxvalue-1 recon", () => AnomalyDetector.CreateBuilder().WithScorer(Scorer.Reconstruction()).WithWindow(int.MaxValue).Build().Fit(new TimeSeries(new float[700])));
    }
}
