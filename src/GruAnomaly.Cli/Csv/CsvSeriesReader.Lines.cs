using System.Text;

namespace GruAnomaly.Cli.Csv;

/// <summary>Reading a CSV one line at a time, for <c>stream</c>: the same separators, quoting and cell rules as whole files.</summary>
internal static partial class CsvSeriesReader
{
    /// <summary>Splits one line into trimmed cells.</summary>
    /// <param name="line">The line, without its line break.</param>
    /// <param name="source">The name that messages give the input.</param>
    /// <param name="lineNumber">The 1-based line, for messages.</param>
    /// <param name="delimiter">The separator; null to detect it from this line (<c>,</c> <c>;</c> tab or <c>|</c>).</param>
    /// <param name="used">The separator used, to pass for the following lines.</param>
    /// <returns>The cells; empty for a blank line or a line of separators only.</returns>
    /// <exception cref="CsvDataException">The line is not valid CSV (an unclosed quote).</exception>
    public static string[] SplitLine(string line, string source, int lineNumber, char? delimiter, out char used)
    {
        ArgumentNullException.ThrowIfNull(line);
        List<string[]> records;
        try
        {
            (records, _, used) = ReadRecords(Encoding.UTF8.GetBytes(line), source, delimiter);
        }
        catch (CsvDataException e)
        {
            // The reader counts lines of this one line; the message names the line of the input.
            throw new CsvDataException(source, lineNumber, e.Column, e.Problem);
        }

        return records.Count == 0 ? [] : records[0];
    }

    /// <summary>Whether a first row is a header: one of its cells is neither a number, a missing value nor a timestamp.</summary>
    /// <param name="cells">The row's cells.</param>
    /// <returns>True for a header.</returns>
    public static bool IsHeader(IEnumerable<string> cells) => cells.Any(cell => Classify(cell) == CellKind.Text);
}
