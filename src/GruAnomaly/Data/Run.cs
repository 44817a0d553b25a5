namespace GruAnomaly.Data;

/// <summary>A maximal run of consecutive true flags: one event (a labelled anomaly or a predicted one).</summary>
/// <param name="Start">Index of the first flag of the run.</param>
/// <param name="Length">Number of flags in the run.</param>
internal readonly record struct Run(int Start, int Length)
{
    /// <summary>Index one past the last flag of the run.</summary>
    public int End => Start + Length;

    /// <summary>The runs of <paramref name="flags"/> in increasing order; they are disjoint and never adjacent.</summary>
    public static Run[] Find(ReadOnlySpan<bool> flags)
    {
        var runs = new List<Run>();
        int i = 0;
        while (i < flags.Length)
        {
            if (!flags[i])
            {
                i++;
                continue;
            }

            int start = i;
            while (i < flags.Length && flags[i])
            {
                i++;
            }

            runs.Add(new Run(start, i - start));
        }

        return [.. runs];
    }
}
