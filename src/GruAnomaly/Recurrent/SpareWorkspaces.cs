namespace GruAnomaly.Recurrent;

/// <summary>
/// A model that hands the workspaces of a finished training run to the next run on the same model instance (a
/// fine-tune of a fitted detector, another fit with the same trainer settings).
/// </summary>
internal interface IReusesWorkspaces
{
    /// <summary>A spare workspace of this model, or a new one.</summary>
    ISequenceWorkspace RentWorkspace();

    /// <summary>Offers a workspace this caller no longer uses to the next <see cref="RentWorkspace"/>.</summary>
    void ReturnWorkspace(ISequenceWorkspace workspace);
}

/// <summary>
/// The spare workspaces of one model instance, held weakly.
/// </summary>
/// <remarks>
/// <para>Why: a training run's workspaces are large-object-heap arrays (22.7 MB for the seed shape's two shards), and a
/// fresh allocation of them cost a one-epoch fit about 55 ms of collections and first-touch page faults on our VMs,
/// against 7 ms per mini-batch after it (benchmarks/results/workspace-reuse-2026-12-03.md).</para>
/// <para>Held weakly, the spares keep nothing alive that the collector would have freed: large-object arrays are only
/// reclaimed by a full collection, which clears these references too. A rented workspace is prepared for every pass as
/// a new one is, so reuse is not observable in any result (tested bit for bit).</para>
/// </remarks>
internal sealed class SpareWorkspaces<TWorkspace>(Func<TWorkspace> create)
    where TWorkspace : class, ISequenceWorkspace
{
    /// <summary>As many as a run of up to 8 shards (mini-batches of up to 128) returns.</summary>
    private const int Slots = 8;

    private readonly WeakReference<TWorkspace>?[] _slots = new WeakReference<TWorkspace>?[Slots];

    public TWorkspace Rent()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Interlocked.Exchange(ref _slots[i], null) is { } spare && spare.TryGetTarget(out TWorkspace? workspace))
            {
                return workspace;
            }
        }

        return create();
    }

    public void Return(TWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var spare = new WeakReference<TWorkspace>(workspace);
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _slots[i], spare, null) is null)
            {
                return;
            }
        }
    }
}
