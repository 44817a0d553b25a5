using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Tests;

/// <summary>
/// Allocation counts, which other tests running in parallel would disturb: some are process-wide (MathNet allocates on
/// its own threads).
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class AllocationMeasurementCollection;

/// <summary>Counts what a piece of code allocates on the calling thread.</summary>
internal static class Allocations
{
    /// <summary>
    /// Bytes allocated by <paramref name="action"/> on this thread, measured inside a no-GC region: a collection started by
    /// another thread retires this thread's allocation buffer, and its unused rest can then show up in the count
    /// (seen here as a few kilobytes once in many runs) even though the measured code allocated nothing.
    /// </summary>
    public static long On(Action action)
    {
        bool quiet = GC.TryStartNoGCRegion(64L << 20);
        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        finally
        {
            if (quiet && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
    }

    /// <summary>
    /// Fits <paramref name="network"/> with <paramref name="trainer"/> and asserts that every mini-batch step after an
    /// epoch's first allocated nothing on this thread. The progress callback runs on the training thread right after each
    /// step, so the bytes allocated between two reports of one epoch are exactly what one step (and the report) allocated.
    /// </summary>
    public static void AssertTrainerStepsAllocateNothing(Trainer trainer, ISequenceModel network, ReadOnlySpan<float> parameters,
        ISequenceDataset data, int minimumSteps = 30)
    {
        var progress = new StepRecorder(capacity: 64);

        trainer.Fit(network, parameters, data, progress);

        int checkedSteps = 0;
        for (int i = 1; i < progress.Count; i++)
        {
            if (progress.Epochs[i] == progress.Epochs[i - 1])
            {
                Assert.True(progress.Bytes[i] - progress.Bytes[i - 1] == 0,
                    $"epoch {progress.Epochs[i]}, batch {progress.Batches[i]} allocated {progress.Bytes[i] - progress.Bytes[i - 1]} bytes");
                checkedSteps++;
            }
        }

        Assert.True(checkedSteps >= minimumSteps, $"only {checkedSteps} steps were checked");
    }

    /// <summary>Records the bytes this thread had allocated at each progress report.</summary>
    private sealed class StepRecorder(int capacity) : IProgress<TrainingProgress>
    {
        public int[] Epochs { get; } = new int[capacity];

        public int[] Batches { get; } = new int[capacity];

        public long[] Bytes { get; } = new long[capacity];

        public int Count { get; private set; }

        public void Report(TrainingProgress value)
        {
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            Epochs[Count] = value.Epoch;
            Batches[Count] = value.Batch;
            Bytes[Count] = bytes;
            Count++;
        }
    }
}
