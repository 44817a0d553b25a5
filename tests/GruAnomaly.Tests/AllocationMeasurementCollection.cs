namespace GruAnomaly.Tests;

/// <summary>
/// Allocation counts, which other tests running in parallel would disturb: some are process-wide, and the GEMM's pooled
/// packing buffers (ArrayPool.Shared) can be taken by another thread, so a warm path would then rent a fresh one.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class AllocationMeasurementCollection;
