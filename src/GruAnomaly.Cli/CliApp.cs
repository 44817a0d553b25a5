using System.CommandLine;
using GruAnomaly.Cli.Commands.Demo;
using GruAnomaly.Cli.Commands.Detect;
using GruAnomaly.Cli.Commands.Evaluate;
using GruAnomaly.Cli.Commands.Stream;
using GruAnomaly.Cli.Commands.Train;

namespace GruAnomaly.Cli;

/// <summary>
/// The tool as a function of its arguments and writers, so tests run it in-process: parses the command line
/// (System.CommandLine), runs the command and maps the outcome to an exit code (<see cref="ExitCodes"/>).
/// </summary>
internal static class CliApp
{
    /// <summary>The name the tool is installed under.</summary>
    public const string CommandName = "gru-anomaly";

    /// <summary>Runs the tool with plain output.</summary>
    /// <param name="args">The command line, without the tool's name.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <returns>The exit code: 0 on success, 2 for a usage error or a bad input file, 1 for any other failure.</returns>
    /// <param name="input">Standard input (what <c>stream</c> reads); null for an empty input.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader? input = null) =>
        RunAsync(args, output, error, rich: false, input: input).GetAwaiter().GetResult();

    /// <summary>Runs the tool.</summary>
    /// <param name="args">The command line, without the tool's name.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="rich">True for Spectre.Console tables and live progress (an interactive terminal); false for plain lines.</param>
    /// <param name="input">Standard input (what <c>stream</c> reads); null for an empty input.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The exit code: 0 on success, 2 for a usage error or a bad input file, 1 for any other failure, 130 when cancelled.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool rich, TextReader? input = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var terminal = new Terminal(output, error, rich, input);
        RootCommand root = CreateRootCommand(terminal);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError problem in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}").ConfigureAwait(false);
            }

            string command = parsed.CommandResult.Command == root ? CommandName : $"{CommandName} {parsed.CommandResult.Command.Name}";
            await error.WriteLineAsync($"Run '{command} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException problem)
        {
            await error.WriteLineAsync($"error: {problem.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
#pragma warning disable CA1031 // The tool's last resort: any other failure is reported with its stack trace and exit code 1.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"error: {failure}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    /// <summary>Creates the root command with every command of the tool.</summary>
    /// <param name="terminal">Where the commands write.</param>
    /// <returns>The root command.</returns>
    public static RootCommand CreateRootCommand(Terminal terminal) =>
        new("gru-anomaly: anomaly detection in time series with GruAnomaly's GRU detector.")
        {
            DemoCommand.Create(terminal),
            TrainCommand.Create(terminal),
            DetectCommand.Create(terminal),
            StreamCommand.Create(terminal),
            EvaluateCommand.Create(terminal),
        };
}
