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
}
