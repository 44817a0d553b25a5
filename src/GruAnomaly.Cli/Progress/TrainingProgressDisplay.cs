using System.Globalization;
using GruAnomaly.Training;
using Spectre.Console;

namespace GruAnomaly.Cli.Progress;

/// <summary>
/// Shows training as it runs, fed by the library's <see cref="IProgress{T}"/> of <see cref="TrainingProgress"/>: a live
/// table of epochs (loss, validation loss, elapsed time, time left) in a rich terminal, one plain line per completed epoch
/// otherwise. Any command that fits a detector can use it.
/// </summary>
/// <example>
/// <code>
/// var display = new TrainingProgressDisplay(terminal);
/// FittedAnomalyDetector fitted = await display.RunAsync(progress => detector.FitAsync(training, progress, token), f => f.History);
/// </code>
/// </example>
internal sealed class TrainingProgressDisplay
{
    private const int VisibleEpochs = 8;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    private readonly Terminal _terminal;

    /// <summary>Creates a display that writes to the given terminal.</summary>
    /// <param name="terminal">Where to show progress.</param>
    public TrainingProgressDisplay(Terminal terminal)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        _terminal = terminal;
    }

    /// <summary>Runs the training work while showing its progress, then a line on how it ended.</summary>
    /// <typeparam name="T">What the work returns.</typeparam>
    /// <param name="work">Starts the training with the progress sink it is given.</param>
    /// <param name="history">Gets the training history from the result (null when nothing was trained).</param>
    /// <returns>What the work returned.</returns>
    public async Task<T> RunAsync<T>(Func<IProgress<TrainingProgress>, Task<T>> work, Func<T, TrainingHistory?> history)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(history);
        var sink = new ProgressSink(_terminal.IsRich ? null : _terminal.Output);
        T result;
        if (_terminal.IsRich)
        {
            Table table = CreateTable();
            Task<T>? running = null;
            await _terminal.Ansi.Live(table).AutoClear(false).StartAsync(async context =>
            {
                running = work(sink);
                while (!running.IsCompleted)
                {
                    Fill(table, sink.Snapshot(), null);
                    context.Refresh();
                    await Task.WhenAny(running, Task.Delay(RefreshInterval)).ConfigureAwait(false);
                }

                if (running.IsCompletedSuccessfully)
                {
                    Fill(table, sink.Snapshot(), history(running.Result));
                    context.Refresh();
                }
            }).ConfigureAwait(false);
            result = await running!.ConfigureAwait(false);
        }
        else
        {
            result = await work(sink).ConfigureAwait(false);
            sink.Finish(history(result));
        }

        TrainingHistory? trained = history(result);
        if (trained is not null && trained.Epochs.Count > 0)
        {
            _terminal.Line(string.Create(CultureInfo.InvariantCulture,
                $"trained {trained.Epochs.Count} epochs in {trained.Elapsed.TotalSeconds:F1} s ({Describe(trained.StopReason)}); best epoch {trained.BestEpoch}"));
        }

        return result;
    }

    private static string Describe(StopReason reason) => reason switch
    {
        StopReason.EarlyStopping => "stopped early: the validation loss stopped improving",
        StopReason.Cancelled => "cancelled",
        _ => "every epoch ran",
    };

    private static Table CreateTable() => new Table()
        .Border(TableBorder.Rounded)
        .Title("training")
        .AddColumn(new TableColumn("epoch").RightAligned())
        .AddColumn(new TableColumn("loss").RightAligned())
        .AddColumn(new TableColumn("validation loss").RightAligned())
        .AddColumn(new TableColumn("elapsed").RightAligned())
        .AddColumn(new TableColumn("time left").RightAligned());

    private static void Fill(Table table, ProgressState state, TrainingHistory? history)
    {
        table.Rows.Clear();
        IReadOnlyList<EpochLine> epochs = history is null ? state.Completed : [.. history.Epochs.Select(EpochLine.From)];
        foreach (EpochLine epoch in epochs.Skip(Math.Max(0, epochs.Count - VisibleEpochs)))
        {
            table.AddRow(
                epoch.Epoch.ToString(CultureInfo.InvariantCulture),
                Number(epoch.TrainingLoss),
                Number(epoch.ValidationLoss),
                Seconds(epoch.Elapsed),
                string.Empty);
        }

        if (history is null && state.Current is TrainingProgress current)
        {
            table.AddRow(
                new Markup($"[yellow]{current.Epoch}/{current.Epochs}[/] [grey]batch {current.Batch}/{current.Batches}[/]"),
                new Text(Number(current.TrainingLoss)),
                new Text("…"),
                new Text(Seconds(current.Elapsed)),
                new Text(TimeLeft(current)));
        }
    }

    /// <summary>
    /// The time the remaining epochs take at the pace so far: an upper bound, since early stopping may end training sooner.
    /// </summary>
    internal static string TimeLeft(TrainingProgress progress)
    {
        double total = (double)progress.Epochs * progress.Batches;
        double done = ((progress.Epoch - 1.0) * progress.Batches) + progress.Batch;
        if (done <= 0 || total <= 0)
        {
            return "?";
        }

        double seconds = progress.Elapsed.TotalSeconds * (total - done) / done;
        return "≤ " + Seconds(TimeSpan.FromSeconds(seconds));
    }

    private static string Number(double value) =>
        double.IsNaN(value) ? "–" : value.ToString("G5", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan time) =>
        time.TotalSeconds < 60
            ? string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:F1} s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalMinutes} min {time.Seconds:D2} s");

    /// <summary>One completed epoch as the display shows it.</summary>
    private readonly record struct EpochLine(int Epoch, int Epochs, double TrainingLoss, double ValidationLoss, TimeSpan Elapsed)
    {
        public static EpochLine From(EpochSummary summary) =>
            new(summary.Epoch, 0, summary.TrainingLoss, summary.ValidationLoss, summary.Elapsed);
    }

    /// <summary>What the display knows: the completed epochs and the latest report.</summary>
    private sealed record ProgressState(IReadOnlyList<EpochLine> Completed, TrainingProgress? Current);

    /// <summary>
    /// Receives the reports on the training thread. An epoch is known to be complete when the next one starts: its
    /// report carries the validation loss of the epoch before. The last epoch is completed from the history.
    /// </summary>
    private sealed class ProgressSink(TextWriter? plain) : IProgress<TrainingProgress>
    {
        private readonly Lock _lock = new();
        private readonly List<EpochLine> _completed = [];
        private TrainingProgress? _current;

        public void Report(TrainingProgress value)
        {
            lock (_lock)
            {
                if (_current is TrainingProgress previous && value.Epoch > previous.Epoch)
                {
                    Complete(new EpochLine(previous.Epoch, previous.Epochs, previous.TrainingLoss, value.ValidationLoss, previous.Elapsed), value);
                }

                _current = value;
            }
        }

        public ProgressState Snapshot()
        {
            lock (_lock)
            {
                return new ProgressState([.. _completed], _current);
            }
        }

        /// <summary>Writes the epochs that no later report completed (plain mode).</summary>
        public void Finish(TrainingHistory? history)
        {
            lock (_lock)
            {
                if (history is null)
                {
                    return;
                }

                foreach (EpochSummary epoch in history.Epochs.Skip(_completed.Count))
                {
                    int epochs = _current?.Epochs ?? history.Epochs.Count;
                    Complete(new EpochLine(epoch.Epoch, epochs, epoch.TrainingLoss, epoch.ValidationLoss, epoch.Elapsed), null);
                }

                _current = null;
            }
        }

        private void Complete(EpochLine epoch, TrainingProgress? next)
        {
            _completed.Add(epoch);
            if (plain is null)
            {
                return;
            }

            string left = next is TrainingProgress n ? $", time left {TimeLeft(n)}" : string.Empty;
            plain.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch.Epoch}/{epoch.Epochs}: loss {Number(epoch.TrainingLoss)}, validation loss {Number(epoch.ValidationLoss)}, {Seconds(epoch.Elapsed)}{left}"));
        }
    }
}
