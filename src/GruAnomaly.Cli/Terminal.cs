using Spectre.Console;

namespace GruAnomaly.Cli;

/// <summary>
/// Where a command writes: a rich terminal (Spectre.Console tables, rules and live displays) or plain lines when the
/// output is redirected or captured, so that a log or a test reads the same facts without escape codes.
/// </summary>
internal sealed class Terminal
{
    private readonly IAnsiConsole? _ansi;

    /// <summary>Creates a terminal over the given writers.</summary>
    /// <param name="output">Standard output: results.</param>
    /// <param name="error">Standard error: problems, and progress in plain mode is still written to <paramref name="output"/>.</param>
    /// <param name="rich">True for Spectre.Console rendering (an interactive terminal); false for plain lines.</param>
    /// <param name="input">Standard input, which <c>stream</c> reads; null for none (an empty input).</param>
    public Terminal(TextWriter output, TextWriter error, bool rich, TextReader? input = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Output = output;
        Error = error;
        Input = input ?? TextReader.Null;
        if (rich)
        {
            _ansi = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = AnsiSupport.Detect,
                ColorSystem = ColorSystemSupport.Detect,
                Interactive = InteractionSupport.Detect,
            });
        }
    }

    /// <summary>Gets standard output.</summary>
    public TextWriter Output { get; }

    /// <summary>Gets standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Gets standard input.</summary>
    public TextReader Input { get; }

    /// <summary>Gets whether output is rendered with Spectre.Console.</summary>
    public bool IsRich => _ansi is not null;

    /// <summary>Gets the Spectre.Console console; only in rich mode.</summary>
    /// <exception cref="InvalidOperationException">The terminal is plain.</exception>
    public IAnsiConsole Ansi => _ansi ?? throw new InvalidOperationException("The terminal is plain; check IsRich first.");

    /// <summary>Writes a line of text (not markup).</summary>
    /// <param name="text">The text.</param>
    public void Line(string text = "")
    {
        if (_ansi is null)
        {
            Output.WriteLine(text);
        }
        else
        {
            _ansi.WriteLine(text);
        }
    }

    /// <summary>Writes a section heading: a rule in rich mode, the text after a blank line in plain mode.</summary>
    /// <param name="text">The heading.</param>
    public void Heading(string text)
    {
        if (_ansi is null)
        {
            Output.WriteLine();
            Output.WriteLine(text);
        }
        else
        {
            _ansi.Write(new Rule($"[bold]{Markup.Escape(text)}[/]") { Justification = Justify.Left });
        }
    }

    /// <summary>Writes a table: a Spectre.Console table in rich mode, columns padded with spaces in plain mode.</summary>
    /// <param name="headers">The column headers.</param>
    /// <param name="rows">The rows, one cell per header.</param>
    /// <param name="rightAligned">The indexes of the columns to align right (numbers).</param>
    public void Table(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, params int[] rightAligned)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        if (_ansi is not null)
        {
            var table = new Table().Border(TableBorder.Rounded);
            for (int c = 0; c < headers.Count; c++)
            {
                var column = new TableColumn(Markup.Escape(headers[c]));
                if (rightAligned.Contains(c))
                {
                    column.RightAligned();
                }

                table.AddColumn(column);
            }

            foreach (IReadOnlyList<string> row in rows)
            {
                table.AddRow([.. row.Select(cell => new Text(cell))]);
            }

            _ansi.Write(table);
            return;
        }

        var widths = new int[headers.Count];
        for (int c = 0; c < headers.Count; c++)
        {
            widths[c] = Math.Max(headers[c].Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length));
        }

        string Format(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((cell, c) =>
            c == cells.Count - 1 && !rightAligned.Contains(c) ? cell : rightAligned.Contains(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c])));

        Output.WriteLine(Format(headers));
        foreach (IReadOnlyList<string> row in rows)
        {
            Output.WriteLine(Format(row));
        }
    }
}
