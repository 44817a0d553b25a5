namespace GruAnomaly.Training;

/// <summary>
/// How a mini-batch is cut into shards of consecutive examples. The cut depends on the batch size alone, never on the
/// number of threads, so that any number of threads computes the same shards and adds their gradients in the same order.
/// </summary>
internal static class BatchShards
{
    /// <summary>
    /// The fewest examples in a shard (when the batch has more than one): fewer rows make every matrix product of the pass
    /// too thin to use the kernels well, and each shard re-reads all the weights at every step.
    /// </summary>
    public const int MinimumRows = 16;

    /// <summary>
    /// The most shards of a batch: each shard beyond the first keeps a gradient buffer of the whole parameter vector, so a
    /// very large batch gets larger shards rather than more of them.
    /// </summary>
    public const int MaximumShards = 16;

    /// <summary>
    /// A shard's pass must be at least this much work (steps × rows × parameters, roughly its multiply-adds forward) for
    /// handing it to another thread to pay for waking that thread and for the thinner matrix products.
    /// </summary>
    public const long MinimumParallelWork = 1L << 22;

    /// <summary>⌊batch / <see cref="MinimumRows"/>⌋ shards, at least 1 and at most <see cref="MaximumShards"/>.</summary>
    public static int Count(int batchSize) => Math.Clamp(batchSize / MinimumRows, 1, MaximumShards);

    /// <summary>Shard <paramref name="shard"/> of <paramref name="shards"/>: sizes differ by at most one, larger ones first.</summary>
    public static (int Start, int Rows) Range(int batchSize, int shards, int shard)
    {
        int rows = batchSize / shards, extra = batchSize % shards;
        return (shard * rows + Math.Min(shard, extra), rows + (shard < extra ? 1 : 0));
    }

    /// <summary>The most examples that shard <paramref name="shard"/> holds in any batch of up to <paramref name="batchSize"/> examples.</summary>
    public static int MaximumRows(int batchSize, int shard)
    {
        int most = 0;
        for (int size = 1; size <= batchSize; size++)
        {
            int shards = Count(size);
            if (shard < shards)
            {
                most = Math.Max(most, Range(size, shards, shard).Rows);
            }
        }

        return most;
    }

    /// <summary>
    /// The threads that a step of <paramref name="batchSize"/> examples uses: one per shard up to the allowed degree, or
    /// one when a shard's pass is too small to gain from another thread.
    /// </summary>
    /// <param name="maxDegreeOfParallelism">The option: positive, or -1 for one per processor.</param>
    /// <param name="batchSize">The full batch size.</param>
    /// <param name="steps">Steps per example.</param>
    /// <param name="parameterCount">Length of the parameter vector.</param>
    public static int Threads(int maxDegreeOfParallelism, int batchSize, int steps, int parameterCount)
    {
        int degree = maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        int shards = Count(batchSize);
        int threads = Math.Min(degree, shards);
        if (threads <= 1)
        {
            return 1;
        }

        long work = (long)steps * Range(batchSize, shards, shards - 1).Rows * parameterCount;
        return work >= MinimumParallelWork ? threads : 1;
    }
}
