using System.Diagnostics;

namespace GruAnomaly.Tests.Cli;

/// <summary>The built tool run as a process, as a user or a script runs it.</summary>
public sealed class CliProcessTests
{
    [Fact]
    public async Task The_built_tool_exits_with_0_on_success_and_2_on_a_bad_file()
    {
        using var folder = new TempFolder();
        string scores = folder.Write("scores.csv", "index,score,flag\n0,0.1,0\n1,0.9,1\n2,0.2,0\n");
        string labels = folder.Write("labels.csv", "label\n0\n1\n0\n");
        string bad = folder.Write("bad.csv", "index,score,flag\n0,0.1,0\n1,oops,1\n");

        (int ok, string output, _) = await RunAsync("evaluate", "--scores", scores, "--labels", labels, "--json");
        (int failed, _, string error) = await RunAsync("evaluate", "--scores", bad, "--labels", labels);

        Assert.Equal(0, ok);
        Assert.Contains("\"rocAuc\": 1", output, StringComparison.Ordinal);
        Assert.Equal(2, failed);
        Assert.Contains("line 3, column 'score': 'oops' is not a number", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_tool_trains_then_streams_standard_input()
    {
        using var folder = new TempFolder();
        string training = folder.Write("train.csv", CliData.Series(400));
        string model = Path.Combine(folder.Path, "model.gad");
        string state = Path.Combine(folder.Path, "stream.gas");

        (int trained, string trainOutput, string trainError) = await RunAsync(["train", "--input", training, "--output", model, .. CliData.TinyModel]);
        (int streamed, string alarms, string streamError) = await RunWithInputAsync(CliData.Series(300, first: 400, spikes: [150, 151, 152]),
            "stream", "--model", model, "--state", state);

        Assert.True(trained == 0, trainError);
        // Redirected output is plain: a line per epoch, no escape codes.
        Assert.Contains("epoch 1/1: loss", trainOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", trainOutput, StringComparison.Ordinal);
        Assert.True(streamed == 0, streamError);
        Assert.StartsWith("index,value,expected,raw_score,score,threshold,surprise,likelihood,flag,alarm", alarms, StringComparison.Ordinal);
        Assert.Contains("\n150,", alarms, StringComparison.Ordinal);
        Assert.Contains("300 points read", streamError, StringComparison.Ordinal);
        Assert.True(File.Exists(state));
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    private static async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(string? input, params string[] args)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "GruAnomaly.Cli.dll");
        Assert.True(File.Exists(tool), $"The tool is not built beside the tests: {tool}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        Task<string> output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
