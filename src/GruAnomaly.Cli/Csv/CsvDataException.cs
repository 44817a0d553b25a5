namespace GruAnomaly.Cli.Csv;

/// <summary>
/// A CSV file that cannot be read as asked: the message names the file, the line, the column and what is wrong, for
/// example <c>data.csv: line 17, column 'value': 'abc' is not a number</c>.
/// </summary>
internal sealed class CsvDataException : CliException
{
    /// <summary>Creates the exception for a problem at a line (and column) of a file.</summary>
    /// <param name="source">The file as the user named it.</param>
    /// <param name="line">The 1-based line of the file; 0 when the problem is not on one line.</param>
    /// <param name="column">The column's name, or null when the problem is not in one column.</param>
    /// <param name="problem">What is wrong.</param>
    public CsvDataException(string source, int line, string? column, string problem)
        : base(Describe(source, line, column, problem))
    {
        Source = source;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>Gets the file as the user named it.</summary>
    public new string Source { get; }

    /// <summary>Gets the 1-based line of the file (0 when the problem is not on one line).</summary>
    public int Line { get; }

    /// <summary>Gets the column's name, or null.</summary>
    public string? Column { get; }

    /// <summary>Gets what is wrong, without the place.</summary>
    public string Problem { get; }

    private static string Describe(string source, int line, string? column, string problem)
    {
        string place = line > 0 ? $"line {line}" : string.Empty;
        if (column is not null)
        {
            place += (place.Length > 0 ? ", " : string.Empty) + $"column '{column}'";
        }

        return place.Length > 0 ? $"{source}: {place}: {problem}" : $"{source}: {problem}";
    }
}
