using GruAnomaly.Cli;

namespace GruAnomaly.Tests.Cli;

/// <summary>Runs the tool in-process with captured output.</summary>
internal static class CliRun
{
    public static (int ExitCode, string Output, string Error) Invoke(params string[] args) => InvokeWithInput(null, args);

    /// <summary>Runs the tool with the given standard input.</summary>
    public static (int ExitCode, string Output, string Error) InvokeWithInput(string? input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input ?? string.Empty);
        int exitCode = CliApp.Run(args, output, error, reader);
        return (exitCode, output.ToString(), error.ToString());
    }
}

/// <summary>A folder of its own for a test's files, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gru-anomaly-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string name, string text)
    {
        string file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
