using GruAnomaly.Detection;

namespace GruAnomaly.Cli.Csv;

/// <summary>
/// The value columns (NaN where a cell was missing) and timestamps that <see cref="CsvSeriesReader"/> read from a file,
/// with the line each row came from, so that a later check can still name the line it failed on.
/// </summary>
internal sealed class CsvTable
{
    private readonly double[][] _columns;
    private readonly int[] _lines;

    internal CsvTable(string source, char delimiter, bool hasHeader, IReadOnlyList<string> fileColumns, IReadOnlyList<string> columnNames,
        double[][] columns, string? timeColumn, DateTimeOffset[]? timestamps, int[] lines)
    {
        Source = source;
        Delimiter = delimiter;
        HasHeader = hasHeader;
        FileColumns = fileColumns;
        ColumnNames = columnNames;
        _columns = columns;
        TimeColumn = timeColumn;
        Timestamps = timestamps;
        _lines = lines;
    }

    /// <summary>Gets the file as the user named it.</summary>
    public string Source { get; }

    /// <summary>Gets the field separator, given or detected.</summary>
    public char Delimiter { get; }

    /// <summary>Gets whether the first row was a header.</summary>
    public bool HasHeader { get; }

    /// <summary>Gets the names of every column of the file (1-based numbers without a header).</summary>
    public IReadOnlyList<string> FileColumns { get; }

    /// <summary>Gets the names of the value columns that were read, in the order asked for.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Gets the name of the time column, or null without one.</summary>
    public string? TimeColumn { get; }

    /// <summary>Gets the timestamps (strictly increasing), or null without a time column.</summary>
    public IReadOnlyList<DateTimeOffset>? Timestamps { get; }

    /// <summary>Gets the number of data rows.</summary>
    public int RowCount => _lines.Length;

    /// <summary>Gets the 1-based line of the file that a data row came from.</summary>
    /// <param name="row">The 0-based data row.</param>
    /// <returns>The line.</returns>
    public int LineOf(int row) => _lines[row];

    /// <summary>Gets a value column by its position among <see cref="ColumnNames"/>.</summary>
    /// <param name="index">The 0-based position.</param>
    /// <returns>One value per row; NaN where the cell was missing.</returns>
    public ReadOnlySpan<double> Column(int index) => _columns[index];

    /// <summary>Gets a value column by name (exact, else ignoring case).</summary>
    /// <param name="name">The column's name.</param>
    /// <returns>One value per row; NaN where the cell was missing.</returns>
    /// <exception cref="CliException">No value column has that name.</exception>
    public ReadOnlySpan<double> Column(string name)
    {
        int index = IndexOf(name);
        return index >= 0
            ? _columns[index]
            : throw new CliException($"{Source} has no column '{name}'; its value columns are {string.Join(", ", ColumnNames.Select(n => $"'{n}'"))}.");
    }

    /// <summary>Finds a value column by name: an exact match first, else one that differs only in case.</summary>
    /// <param name="name">The column's name.</param>
    /// <returns>Its position among <see cref="ColumnNames"/>, or −1.</returns>
    public int IndexOf(string name)
    {
        for (int c = 0; c < ColumnNames.Count; c++)
        {
            if (ColumnNames[c] == name)
            {
                return c;
            }
        }

        for (int c = 0; c < ColumnNames.Count; c++)
        {
            if (string.Equals(ColumnNames[c], name, StringComparison.OrdinalIgnoreCase))
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>The value columns as a series for the detector: one feature per column, NaN where a cell was missing.</summary>
    /// <returns>The series, with the timestamps when the file had a time column.</returns>
    public TimeSeries ToTimeSeries()
    {
        int features = _columns.Length;
        if (features == 0)
        {
            throw new CliException($"{Source} has no value column to read.");
        }

        var values = new float[RowCount * features];
        for (int t = 0; t < RowCount; t++)
        {
            for (int f = 0; f < features; f++)
            {
                double value = _columns[f][t];
                if (!double.IsNaN(value) && Math.Abs(value) > float.MaxValue)
                {
                    throw new CsvDataException(Source, _lines[t], ColumnNames[f], $"{value} is too large for a 32-bit float.");
                }

                values[(t * features) + f] = (float)value;
            }
        }

        return new TimeSeries(values, features, Timestamps);
    }
}
