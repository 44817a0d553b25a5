using System.Globalization;
using GruAnomaly.Cli.Csv;

namespace GruAnomaly.Cli.Commands.Stream;

/// <summary>
/// Reads points from CSV lines one at a time with the rules of whole files (<see cref="CsvSeriesReader"/>): the first
/// line fixes the separator and is a header when it holds text; the time column and the value columns are found on the
/// first data line, as in a file; empty cells, <c>NaN</c>, <c>NA</c> and <c>null</c> are missing values.
/// </summary>
internal sealed class PointReader
{
    private readonly CsvReadOptions _options;
    private readonly int _features;
    private char? _delimiter;
    private string[]? _names;
    private bool _hasHeader;
    private int _time = -1;
    private int[]? _values;

    /// <summary>Creates a reader.</summary>
    /// <param name="options">The time column and value columns asked for; their separator and header settings are detected.</param>
    /// <param name="features">The values each point must have.</param>
    public PointReader(CsvReadOptions options, int features)
    {
        _options = options;
        _features = features;
        _delimiter = options.Delimiter;
    }

    /// <summary>Gets the 1-based number of the last line read.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Gets the value columns' names; known once the first point is read.</summary>
    public IReadOnlyList<string> ValueColumns => _values is null || _names is null ? [] : [.. _values.Select(c => _names[c])];

    /// <summary>Gets whether the points have timestamps; known once the first point is read.</summary>
    public bool HasTimestamps => _time >= 0;

    /// <summary>Reads one line.</summary>
    /// <param name="line">The line.</param>
    /// <param name="values">The point's values (NaN where missing), when the line is a point.</param>
    /// <param name="timestamp">The point's timestamp, or null without a time column.</param>
    /// <returns>False for a blank line or the header.</returns>
    /// <exception cref="CliException">The line cannot be read as a point (a <see cref="CsvDataException"/> names the line).</exception>
    public bool Read(string line, out double[] values, out DateTimeOffset? timestamp)
    {
        LineNumber++;
        values = [];
        timestamp = null;
        string[] cells = CsvSeriesReader.SplitLine(line, StreamCommand.Source, LineNumber, _delimiter, out char used);
        if (cells.Length == 0 || cells.All(c => c.Length == 0))
        {
            return false;
        }

        _delimiter ??= used;
        if (_names is null)
        {
            _hasHeader = _options.Header switch
            {
                CsvHeader.Present => true,
                CsvHeader.Absent => false,
                _ => CsvSeriesReader.IsHeader(cells),
            };
            _names = _hasHeader
                ? [.. cells.Select((name, c) => name.Length > 0 ? name : (c + 1).ToString(CultureInfo.InvariantCulture))]
                : [.. Enumerable.Range(1, cells.Length).Select(c => c.ToString(CultureInfo.InvariantCulture))];
            if (_hasHeader)
            {
                return false;
            }
        }

        if (cells.Length != _names.Length)
        {
            string against = _hasHeader ? "the header has" : "the first line has";
            throw new CsvDataException(StreamCommand.Source, LineNumber, null, $"the line has {cells.Length} fields but {against} {_names.Length}.");
        }

        _values ??= ChooseColumns(cells);
        values = new double[_values.Length];
        for (int v = 0; v < values.Length; v++)
        {
            int c = _values[v];
            values[v] = CsvSeriesReader.ParseNumber(cells[c], StreamCommand.Source, LineNumber, _names[c]);
            if (Math.Abs(values[v]) > float.MaxValue)
            {
                throw new CsvDataException(StreamCommand.Source, LineNumber, _names[c], $"{values[v]} is too large for a 32-bit float.");
            }
        }

        if (_time >= 0)
        {
            timestamp = CsvSeriesReader.ParseTimestamp(cells[_time], StreamCommand.Source, LineNumber, _names[_time]);
        }

        return true;
    }

    /// <summary>Finds the time column and the value columns on the first point, as <see cref="CsvSeriesReader.ToTable"/> does on a file.</summary>
    private int[] ChooseColumns(string[] first)
    {
        var rows = new CsvRows(StreamCommand.Source, _delimiter ?? ',', _hasHeader, _names!, [first], [LineNumber]);
        _time = _options.TimeColumn is string time
            ? rows.IndexOf(time.Trim(), "--time-column")
            : Array.FindIndex(first, CsvSeriesReader.IsTimestamp);
        int[] selected = _options.Columns is { } columns
            ? [.. columns.Select(c => rows.IndexOf(c.Trim(), "--columns"))]
            : [.. Enumerable.Range(0, _names!.Length).Where(c => c != _time && !string.Equals(_names[c], "index", StringComparison.OrdinalIgnoreCase))];
        if (_time >= 0 && selected.Contains(_time))
        {
            throw new CliException($"{StreamCommand.Source}: column '{_names![_time]}' is the time column; it cannot also be a value column.");
        }

        if (selected.Length != _features)
        {
            string found = string.Join(", ", selected.Select(c => $"'{_names![c]}'"));
            throw new CsvDataException(StreamCommand.Source, LineNumber, null, string.Create(CultureInfo.InvariantCulture,
                $"the point has {selected.Length} value column{(selected.Length == 1 ? string.Empty : "s")} ({found}), but the model was trained on {_features}; choose the columns, in training order, with --columns."));
        }

        return selected;
    }
}
