using GruAnomaly.Cli;
using GruAnomaly.Cli.Progress;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Cli;

public sealed class TrainingProgressDisplayTests
{
    [Fact]
    public async Task Plain_output_has_a_line_per_completed_epoch()
    {
        using var output = new StringWriter();
        var display = new TrainingProgressDisplay(new Terminal(output, TextWriter.Null, rich: false));

        int result = await display.RunAsync(progress =>
        {
            for (int epoch = 1; epoch <= 3; epoch++)
            {
                for (int batch = 1; batch <= 2; batch++)
                {
                    double validation = epoch == 1 ? double.NaN : 1.0 / (epoch - 1);
                    progress.Report(new TrainingProgress(epoch, 10, batch, 2, 2.0 / epoch, validation, 1e-3f, TimeSpan.FromSeconds(epoch), 100));
                }
            }

            return Task.FromResult(42);
        }, _ => null);

        Assert.Equal(42, result);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Epochs 1 and 2 are complete once the next starts; epoch 3 has no history to complete it.
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("epoch 1/10: loss 2, validation loss 1, 1.0 s, time left ≤ ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("epoch 2/10: loss 1, validation loss 0.5, 2.0 s", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Time_left_is_the_rest_of_the_epochs_at_the_pace_so_far()
    {
        // A quarter done in 10 s: 30 s left at most.
        Assert.Equal("≤ 30.0 s", TrainingProgressDisplay.TimeLeft(new TrainingProgress(1, 2, 1, 2, 0, double.NaN, 0, TimeSpan.FromSeconds(10), 0)));
        Assert.Equal("≤ 1 min 30 s", TrainingProgressDisplay.TimeLeft(new TrainingProgress(1, 4, 1, 1, 0, double.NaN, 0, TimeSpan.FromSeconds(30), 0)));
    }
}
