using System.Globalization;
using GruAnomaly.Detection;

namespace GruAnomaly.Quality;

/// <summary>
/// One labelled series of the shared datasets (<c>index,&lt;values…&gt;,label,split</c>). Values and labels are kept
/// apart on purpose: only <see cref="Values"/> ever reaches a detector, labels only score.
/// </summary>
internal sealed class LabelledSeries
{
    private LabelledSeries(string name, float[] values, int features, bool[] labels, string[] splits)
    {
        Name = name;
        Values = values;
        Features = features;
        Labels = labels;
        Splits = splits;
    }

    public string Name { get; }

    public int Features { get; }

    public int Length => Labels.Length;

    /// <summary>Time-major values, <see cref="Features"/> per step.</summary>
    public float[] Values { get; }

    public bool[] Labels { get; }

    public string[] Splits { get; }

    /// <summary>
    /// A copy with a share <paramref name="rate"/> of the values removed (NaN) at random, each value independently, from a
    /// generator seeded by <paramref name="seed"/>, the rate and the series' name, so a run is repeatable; labels stay.
    /// </summary>
    public LabelledSeries WithMissing(double rate, int seed)
    {
        int nameHash = 17;
        foreach (char c in Name)
        {
            nameHash = unchecked((nameHash * 31) + c);
        }

        // Not HashCode.Combine: it is salted per process, and the removed values must be the same in every run.
        var random = new Random(unchecked((seed * 1_000_003) + ((int)Math.Round(rate * 1000) * 7919) + nameHash) & int.MaxValue);
        float[] values = (float[])Values.Clone();
        for (int i = 0; i < values.Length; i++)
        {
            if (random.NextDouble() < rate)
            {
                values[i] = float.NaN;
            }
        }

        return new LabelledSeries(Name, values, Features, Labels, Splits);
    }

    public TimeSeries Slice(int start, int length) => new(Values.AsSpan(start * Features, length * Features), Features);

    /// <summary>The first row and the number of rows of a split; the splits of these files are contiguous.</summary>
    public (int Start, int Length) Range(string split)
    {
        int start = Array.IndexOf(Splits, split), end = Array.LastIndexOf(Splits, split);
        if (start < 0)
        {
            throw new InvalidDataException($"{Name} has no '{split}' rows.");
        }

        return (start, end - start + 1);
    }

    public static LabelledSeries Load(string path, string name)
    {
        using var reader = new StreamReader(path);
        string header = reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty.");
        string[] columns = header.Split(',');
        if (columns.Length < 4 || columns[0] != "index" || columns[^2] != "label" || columns[^1] != "split")
        {
            throw new InvalidDataException($"{path}: expected the header index,<values...>,label,split; got '{header}'.");
        }

        int features = columns.Length - 3;
        var values = new List<float>();
        var labels = new List<bool>();
        var splits = new List<string>();
        int line = 1;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            string[] cells = text.Split(',');
            if (cells.Length != columns.Length)
            {
                throw new InvalidDataException($"{path}:{line}: {cells.Length} cells; expected {columns.Length}.");
            }

            for (int f = 0; f < features; f++)
            {
                values.Add(float.Parse(cells[1 + f], NumberStyles.Float, CultureInfo.InvariantCulture));
            }

            labels.Add(cells[^2] == "1");
            splits.Add(cells[^1]);
        }

        return new LabelledSeries(name, [.. values], features, [.. labels], [.. splits]);
    }

    /// <summary>Every CSV under <paramref name="root"/>, named family/file, in a stable order.</summary>
    public static IEnumerable<(string Name, string Path)> Find(string root) =>
        Directory.EnumerateFiles(root, "*.csv", SearchOption.AllDirectories)
            .Select(p => (Name: Path.GetRelativePath(root, p).Replace('\\', '/').Replace(".csv", string.Empty, StringComparison.Ordinal), Path: p))
            .OrderBy(s => s.Name, StringComparer.Ordinal);
}
