namespace GruAnomaly.Cli.Csv;

/// <summary>The data rows of a CSV file as text, every row as wide as the header, with the line each came from.</summary>
internal sealed class CsvRows
{
    private readonly List<string[]> _records;
    private readonly List<int> _lines;

    internal CsvRows(string source, char delimiter, bool hasHeader, IReadOnlyList<string> names, List<string[]> records, List<int> lines)
    {
        Source = source;
        Delimiter = delimiter;
        HasHeader = hasHeader;
        Names = names;
        _records = records;
        _lines = lines;
    }

    /// <summary>Gets the file as the user named it.</summary>
    public string Source { get; }

    /// <summary>Gets the field separator, given or detected.</summary>
    public char Delimiter { get; }

    /// <summary>Gets whether the first row was a header.</summary>
    public bool HasHeader { get; }

    /// <summary>Gets the column names: the header's, or 1-based numbers without one.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Gets the number of data rows.</summary>
    public int Count => _records.Count;

    /// <summary>Gets a cell, trimmed; empty when the cell is empty.</summary>
    /// <param name="row">The 0-based data row.</param>
    /// <param name="column">The 0-based column.</param>
    /// <returns>The cell's text.</returns>
    public string Cell(int row, int column) => _records[row][column];

    /// <summary>Gets the 1-based line of the file that a data row came from.</summary>
    /// <param name="row">The 0-based data row.</param>
    /// <returns>The line.</returns>
    public int LineOf(int row) => _lines[row];

    /// <summary>Finds a column: by exact name, else by name ignoring case, else by 1-based number; −1 when none.</summary>
    /// <param name="name">The name or number.</param>
    /// <returns>The 0-based column, or −1.</returns>
    public int Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int c = 0; c < Names.Count; c++)
        {
            if (Names[c] == name)
            {
                return c;
            }
        }

        for (int c = 0; c < Names.Count; c++)
        {
            if (string.Equals(Names[c], name, StringComparison.OrdinalIgnoreCase))
            {
                return c;
            }
        }

        return int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number)
            && number >= 1 && number <= Names.Count ? number - 1 : -1;
    }

    /// <summary>Finds a column as <see cref="Find"/> does, or fails with a message that lists the columns.</summary>
    /// <param name="name">The name or number.</param>
    /// <param name="option">The option that named the column, for the message.</param>
    /// <returns>The 0-based column.</returns>
    /// <exception cref="CliException">No column has that name or number.</exception>
    public int IndexOf(string name, string option)
    {
        int index = Find(name);
        return index >= 0
            ? index
            : throw new CliException(
                $"{Source} has no column '{name}' ({option}); its columns are {string.Join(", ", Names.Select(n => $"'{n}'"))} (a 1-based number works too).");
    }
}
