using System.Diagnostics;
using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Reliability;

/// <summary>
/// How memory and time grow with the series length, the window and the hidden size: one quick fit (one epoch) and a
/// <c>Detect</c> per size, each varied alone from a small base, with the managed heap's peak sampled while it runs.
/// </summary>
internal static class Limits
{
    public static int Run(int maxLength, int maxWindow, int maxHidden)
    {
        Console.WriteLine("| varied | length | window | hidden | fit s | detect s | peak managed heap MB | heap before MB |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int length in Sizes(10_000, maxLength, 10))
        {
            Measure("length", length, 32, 16);
        }

        foreach (int window in Sizes(32, maxWindow, 4))
        {
            Measure("window", 20_000, window, 16);
        }

        foreach (int hidden in Sizes(16, maxHidden, 4))
        {
            Measure("hidden", 20_000, 32, hidden);
        }

        return 0;
    }

    private static IEnumerable<int> Sizes(int from, int to, int factor)
    {
        for (long size = from; size <= to; size *= factor)
        {
            yield return (int)size;
        }
    }

    private static void Measure(string varied, int length, int window, int hidden)
    {
        float[] series = Detectors.Series(0, length, seed: 3);
        AnomalyDetector detector = AnomalyDetector.CreateBuilder()
            .WithWindow(window)
            .WithModel(Models.Gru(hiddenSize: hidden))
            .WithTrainer(new TrainerOptions { Epochs = 1, Seed = 1 })
            .Build();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        using var peak = new PeakHeap();
        var clock = Stopwatch.StartNew();
        FittedAnomalyDetector fitted = detector.Fit(series);
        double fit = clock.Elapsed.TotalSeconds;
        clock.Restart();
        fitted.Detect(series);
        double detect = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"| {varied} | {length:N0} | {window} | {hidden} | {fit:F1} | {detect:F1} | {peak.Megabytes:F0} | {before / 1048576.0:F0} |");
    }

    /// <summary>The highest managed heap size sampled every 20 ms while it lives.</summary>
    private sealed class PeakHeap : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public PeakHeap() => _timer = new Timer(_ => Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), GC.GetTotalMemory(false))), null, 0, 20);

        public double Megabytes => Math.Max(Interlocked.Read(ref _peak), GC.GetTotalMemory(false)) / 1048576.0;

        public void Dispose() => _timer.Dispose();
    }
}
