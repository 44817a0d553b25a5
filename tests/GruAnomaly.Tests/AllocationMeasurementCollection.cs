namespace GruAnomaly.Tests;

/// <summary>
/// Allocation counts, which other tests running in parallel would disturb: some are process-wide (MathNet allocates on
/// its own threads).
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class AllocationMeasurementCollection;
