using System.CommandLine;
using System.Globalization;
using GruAnomaly.Cli.Commands.Shared;
using GruAnomaly.Cli.Csv;
using GruAnomaly.Detection;

namespace GruAnomaly.Cli.Commands.Stream;

/// <summary>
/// <c>gru-anomaly stream</c>: detects points live as they arrive on standard input, one CSV line per point, and writes a
/// line to standard output as each alarm happens (every point with <c>--all</c>), in the layout of <c>detect</c>'s scores
/// CSV. With <c>--state</c> it continues a saved stream and saves it again at the end of the input or on Ctrl+C, so a
/// stream can run in pieces and raise the alarms one run would.
/// </summary>
internal static class StreamCommand
{
    /// <summary>The name messages give standard input.</summary>
    public const string Source = "standard input";

    /// <summary>Creates the command.</summary>
    /// <param name="terminal">Where it reads and writes.</param>
    /// <returns>The command, ready to add to the root.</returns>
    public static Command Create(Terminal terminal)
    {
        var model = new Option<string>("--model", "-m") { Description = "The model file that train wrote.", Required = true };
        var state = new Option<string?>("--state")
        {
            Description = "A stream-state file: continued from when it exists, saved at the end of the input or on Ctrl+C.",
        };
        var all = new Option<bool>("--all") { Description = "Write every point, not only the alarms." };
        var series = new SeriesOptions();
        var command = new Command("stream",
            "Detect points read from standard input (one CSV line per point, header optional) and write each alarm as it happens.")
        {
            model,
            state,
            all,
        };
        series.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(terminal, parse.GetValue(model)!, parse.GetValue(state), series.Read(parse),
            parse.GetValue(all), cancellationToken));
        return command;
    }

    /// <summary>Runs the stream until the input ends or the token is cancelled.</summary>
    /// <param name="terminal">Where it reads (<see cref="Terminal.Input"/>) and writes.</param>
    /// <param name="modelPath">The model file.</param>
    /// <param name="statePath">The state file, or null.</param>
    /// <param name="columns">Which columns are the time and the values.</param>
    /// <param name="all">True to write every point.</param>
    /// <param name="cancellationToken">Stops reading; the state is saved first.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(Terminal terminal, string modelPath, string? statePath, CsvReadOptions columns, bool all,
        CancellationToken cancellationToken)
    {
        FittedAnomalyDetector fitted = DetectorFiles.Load(modelPath);
        DetectorStream stream;
        if (statePath is not null && File.Exists(statePath))
        {
            stream = DetectorFiles.RestoreState(fitted, statePath);
            await terminal.Error.WriteLineAsync(Invariant($"Continuing the stream saved in {statePath} at point {stream.Count}.")).ConfigureAwait(false);
        }
        else
        {
            try
            {
                stream = fitted.CreateStream();
            }
            catch (NotSupportedException e)
            {
                throw new CliException($"{modelPath} cannot stream: {e.Message}", e);
            }
        }

        var reader = new PointReader(columns, fitted.Features);
        ScoresCsv? output = null;
        long start = stream.Count;
        int alarms = 0;
        var cancelled = new TaskCompletionSource();
        await using CancellationTokenRegistration registration = cancellationToken.Register(() => cancelled.TrySetResult());
        try
        {
            // Console input blocks the thread that reads it, so each line is read on the pool: Ctrl+C then need not wait for a line.
            Task<string?> next = Task.Run(terminal.Input.ReadLine, CancellationToken.None);
            while (true)
            {
                if (await Task.WhenAny(next, cancelled.Task).ConfigureAwait(false) == cancelled.Task)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                string? line = await next.ConfigureAwait(false);
                if (line is null)
                {
                    break;
                }

                next = Task.Run(terminal.Input.ReadLine, CancellationToken.None);
                if (!reader.Read(line, out double[] values, out DateTimeOffset? timestamp))
                {
                    continue;
                }

                if (output is null)
                {
                    output = new ScoresCsv(terminal.Output, reader.ValueColumns, reader.HasTimestamps);
                    output.WriteHeader();
                }

                StreamPoint point = Observe(stream, values, timestamp, reader.LineNumber);
                alarms += point.IsAlarm ? 1 : 0;
                if (all || point.IsAlarm)
                {
                    output.Write(point.Time, point.Timestamp, values, stream.Expected, new ScoredPoint(
                        point.IsScored, point.RawScore, point.Score, point.Threshold, point.Surprise, point.Likelihood, point.IsFlagged, point.IsAlarm));
                    await terminal.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // On the end of the input, Ctrl+C or a bad line alike: every point observed so far is kept.
            if (statePath is not null)
            {
                DetectorFiles.SaveState(stream, statePath);
            }

            await terminal.Error.WriteLineAsync(Invariant(
                $"{stream.Count - start} point{(stream.Count - start == 1 ? string.Empty : "s")} read, {alarms} alarm{(alarms == 1 ? string.Empty : "s")}; the stream is at point {stream.Count}{(statePath is null ? string.Empty : $", state saved to {statePath}")}.")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static StreamPoint Observe(DetectorStream stream, double[] values, DateTimeOffset? timestamp, int line)
    {
        Span<float> point = stackalloc float[values.Length];
        for (int f = 0; f < values.Length; f++)
        {
            point[f] = (float)values[f];
        }

        try
        {
            return timestamp is DateTimeOffset time ? stream.Observe(point, time) : stream.Observe(point);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // The point does not fit the stream (a timestamp not after the last, timestamps on some points only).
            throw new CsvDataException(Source, line, null, e.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
