using System.Runtime.ExceptionServices;

namespace GruAnomaly.Training;

/// <summary>Work split into shards that may run on any thread in any order, each writing only its own buffers.</summary>
internal interface IShardWork
{
    /// <summary>Runs shard <paramref name="shard"/>.</summary>
    void RunShard(int shard);
}

/// <summary>
/// A few threads kept for one fit that run the shards of a mini-batch beside the calling thread. Threads take the next
/// shard from a shared counter, so which thread runs a shard varies, but each shard's result does not.
/// </summary>
/// <remarks>
/// Why not <see cref="Parallel.For(int, int, Action{int})"/>: it allocates on every call, and a fit makes two or three
/// calls per mini-batch. Here a phase costs two counters, one semaphore release and (when a helper finishes last) one
/// event: nothing is allocated after the threads have started.
/// </remarks>
internal sealed class ShardWorkers : IDisposable
{
    private readonly Thread[] _helpers;
    private readonly Exception?[] _errors;
    private readonly SemaphoreSlim _start = new(0);
    // A semaphore rather than a ManualResetEventSlim: the event creates its lock and kernel handle lazily the first time a
    // wait blocks, which allocated on the training thread in a later epoch whenever the scheduler first made it wait then.
    private readonly SemaphoreSlim _done = new(0);
    private IShardWork? _work;
    private int _shards;
    private int _next;
    private int _pending;
    private volatile bool _stopping;

    /// <summary>Starts <paramref name="threads"/> − 1 helper threads.</summary>
    /// <param name="threads">Threads in all, the caller's included (at least 2).</param>
    /// <param name="maximumShards">The most shards of one call.</param>
    public ShardWorkers(int threads, int maximumShards)
    {
        _errors = new Exception?[maximumShards];
        _helpers = new Thread[threads - 1];
        for (int i = 0; i < _helpers.Length; i++)
        {
            // Background threads: a fit that is abandoned without Dispose cannot keep the process alive.
            _helpers[i] = new Thread(Loop) { IsBackground = true, Name = "GruAnomaly training shard worker" };
            _helpers[i].Start();
        }
    }

    /// <summary>
    /// Runs shards 0 to <paramref name="shards"/> − 1 of <paramref name="work"/> on the helpers and the calling thread and
    /// returns when all are done. When shards fail, every shard still runs and the exception of the lowest failing shard
    /// is rethrown, so the error does not depend on the threads either.
    /// </summary>
    public void Run(IShardWork work, int shards)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        int helpers = Math.Min(_helpers.Length, shards - 1);
        _work = work;
        _shards = shards;
        _next = -1;
        _pending = helpers + 1;
        _start.Release(helpers);
        Work();
        if (Interlocked.Decrement(ref _pending) != 0)
        {
            _done.Wait();
        }

        _work = null;
        for (int shard = 0; shard < shards; shard++)
        {
            if (_errors[shard] is Exception error)
            {
                Array.Clear(_errors);
                ExceptionDispatchInfo.Throw(error);
            }
        }
    }

    /// <summary>Stops the helper threads.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _start.Release(_helpers.Length);
        foreach (Thread helper in _helpers)
        {
            helper.Join();
        }

        _start.Dispose();
        _done.Dispose();
    }

    private void Work()
    {
        IShardWork work = _work!;
        int shard;
        while ((shard = Interlocked.Increment(ref _next)) < _shards)
        {
            try
            {
                work.RunShard(shard);
            }
            catch (Exception error)
            {
                _errors[shard] = error;
            }
        }
    }

    private void Loop()
    {
        while (true)
        {
            _start.Wait();
            if (_stopping)
            {
                return;
            }

            // A helper may take a second release of the same call after finishing its first; it then only finds the
            // counter past the end. Either way every release ends in exactly one decrement, and the last one wakes Run.
            Work();
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.Release();
            }
        }
    }
}
