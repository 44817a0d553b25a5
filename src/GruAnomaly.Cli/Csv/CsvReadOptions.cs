namespace GruAnomaly.Cli.Csv;

/// <summary>Whether the first row of a CSV file names its columns.</summary>
internal enum CsvHeader
{
    /// <summary>The first row is a header when one of its cells is neither a number, a missing value nor a timestamp.</summary>
    Detect,

    /// <summary>The first row is a header.</summary>
    Present,

    /// <summary>Every row is data; columns are named by their 1-based number.</summary>
    Absent,
}

/// <summary>What <see cref="CsvSeriesReader"/> reads from a file, and how.</summary>
internal sealed record CsvReadOptions
{
    /// <summary>
    /// The column of ISO 8601 timestamps (by name, or by 1-based number); null to take the first column whose first
    /// value is an ISO 8601 timestamp, if any.
    /// </summary>
    /// <value>The default value is null (detected).</value>
    public string? TimeColumn { get; init; }

    /// <summary>
    /// The value columns to read, in this order (by name, or by 1-based number); null for every column except the time
    /// column and a column named <c>index</c>.
    /// </summary>
    /// <value>The default value is null (every value column).</value>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Whether the first row is a header.</summary>
    /// <value>The default value is <see cref="CsvHeader.Detect"/>.</value>
    public CsvHeader Header { get; init; } = CsvHeader.Detect;

    /// <summary>The field separator; null to detect it from the first lines (<c>,</c> <c>;</c> tab or <c>|</c>).</summary>
    /// <value>The default value is null (detected).</value>
    public char? Delimiter { get; init; }
}
