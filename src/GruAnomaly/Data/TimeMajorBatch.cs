namespace GruAnomaly.Data;

/// <summary>The layout every network pass reads: time-major batches, <c>batch[(t·batchSize + slot)·features + f]</c>.</summary>
internal static class TimeMajorBatch
{
    /// <summary>Copies <paramref name="window"/> steps of a time-major series, from <paramref name="start"/>, into one slot of a batch.</summary>
    public static void WriteWindow(ReadOnlySpan<float> series, int features, int start, int window, Span<float> batch, int batchSize, int slot)
    {
        for (int t = 0; t < window; t++)
        {
            series.Slice((start + t) * features, features).CopyTo(batch.Slice(((t * batchSize) + slot) * features, features));
        }
    }
}
