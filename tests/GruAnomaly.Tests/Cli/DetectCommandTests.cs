using System.Text.Json;
using GruAnomaly.Cli.Csv;
using GruAnomaly.Detection;

namespace GruAnomaly.Tests.Cli;

public sealed class DetectCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Train_detect_evaluate_round_trip_with_timestamps()
    {
        string model = CliData.TrainTiny(_folder, timestamps: true);
        // The test part follows the training part in time; a spike of three hours at rows 150–152.
        string test = _folder.Write("test.csv", CliData.Series(300, first: 400, timestamps: true, spikes: [150, 151, 152]));
        string scores = Path.Combine(_folder.Path, "out", "scores.csv");
        string plot = Path.Combine(_folder.Path, "out", "plot.png");
        DateTimeOffset spike = CliData.Start.AddHours(400 + 150);
        string labels = _folder.Write("labels.csv", $"start,end\n{spike:yyyy-MM-ddTHH:mm:ssZ},{spike.AddHours(2):yyyy-MM-ddTHH:mm:ssZ}\n");

        (int detectCode, string output, string error) = CliRun.Invoke("detect", "--model", model, "--input", test, "--output", scores, "--plot", plot);
        (int evaluateCode, string evaluation, string evaluateError) = CliRun.Invoke("evaluate", "--scores", scores, "--labels", labels, "--json");

        Assert.True(detectCode == 0, error);
        Assert.Contains("Detected on 300 points", output, StringComparison.Ordinal);
        Assert.Contains("Alarms", output, StringComparison.Ordinal);
        Assert.Contains($"{spike:yyyy-MM-ddTHH:mm:ss}Z", output, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(plot)[..4]);
        string[] lines = File.ReadAllLines(scores);
        Assert.Equal("timestamp,value,expected,raw_score,score,threshold,surprise,likelihood,flag,alarm", lines[0]);
        Assert.Equal(301, lines.Length);
        // The warm-up has no score: empty cells, so that evaluate leaves it out of the ranking metrics.
        Assert.Matches(@"^2024-01-17T16:00:00Z,-?\d\.\d+,,,,[-\d.E]+,,,0,0$", lines[1]);

        Assert.True(evaluateCode == 0, evaluateError);
        using JsonDocument json = JsonDocument.Parse(evaluation);
        Assert.Equal(300, json.RootElement.GetProperty("points").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("labelledPoints").GetInt32());
        Assert.True(json.RootElement.GetProperty("unscored").GetInt32() >= 16);
        Assert.Equal(1, json.RootElement.GetProperty("earlyAlarm").GetProperty("detectedWindows").GetInt32());
    }

    [Fact]
    public void The_scores_file_holds_what_the_library_detects()
    {
        string model = CliData.TrainTiny(_folder);
        string text = CliData.Series(300, first: 400, spikes: [150]);
        string test = _folder.Write("test.csv", text);
        string scores = Path.Combine(_folder.Path, "scores.csv");

        Assert.Equal(0, CliRun.Invoke("detect", "-m", model, "-i", test, "-o", scores).ExitCode);

        DetectionResult expected = FittedAnomalyDetector.Load(model).Detect(CsvSeriesReader.ReadText(text, "test.csv").ToTimeSeries());
        CsvTable written = CsvSeriesReader.Read(scores, new CsvReadOptions { Columns = ["score", "alarm", "flag", "expected"] });
        for (int t = 0; t < expected.Length; t++)
        {
            Assert.Equal(expected.IsScored[t] ? expected.Scores[t] : double.NaN, written.Column("score")[t]);
            Assert.Equal(expected.IsAlarm[t] ? 1 : 0, written.Column("alarm")[t]);
            Assert.Equal(expected.Flags[t] ? 1 : 0, written.Column("flag")[t]);
            Assert.Equal(expected.Expected[t], (float)written.Column("expected")[t]);
        }
    }

    [Fact]
    public void Json_summarizes_alarms_and_events()
    {
        string model = CliData.TrainTiny(_folder);
        string test = _folder.Write("test.csv", CliData.Series(300, first: 400, spikes: [150, 151, 152]));

        (int exitCode, string output, string error) = CliRun.Invoke("detect", "-m", model, "-i", test, "-o", Path.Combine(_folder.Path, "s.csv"), "--json");

        Assert.True(exitCode == 0, error);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        Assert.Equal(300, root.GetProperty("points").GetInt32());
        Assert.Equal(16, root.GetProperty("window").GetInt32());
        Assert.Equal("value", root.GetProperty("columns")[0].GetString());
        JsonElement alarm = root.GetProperty("alarms")[0];
        Assert.Equal(150, alarm.GetProperty("index").GetInt32());
        Assert.Equal(JsonValueKind.Null, alarm.GetProperty("timestamp").ValueKind);
        Assert.True(alarm.GetProperty("surprise").GetDouble() > alarm.GetProperty("likelihood").GetDouble());
        JsonElement first = root.GetProperty("events")[0];
        Assert.InRange(first.GetProperty("peak").GetInt32(), first.GetProperty("start").GetInt32(), first.GetProperty("end").GetInt32());
    }

    [Fact]
    public void A_damaged_or_foreign_model_file_is_exit_code_2_naming_the_file()
    {
        string model = CliData.TrainTiny(_folder);
        byte[] bytes = File.ReadAllBytes(model);
        bytes[bytes.Length / 2] ^= 0x40;
        string damaged = Path.Combine(_folder.Path, "damaged.gad");
        File.WriteAllBytes(damaged, bytes);
        string test = _folder.Write("test.csv", CliData.Series(100));
        string output = Path.Combine(_folder.Path, "s.csv");

        (int damagedCode, _, string damagedError) = CliRun.Invoke("detect", "-m", damaged, "-i", test, "-o", output);
        (int foreignCode, _, string foreignError) = CliRun.Invoke("detect", "-m", test, "-i", test, "-o", output);
        (int missingCode, _, string missingError) = CliRun.Invoke("detect", "-m", Path.Combine(_folder.Path, "none.gad"), "-i", test, "-o", output);

        Assert.Equal((2, 2, 2), (damagedCode, foreignCode, missingCode));
        Assert.Contains($"{damaged} is not a usable detector file: ", damagedError, StringComparison.Ordinal);
        Assert.Contains($"{test} is not a usable detector file: ", foreignError, StringComparison.Ordinal);
        Assert.Contains("not a GruAnomaly file", foreignError, StringComparison.Ordinal);
        Assert.Contains("No model file at", missingError, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Input_that_does_not_fit_the_model_is_exit_code_2()
    {
        string model = CliData.TrainTiny(_folder);
        string two = _folder.Write("two.csv", "a,b\n1,2\n3,4\n");
        string bad = _folder.Write("bad.csv", "value\n1\n2\n1,5\n");
        string shortSeries = _folder.Write("short.csv", CliData.Series(10));
        string output = Path.Combine(_folder.Path, "s.csv");

        (int twoCode, _, string twoError) = CliRun.Invoke("detect", "-m", model, "-i", two, "-o", output);
        (int shortCode, _, string shortError) = CliRun.Invoke("detect", "-m", model, "-i", shortSeries, "-o", output);
        (int badCode, _, string badError) = CliRun.Invoke("detect", "-m", model, "-i", bad, "-o", output);

        Assert.Equal((2, 2, 2), (twoCode, shortCode, badCode));
        Assert.Contains("two.csv has 2 value columns ('a', 'b'), but the model was trained on 1 feature; choose the columns", twoError, StringComparison.Ordinal);
        Assert.Contains("short.csv: The series has 10 time steps; this detector needs at least", shortError, StringComparison.Ordinal);
        Assert.Contains("bad.csv: line 4: the row has 2 fields but the header has 1 (separator ',').", badError, StringComparison.Ordinal);
    }
}
