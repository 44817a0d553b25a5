using CsCheck;

namespace GruAnomaly.Tests.Cli;

/// <summary>
/// Property-based tests of the tool (issue 13): generated files and arguments, good and bad, either work (exit code 0) or
/// are refused as a usage error or a bad file (exit code 2) with a message; never an unexpected failure (1) or an
/// exception out of the tool. Seeded and single-threaded; each property prints how many inputs it tried.
/// </summary>
public sealed class CliPropertyTests(ITestOutputHelper output) : IDisposable
{
    private const string Seed = "0N0XIzNsQ0O2";

    private static readonly string[] Cells = ["0", "1", "0.5", "-3.25", "1e38", "", "NaN", "abc", "∞", "1,5", " 2 ", "2026-12-02T10:00:00Z", "\"7\""];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A CSV of 0–40 rows of 1–4 cells drawn from <see cref="Cells"/>, with or without a header, in one of three delimiters.</summary>
    private static Gen<string> Csv(params string[] header) =>
        Gen.Select(Gen.Int[0, 40], Gen.Int[1, 4], Gen.OneOf(",", ";", "\t"), Gen.Bool, Gen.Int[0, 1_000_000])
            .Select((rows, columns, delimiter, withHeader, seed) =>
            {
                var random = new Random(seed);
                var lines = new List<string>();
                if (withHeader)
                {
                    lines.Add(string.Join(delimiter, header.Take(columns).Concat(Enumerable.Range(0, Math.Max(0, columns - header.Length)).Select(c => $"c{c}"))));
                }

                for (int r = 0; r < rows; r++)
                {
                    // Mostly numbers, so that many files are valid and reach the metrics; sometimes a ragged row.
                    int cells = random.Next(10) == 0 ? random.Next(1, 6) : columns;
                    lines.Add(string.Join(delimiter, Enumerable.Range(0, cells).Select(_ => random.Next(4) == 0
                        ? Cells[random.Next(Cells.Length)]
                        : (random.Next(2) == 0 ? random.Next(2) : random.NextDouble()).ToString(System.Globalization.CultureInfo.InvariantCulture))));
                }

                return string.Join('\n', lines) + (random.Next(2) == 0 ? "\n" : string.Empty);
            });

    [Fact]
    public void EvaluateWorksOrRefusesEveryGeneratedFile()
    {
        int tried = 0, worked = 0;
        Gen<string[]> options = Gen.OneOf(
            Gen.Const(Array.Empty<string>()), Gen.Const(new[] { "--json" }), Gen.Const(new[] { "--threshold", "0.5" }),
            Gen.Const(new[] { "--threshold", "abc" }), Gen.Const(new[] { "--score-column", "nope" }), Gen.Const(new[] { "--bogus" }));
        Gen.Select(Csv("index", "score", "flag"), Csv("label"), options)
            .Sample((scores, labels, extra) =>
            {
                tried++;
                (int exitCode, _, string error) = CliRun.Invoke(
                    ["evaluate", "--scores", _folder.Write("scores.csv", scores), "--labels", _folder.Write("labels.csv", labels), .. extra]);
                Assert.True(exitCode is 0 or 2, $"exit code {exitCode}: {error}");
                Assert.True(exitCode == 0 || error.Trim().Length > 0, "a refusal without a message");
                worked += exitCode == 0 ? 1 : 0;
            }, seed: Seed, iter: 600, threads: 1);

        output.WriteLine($"evaluate: {tried} generated inputs, {worked} worked, {tried - worked} refused with exit code 2");
    }

    [Fact]
    public void StreamWorksOrRefusesEveryGeneratedInput()
    {
        string model = _folder.Write("series.csv", string.Join('\n', ["value", .. Enumerable.Range(0, 400).Select(t => Math.Sin(t / 5.0).ToString("F4", System.Globalization.CultureInfo.InvariantCulture))]));
        (int trained, _, string trainError) = CliRun.Invoke(
            ["train", "--input", model, "--output", System.IO.Path.Combine(_folder.Path, "model.gad"), "--window", "16", "--hidden-size", "4", "--epochs", "1"]);
        Assert.True(trained == 0, trainError);
        int tried = 0, worked = 0;
        Csv("value").Sample(input =>
        {
            tried++;
            (int exitCode, _, string error) = CliRun.InvokeWithInput(input, "stream", "--model", System.IO.Path.Combine(_folder.Path, "model.gad"));
            Assert.True(exitCode is 0 or 2, $"exit code {exitCode}: {error}");
            Assert.True(exitCode == 0 || error.Trim().Length > 0, "a refusal without a message");
            worked += exitCode == 0 ? 1 : 0;
        }, seed: Seed, iter: 300, threads: 1);

        output.WriteLine($"stream: {tried} generated inputs, {worked} worked, {tried - worked} refused with exit code 2");
    }
}
