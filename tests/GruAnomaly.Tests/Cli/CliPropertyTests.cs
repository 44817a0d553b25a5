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

    /// <summary>
    /// A CSV of <paramref name="rows"/> rows of 1–4 columns in one of three delimiters, with or without a header. Damage 0
    /// gives a well-formed file of numbers; each level above adds a chance per cell of a value from <see cref="Cells"/>
    /// (empty, NaN, non-numeric, out of range, a date) and of a ragged row.
    /// </summary>
    private static string Csv(int rows, int columns, string delimiter, bool withHeader, int damage, int seed, string[] header, Func<Random, int, string> number)
    {
        var random = new Random(seed);
        var lines = new List<string>();
        if (withHeader)
        {
            lines.Add(string.Join(delimiter, header.Take(columns).Concat(Enumerable.Range(0, Math.Max(0, columns - header.Length)).Select(c => $"c{c}"))));
        }

        for (int r = 0; r < rows; r++)
        {
            int cells = damage > 0 && random.Next(40 / damage) == 0 ? random.Next(1, 6) : columns;
            lines.Add(string.Join(delimiter, Enumerable.Range(0, cells).Select(c => damage > 0 && random.Next(60 / damage) == 0
                ? Cells[random.Next(Cells.Length)]
                : number(random, c))));
        }

        return string.Join('\n', lines) + (random.Next(2) == 0 ? "\n" : string.Empty);
    }

    private static string Number(Random random, int column) =>
        (random.Next(2) == 0 ? random.Next(2) : random.NextDouble()).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A file's shape: rows, columns, delimiter, header, damage (0 half the time) and the seed of its cells.</summary>
    private static readonly Gen<(int Rows, int Columns, string Delimiter, bool Header, int Damage, int Seed)> Shape =
        Gen.Select(Gen.Int[0, 60], Gen.Int[1, 4], Gen.OneOf(",", ";", "\t"), Gen.Bool, Gen.Frequency((4, Gen.Const(0)), (4, Gen.Int[1, 3])), Gen.Int[0, 1_000_000]);

    [Fact]
    public void EvaluateWorksOrRefusesEveryGeneratedFile()
    {
        int tried = 0, worked = 0;
        Gen<string[]> options = Gen.OneOf(
            Gen.Const(Array.Empty<string>()), Gen.Const(new[] { "--json" }), Gen.Const(new[] { "--threshold", "0.5" }),
            Gen.Const(new[] { "--threshold", "abc" }), Gen.Const(new[] { "--score-column", "nope" }), Gen.Const(new[] { "--bogus" }));
        // Both files share their row count most of the time, as a real pair does.
        Gen.Select(Shape, Shape, Gen.Frequency((4, Gen.Const(true)), (1, Gen.Const(false))), options)
            .Sample((scoreShape, labelShape, sameRows, extra) =>
            {
                tried++;
                int labelRows = sameRows ? scoreShape.Rows : labelShape.Rows;
                string scores = Csv(scoreShape.Rows, Math.Min(2, scoreShape.Columns), scoreShape.Delimiter, scoreShape.Header, scoreShape.Damage,
                    scoreShape.Seed, ["score", "flag"], (random, column) => column == 1 ? random.Next(2).ToString(System.Globalization.CultureInfo.InvariantCulture) : Number(random, column));
                string labels = Csv(labelRows, 1, labelShape.Delimiter, scoreShape.Header, labelShape.Damage, labelShape.Seed, ["label"],
                    (random, _) => random.Next(2).ToString(System.Globalization.CultureInfo.InvariantCulture));
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
        Shape.Sample(shape =>
        {
            tried++;
            string input = Csv(shape.Rows, 1, shape.Delimiter, shape.Header, shape.Damage, shape.Seed, ["value"], (random, _) => Number(random, 0));
            (int exitCode, _, string error) = CliRun.InvokeWithInput(input, "stream", "--model", System.IO.Path.Combine(_folder.Path, "model.gad"));
            Assert.True(exitCode is 0 or 2, $"exit code {exitCode}: {error}");
            Assert.True(exitCode == 0 || error.Trim().Length > 0, "a refusal without a message");
            worked += exitCode == 0 ? 1 : 0;
        }, seed: Seed, iter: 300, threads: 1);

        output.WriteLine($"stream: {tried} generated inputs, {worked} worked, {tried - worked} refused with exit code 2");
    }
}
