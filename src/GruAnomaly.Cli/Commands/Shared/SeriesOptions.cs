using System.CommandLine;
using GruAnomaly.Cli.Csv;

namespace GruAnomaly.Cli.Commands.Shared;

/// <summary>
/// The options that choose what to read from a CSV of points (<c>--time-column</c>, <c>--columns</c>), shared by
/// <c>train</c>, <c>detect</c> and <c>stream</c> so that one file reads the same way in all three.
/// </summary>
internal sealed class SeriesOptions
{
    /// <summary>Creates the options.</summary>
    public SeriesOptions()
    {
        TimeColumn = new Option<string?>("--time-column")
        {
            Description = "The column of ISO 8601 timestamps (name or 1-based number); by default the first column whose first value is one, if any.",
        };
        Columns = new Option<string?>("--columns")
        {
            Description = "The value columns, comma-separated (names or 1-based numbers); by default every column but the time column and an 'index' column.",
        };
    }

    /// <summary>Gets the <c>--time-column</c> option.</summary>
    public Option<string?> TimeColumn { get; }

    /// <summary>Gets the <c>--columns</c> option.</summary>
    public Option<string?> Columns { get; }

    /// <summary>Adds the options to a command.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        command.Options.Add(TimeColumn);
        command.Options.Add(Columns);
    }

    /// <summary>The reader's options for what the command line asked.</summary>
    /// <param name="parse">The parsed command line.</param>
    /// <returns>The options.</returns>
    public CsvReadOptions Read(ParseResult parse) => new()
    {
        TimeColumn = parse.GetValue(TimeColumn),
        Columns = SplitList(parse.GetValue(Columns)),
    };

    /// <summary>Splits a comma-separated list; null stays null (every column).</summary>
    private static string[]? SplitList(string? list)
    {
        if (list is null)
        {
            return null;
        }

        string[] names = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return names.Length > 0 ? names : throw new CliException("--columns names no column; give names or 1-based numbers separated by commas.");
    }
}
