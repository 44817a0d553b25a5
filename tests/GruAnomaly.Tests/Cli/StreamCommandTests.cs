using GruAnomaly.Cli;

namespace GruAnomaly.Tests.Cli;

public sealed class StreamCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_stream_split_in_two_runs_with_a_state_file_gives_what_one_run_gives()
    {
        string model = CliData.TrainTiny(_folder, timestamps: true);
        string[] lines = CliData.Series(300, first: 400, timestamps: true, spikes: [150, 151, 152, 260]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string header = lines[0];
        string state = Path.Combine(_folder.Path, "state", "stream.gas");

        (int oneCode, string one, string oneError) = CliRun.InvokeWithInput(string.Join('\n', lines), "stream", "--model", model, "--all");
        (int firstCode, string first, _) = CliRun.InvokeWithInput(string.Join('\n', lines[..156]), "stream", "--model", model, "--state", state, "--all");
        (int secondCode, string second, string secondError) = CliRun.InvokeWithInput(
            string.Join('\n', [header, .. lines[156..]]), "stream", "--model", model, "--state", state, "--all");

        Assert.True((oneCode, firstCode, secondCode) == (0, 0, 0), oneError + secondError);
        Assert.Contains("Continuing the stream saved in", secondError, StringComparison.Ordinal);
        Assert.Contains("at point 155", secondError, StringComparison.Ordinal);
        string[] whole = CliData.DataLines(one);
        Assert.Equal(300, whole.Length);
        Assert.Equal<string>(whole, [.. CliData.DataLines(first), .. CliData.DataLines(second)]);
        Assert.Contains(whole, line => line.EndsWith(",1,1", StringComparison.Ordinal));
    }

    [Fact]
    public void Alarms_are_written_as_they_happen_and_match_detect()
    {
        string model = CliData.TrainTiny(_folder);
        string text = CliData.Series(300, first: 400, spikes: [150, 151, 152]);
        string scores = Path.Combine(_folder.Path, "scores.csv");
        Assert.Equal(0, CliRun.Invoke("detect", "-m", model, "-i", _folder.Write("test.csv", text), "-o", scores).ExitCode);

        // Without a header: the first line is a point, its column is named 1.
        (int exitCode, string output, string error) = CliRun.InvokeWithInput(text["value\n".Length..], "stream", "-m", model);

        Assert.True(exitCode == 0, error);
        string[] alarms = CliData.DataLines(output);
        string[] detected = [.. File.ReadAllLines(scores).Skip(1).Where(line => line.EndsWith(",1", StringComparison.Ordinal))];
        Assert.NotEmpty(alarms);
        Assert.Equal(detected.Select(Index), alarms.Select(Index));
        Assert.StartsWith("index,1,expected,raw_score,score,", output, StringComparison.Ordinal);
        Assert.Contains("300 points read", error, StringComparison.Ordinal);

        static string Index(string line) => line[..line.IndexOf(',', StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Ctrl_C_saves_the_state_and_the_next_run_continues()
    {
        string model = CliData.TrainTiny(_folder);
        string[] points = CliData.Series(200, first: 400).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string state = Path.Combine(_folder.Path, "stream.gas");
        using var cancellation = new CancellationTokenSource();
        using var input = new InputThenCtrlC(points[..101], cancellation);
        using var output = new StringWriter();
        using var error = new StringWriter();

        int exitCode = await CliApp.RunAsync(["stream", "--model", model, "--state", state], output, error, rich: false, input, cancellation.Token);

        Assert.Equal(130, exitCode);
        Assert.Contains("100 points read", error.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(state));
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp"));
        (int next, _, string nextError) = CliRun.InvokeWithInput(string.Join('\n', [points[0], .. points[101..]]), "stream", "--model", model, "--state", state);
        Assert.True(next == 0, nextError);
        Assert.Contains("at point 100", nextError, StringComparison.Ordinal);
        Assert.Contains("100 points read", nextError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_line_names_its_line_and_keeps_the_points_before_it()
    {
        string model = CliData.TrainTiny(_folder);
        string state = Path.Combine(_folder.Path, "stream.gas");

        (int exitCode, _, string error) = CliRun.InvokeWithInput("value\n0.5\n0.7\noops\n0.1\n", "stream", "-m", model, "--state", state);

        Assert.Equal(2, exitCode);
        Assert.Contains("error: standard input: line 4, column 'value': 'oops' is not a number.", error, StringComparison.Ordinal);
        Assert.Contains("2 points read", error, StringComparison.Ordinal);
        Assert.True(File.Exists(state));
    }

    [Fact]
    public void A_state_of_another_model_or_a_damaged_one_is_exit_code_2()
    {
        string model = CliData.TrainTiny(_folder);
        string other = Path.Combine(_folder.Path, "other.gad");
        Assert.Equal(0, CliRun.Invoke(["train", "-i", _folder.Write("t2.csv", CliData.Series(400, first: 7)), "-o", other, .. CliData.TinyModel]).ExitCode);
        string state = Path.Combine(_folder.Path, "stream.gas");
        Assert.Equal(0, CliRun.InvokeWithInput("1\n2\n", "stream", "-m", other, "--state", state).ExitCode);
        string damaged = _folder.Write("damaged.gas", "not a state");

        (int foreignCode, _, string foreignError) = CliRun.InvokeWithInput("1\n", "stream", "-m", model, "--state", state);
        (int damagedCode, _, string damagedError) = CliRun.InvokeWithInput("1\n", "stream", "-m", model, "--state", damaged);

        Assert.Equal((2, 2), (foreignCode, damagedCode));
        Assert.Contains("is not a usable stream state for this model: The stream state was saved from a different detector", foreignError, StringComparison.Ordinal);
        Assert.Contains("damaged.gas is not a usable stream state", damagedError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_that_cannot_stream_is_exit_code_2()
    {
        string model = CliData.TrainTiny(_folder, false, "--scorer", "reconstruction");

        (int exitCode, _, string error) = CliRun.InvokeWithInput("1\n", "stream", "-m", model);

        Assert.Equal(2, exitCode);
        Assert.Contains("cannot stream", error, StringComparison.Ordinal);
    }

    /// <summary>Standard input that gives some lines, then presses Ctrl+C and blocks as a terminal waiting for input does.</summary>
    private sealed class InputThenCtrlC(string[] lines, CancellationTokenSource cancellation) : TextReader
    {
        private int _next;

        public override string? ReadLine()
        {
            if (_next < lines.Length)
            {
                return lines[_next++];
            }

            cancellation.Cancel();
            Thread.Sleep(TimeSpan.FromSeconds(30));
            return null;
        }
    }
}
