using System.Diagnostics;
using GruAnomaly.Detection;

namespace GruAnomaly.Reliability;

/// <summary>
/// Streams many series through one shared detector on every core and checks that each series gives, to the last bit, what
/// it gives alone on one thread; that memory stays flat and nothing is allocated per point; then one long series computed
/// point by point (never held in memory) through one stream, and a long batch <c>Detect</c> with its peak memory.
/// </summary>
internal static class Soak
{
    public static int Run(long points, int streams, int detectPoints)
    {
        FittedAnomalyDetector detector = Detectors.Small();
        int perStream = (int)(points / streams);
        using var sampler = new MemorySampler();

        // Streams are created before the clock so that their buffers are not counted as allocations per point.
        DetectorStream[] parallel = [.. Enumerable.Range(0, streams).Select(_ => detector.CreateStream())];
        var parallelHashes = new ulong[streams];
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        Parallel.For(0, streams, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => parallelHashes[i] = Feed(parallel[i], i, perStream));
        TimeSpan parallelTime = clock.Elapsed;
        long allocatedPerPoint = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / Math.Max(1, (long)streams * perStream);
        (long heapLow, long heapHigh, long workingHigh) = sampler.Take();

        clock.Restart();
        int mismatches = 0;
        for (int i = 0; i < streams; i++)
        {
            mismatches += Feed(detector.CreateStream(), i, perStream) == parallelHashes[i] ? 0 : 1;
        }

        TimeSpan sequentialTime = clock.Elapsed;

        // One series longer than anything held: each point is computed when it is observed.
        sampler.Take();
        DetectorStream single = detector.CreateStream();
        clock.Restart();
        long longPoints = points;
        long alarms = 0;
        for (long t = 0; t < longPoints; t++)
        {
            alarms += single.Observe(Detectors.Value(t, seed: 7)).IsAlarm ? 1 : 0;
        }

        TimeSpan longTime = clock.Elapsed;
        (long longHeapLow, long longHeapHigh, _) = sampler.Take();

        // A long batch Detect: its peak is the series and its per-step results.
        float[] series = Detectors.Series(0, detectPoints, seed: 9);
        GC.Collect();
        sampler.Take();
        long workingBefore = Environment.WorkingSet;
        clock.Restart();
        DetectionResult result = detector.Detect(series);
        TimeSpan detectTime = clock.Elapsed;
        (_, long detectHeapHigh, long detectWorkingHigh) = sampler.Take();

        static double Mb(long bytes) => bytes / 1048576.0;
        Console.WriteLine($"| soak ({Environment.ProcessorCount} cores) | value |");
        Console.WriteLine("| --- | ---: |");
        Console.WriteLine($"| streams × points each, on {Environment.ProcessorCount} threads | {streams} × {perStream:N0} = {(long)streams * perStream:N0} points |");
        Console.WriteLine($"| parallel: points per second | {(long)streams * perStream / parallelTime.TotalSeconds:N0} |");
        Console.WriteLine($"| sequential rerun: points per second | {(long)streams * perStream / sequentialTime.TotalSeconds:N0} |");
        Console.WriteLine($"| series whose parallel results differ from their sequential rerun (hash of every point) | {mismatches} of {streams} |");
        Console.WriteLine($"| bytes allocated per point (parallel run, streams created before) | {allocatedPerPoint} |");
        Console.WriteLine($"| managed heap during the parallel run, lowest–highest sample | {Mb(heapLow):F1}–{Mb(heapHigh):F1} MB |");
        Console.WriteLine($"| peak working set during the parallel run | {Mb(workingHigh):F1} MB |");
        Console.WriteLine($"| one stream over {longPoints:N0} computed points: points per second | {longPoints / longTime.TotalSeconds:N0} ({alarms} alarms) |");
        Console.WriteLine($"| managed heap during it, lowest–highest sample | {Mb(longHeapLow):F1}–{Mb(longHeapHigh):F1} MB |");
        Console.WriteLine($"| Detect over {detectPoints:N0} points: time, points per second | {detectTime.TotalSeconds:F1} s, {detectPoints / detectTime.TotalSeconds:N0} ({result.Alarms.Count} alarms) |");
        Console.WriteLine($"| Detect: peak managed heap / peak working set (before: {Mb(workingBefore):F0} MB) | {Mb(detectHeapHigh):F0} / {Mb(detectWorkingHigh):F0} MB |");
        return mismatches == 0 ? 0 : 1;
    }

    /// <summary>Feeds a stream its series and returns a hash of every point's decision and scores, bit for bit.</summary>
    private static ulong Feed(DetectorStream stream, int series, int points)
    {
        ulong hash = 14695981039346656037UL;
        void Mix(ulong value) => hash = unchecked((hash ^ value) * 1099511628211UL);
        for (int t = 0; t < points; t++)
        {
            StreamPoint p = stream.Observe(Detectors.Value(t, seed: 100 + series));
            Mix((ulong)BitConverter.DoubleToInt64Bits(p.RawScore));
            Mix((ulong)BitConverter.DoubleToInt64Bits(p.Score));
            Mix((ulong)BitConverter.DoubleToInt64Bits(p.Threshold));
            Mix((p.IsFlagged ? 1UL : 0) | (p.IsAlarm ? 2UL : 0) | (p.IsScored ? 4UL : 0));
        }

        return hash;
    }

    /// <summary>Samples the managed heap and the working set every 50 ms; <see cref="Take"/> returns the extremes since the last call.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly Timer _timer;
        private readonly Lock _gate = new();
        private long _heapLow = long.MaxValue, _heapHigh, _workingHigh;

        public MemorySampler() => _timer = new Timer(_ => Sample(), null, 0, 50);

        public (long HeapLow, long HeapHigh, long WorkingHigh) Take()
        {
            Sample();
            lock (_gate)
            {
                (long, long, long) taken = (_heapLow, _heapHigh, _workingHigh);
                (_heapLow, _heapHigh, _workingHigh) = (long.MaxValue, 0, 0);
                return taken;
            }
        }

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            long heap = GC.GetTotalMemory(forceFullCollection: false), working = Environment.WorkingSet;
            lock (_gate)
            {
                _heapLow = Math.Min(_heapLow, heap);
                _heapHigh = Math.Max(_heapHigh, heap);
                _workingHigh = Math.Max(_workingHigh, working);
            }
        }
    }
}
