using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CsvHelper;

namespace GruAnomaly.Cli.Csv;

/// <summary>
/// Reads time series from CSV files for every command of the tool: detects the separator (<c>,</c> <c>;</c> tab or
/// <c>|</c>) and whether the first row is a header, takes an optional column of ISO 8601 timestamps and the value
/// columns asked for, and reads empty cells, <c>NaN</c>, <c>NA</c> and <c>null</c> as missing values. Anything else that
/// is not a number is an error that names the file, the line and the column (<see cref="CsvDataException"/>).
/// </summary>
internal static partial class CsvSeriesReader
{
    private static readonly string[] MissingMarkers = ["nan", "na", "n/a", "null"];

    /// <summary>Reads a CSV file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">What to read; the defaults when null.</param>
    /// <returns>The value columns and timestamps.</returns>
    /// <exception cref="CliException">The file does not exist or cannot be read as asked (a <see cref="CsvDataException"/> names the line).</exception>
    public static CsvTable Read(string path, CsvReadOptions? options = null)
    {
        options ??= new CsvReadOptions();
        return ToTable(ReadRows(path, options), options);
    }

    /// <summary>Reads CSV text, as <see cref="Read"/> reads a file.</summary>
    /// <param name="text">The text.</param>
    /// <param name="source">The name that messages give the text.</param>
    /// <param name="options">What to read; the defaults when null.</param>
    /// <returns>The value columns and timestamps.</returns>
    /// <exception cref="CliException">The text cannot be read as asked (a <see cref="CsvDataException"/> names the line).</exception>
    public static CsvTable ReadText(string text, string source, CsvReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new CsvReadOptions();
        return ToTable(Split(Encoding.UTF8.GetBytes(text), source, options), options);
    }

    /// <summary>
    /// Reads a CSV file as text cells, for a command that decides from the column names what to read
    /// (<see cref="ToTable"/> then reads the values): the separator and header are detected as options say, and every row
    /// must have as many fields as the first.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The separator and header settings; the defaults when null.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="CliException">The file does not exist, or has no rows or rows of different widths.</exception>
    public static CsvRows ReadRows(string path, CsvReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new CliException($"No file at {Path.GetFullPath(path)}.");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {path}: {e.Message}", e);
        }

        return Split(bytes, path, options ?? new CsvReadOptions());
    }

    private static CsvRows Split(byte[] utf8, string source, CsvReadOptions options)
    {
        (List<string[]> records, List<int> lines, char delimiter) = ReadRecords(utf8, source, options.Delimiter);
        if (records.Count == 0)
        {
            throw new CsvDataException(source, 0, null, "the file holds no rows.");
        }

        bool hasHeader = options.Header switch
        {
            CsvHeader.Present => true,
            CsvHeader.Absent => false,
            _ => records[0].Any(cell => Classify(cell) == CellKind.Text),
        };
        int width = records[0].Length;
        string[] names = hasHeader
            ? [.. records[0].Select((name, c) => name.Length > 0 ? name : (c + 1).ToString(CultureInfo.InvariantCulture))]
            : [.. Enumerable.Range(1, width).Select(c => c.ToString(CultureInfo.InvariantCulture))];
        int first = hasHeader ? 1 : 0;
        if (records.Count == first)
        {
            throw new CsvDataException(source, 0, null, "the file has a header but no data rows.");
        }

        for (int r = first; r < records.Count; r++)
        {
            if (records[r].Length != width)
            {
                string against = hasHeader ? "the header has" : "the first row has";
                throw new CsvDataException(source, lines[r], null,
                    $"the row has {records[r].Length} fields but {against} {width} (separator {Describe(delimiter)}).");
            }
        }

        return new CsvRows(source, delimiter, hasHeader, names, records.GetRange(first, records.Count - first), lines.GetRange(first, lines.Count - first));
    }

    /// <summary>Reads the time column and the value columns of rows that <see cref="ReadRows"/> read.</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="options">The time column and value columns to read.</param>
    /// <returns>The value columns and timestamps.</returns>
    /// <exception cref="CliException">A column is unknown, a value is not a number or a timestamp is wrong (a <see cref="CsvDataException"/> names the line).</exception>
    public static CsvTable ToTable(CsvRows rows, CsvReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        string source = rows.Source;
        IReadOnlyList<string> names = rows.Names;
        int time = FindTimeColumn(rows, options.TimeColumn);
        int[] selected = options.Columns is { } columns
            ? [.. columns.Select(c => rows.IndexOf(c.Trim(), "--columns"))]
            : [.. Enumerable.Range(0, names.Count).Where(c => c != time && !string.Equals(names[c], "index", StringComparison.OrdinalIgnoreCase))];
        if (time >= 0 && selected.Contains(time))
        {
            throw new CliException($"{source}: column '{names[time]}' is the time column; it cannot also be a value column.");
        }

        var values = new double[selected.Length][];
        for (int s = 0; s < selected.Length; s++)
        {
            values[s] = new double[rows.Count];
            int c = selected[s];
            for (int r = 0; r < rows.Count; r++)
            {
                values[s][r] = ParseNumber(rows.Cell(r, c), source, rows.LineOf(r), names[c]);
            }
        }

        DateTimeOffset[]? timestamps = null;
        if (time >= 0)
        {
            timestamps = new DateTimeOffset[rows.Count];
            for (int r = 0; r < rows.Count; r++)
            {
                int line = rows.LineOf(r);
                timestamps[r] = ParseTimestamp(rows.Cell(r, time), source, line, names[time]);
                if (r > 0 && timestamps[r] <= timestamps[r - 1])
                {
                    throw new CsvDataException(source, line, names[time],
                        $"{rows.Cell(r, time)} is not after the timestamp of the row before ({rows.Cell(r - 1, time)}); timestamps must increase.");
                }
            }
        }

        return new CsvTable(source, rows.Delimiter, rows.HasHeader, names, [.. selected.Select(c => names[c])], values,
            time >= 0 ? names[time] : null, timestamps, [.. Enumerable.Range(0, rows.Count).Select(rows.LineOf)]);
    }

    private static (List<string[]> Records, List<int> Lines, char Delimiter) ReadRecords(byte[] utf8, string source, char? delimiter)
    {
        var records = new List<string[]>();
        var lines = new List<int>();
        try
        {
            using CsvReader reader = CsvReader.Create(utf8, new CsvReaderOptions
            {
                HasHeader = false,
                Separator = delimiter,
                TrackLineNumbers = true,
                SkipEmptyLines = true,
                TrimWhitespace = true,
            });
            while (reader.Read())
            {
                var fields = new string[reader.FieldCount];
                for (int f = 0; f < fields.Length; f++)
                {
                    fields[f] = reader.GetString(f) ?? string.Empty;
                }

                // A line of separators only (a spreadsheet's trailing rows) holds nothing.
                if (fields.All(f => f.Length == 0))
                {
                    continue;
                }

                records.Add(fields);
                lines.Add((int)reader.LineNumber);
            }

            return (records, lines, reader.Separator);
        }
        catch (CsvFormatException e)
        {
            throw new CsvDataException(source, (int)e.LineNumber, null, e.Message);
        }
    }

    private static int FindTimeColumn(CsvRows rows, string? timeColumn)
    {
        if (timeColumn is not null)
        {
            return rows.IndexOf(timeColumn.Trim(), "--time-column");
        }

        // Detected: the first column whose first value is an ISO 8601 timestamp.
        for (int c = 0; c < rows.Names.Count; c++)
        {
            if (IsTimestamp(rows.Cell(0, c)))
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>Whether a cell has the form of an ISO 8601 timestamp.</summary>
    internal static bool IsTimestamp(string cell) => IsoTimestamp().IsMatch(cell);

    /// <summary>Reads a cell as a number: NaN when it is missing.</summary>
    internal static double ParseNumber(string cell, string source, int line, string column)
    {
        if (IsMissing(cell))
        {
            return double.NaN;
        }

        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            string hint = cell.Contains(',', StringComparison.Ordinal) && double.TryParse(cell.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                ? " (write decimals with a point)"
                : string.Empty;
            throw new CsvDataException(source, line, column, $"'{cell}' is not a number{hint}.");
        }

        return double.IsFinite(value)
            ? value
            : throw new CsvDataException(source, line, column, $"'{cell}' is not a finite number; leave the cell empty or write NaN for a missing value.");
    }

    /// <summary>Reads a cell as an ISO 8601 timestamp (UTC when it names no offset).</summary>
    internal static DateTimeOffset ParseTimestamp(string cell, string source, int line, string column)
    {
        if (cell.Length == 0)
        {
            throw new CsvDataException(source, line, column, "the timestamp is missing; every row needs one.");
        }

        return IsoTimestamp().IsMatch(cell)
            && DateTimeOffset.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset timestamp)
            ? timestamp
            : throw new CsvDataException(source, line, column,
                $"'{cell}' is not an ISO 8601 timestamp (for example 2024-01-31, 2024-01-31T14:30:00Z or 2024-01-31 14:30:00+01:00).");
    }

    private static bool IsMissing(string cell) =>
        cell.Length == 0 || MissingMarkers.Any(m => string.Equals(cell, m, StringComparison.OrdinalIgnoreCase));

    private static CellKind Classify(string cell) =>
        IsMissing(cell) ? CellKind.Missing
        : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? CellKind.Number
        : IsoTimestamp().IsMatch(cell) ? CellKind.Timestamp
        : CellKind.Text;

    private static string Describe(char delimiter) => delimiter switch
    {
        '\t' => "tab",
        _ => $"'{delimiter}'",
    };

    /// <summary>A date, optionally a time (seconds and fractions optional) and an offset or Z.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoTimestamp();

    private enum CellKind
    {
        Missing,
        Number,
        Timestamp,
        Text,
    }
}
