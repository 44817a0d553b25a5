using System.Text.Json;

namespace GruAnomaly.Tests.Cli;

public sealed class EvaluateCommandTests : IDisposable
{
    // Labels 0 0 1 1 1 0 0 0 (one window, rows 2–4); flags 0 0 1 1 0 0 1 0.
    // Point-wise: TP 2, FP 1, FN 1 → precision = recall = F1 = 2/3.
    // Range-based: the window is covered 2/3 by one flagged range → recall 2/3; flagged ranges [2,3] (all labelled) and
    // [6] (none) → precision 1/2. ROC-AUC: of 15 positive–negative pairs 0.9 and 0.8 beat all 5 negatives, 0.1 ties one → 10.5/15 = 0.7.
    private const string Scores = "index,score,flag\n0,0.1,0\n1,0.2,0\n2,0.9,1\n3,0.8,1\n4,0.1,0\n5,0.3,0\n6,0.7,1\n7,0.2,0\n";
    private const string Labels = "label\n0\n0\n1\n1\n1\n0\n0\n0\n";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Json_gives_hand_checked_metrics()
    {
        (int exitCode, string output, string error) = Evaluate(Scores, Labels, "--json");

        Assert.Equal((0, string.Empty), (exitCode, error));
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        Assert.Equal(8, root.GetProperty("points").GetInt32());
        Assert.Equal(3, root.GetProperty("labelledPoints").GetInt32());
        Assert.Equal(2.0 / 3, root.GetProperty("pointWise").GetProperty("f1").GetDouble(), 12);
        Assert.Equal(1, root.GetProperty("pointWise").GetProperty("falsePositives").GetInt32());
        Assert.Equal(0.5, root.GetProperty("rangeBased").GetProperty("precision").GetDouble(), 12);
        Assert.Equal(2.0 / 3, root.GetProperty("rangeBased").GetProperty("recall").GetDouble(), 12);
        Assert.Equal(0.7, root.GetProperty("rocAuc").GetDouble(), 12);
        // Average precision: ranks 0.9 (1/1), 0.8 (2/2), then 0.1 ties with a negative at the bottom: 3 of 8 → (1 + 1 + 3/8) / 3.
        Assert.Equal((1 + 1 + (3.0 / 8)) / 3, root.GetProperty("prAuc").GetDouble(), 12);
        JsonElement early = root.GetProperty("earlyAlarm");
        Assert.Equal((1, 1, 1, 2), (early.GetProperty("windows").GetInt32(), early.GetProperty("detectedWindows").GetInt32(),
            early.GetProperty("falseAlarms").GetInt32(), early.GetProperty("alarmCount").GetInt32()));
        Assert.Equal(0, early.GetProperty("meanDelay").GetDouble());
        Assert.Equal("column 'flag'", root.GetProperty("flags").GetString());
    }

    [Fact]
    public void The_table_names_every_metric()
    {
        (int exitCode, string output, _) = Evaluate(Scores, Labels);

        Assert.Equal(0, exitCode);
        Assert.Contains("point-wise                    0.667   0.667  0.667  TP 2, FP 1, FN 1, TN 4", output, StringComparison.Ordinal);
        Assert.Contains("event-wise (range-based)      0.500   0.667  0.571", output, StringComparison.Ordinal);
        Assert.Contains("ROC-AUC                     0.700", output, StringComparison.Ordinal);
        Assert.Contains("early-alarm score (0–100)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_by_index_or_timestamp_label_the_same_rows()
    {
        string stamped = "timestamp,score,flag\n" + string.Join('\n', Scores.Split('\n')[1..^1].Select(row =>
        {
            string[] cells = row.Split(',');
            return $"2024-05-01T{int.Parse(cells[0], System.Globalization.CultureInfo.InvariantCulture):D2}:00:00Z,{cells[1]},{cells[2]}";
        })) + "\n";
        string points = Evaluate(Scores, Labels, "--json").Output;

        Assert.Equal(points, Evaluate(Scores, "start;end\n2;4\n", "--json").Output);
        Assert.Equal(points, Evaluate(stamped, "start,end\n2024-05-01T02:00:00Z,2024-05-01T04:00:00Z\n", "--json").Output);
    }

    [Fact]
    public void A_threshold_replaces_the_flag_column()
    {
        // Scores above 0.75 flag rows 2 and 3 only: precision 1, recall 2/3.
        string json = Evaluate(Scores, Labels, "--json", "--threshold", "0.75").Output;

        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal(1.0, document.RootElement.GetProperty("pointWise").GetProperty("precision").GetDouble());
        Assert.Equal(2.0 / 3, document.RootElement.GetProperty("pointWise").GetProperty("recall").GetDouble(), 12);
        Assert.Equal("score > 0.75 (--threshold)", document.RootElement.GetProperty("flags").GetString());
    }

    [Fact]
    public void Rows_without_a_score_are_left_out_of_the_ranking_metrics()
    {
        string withWarmUp = "index,value,alarm\n0,,0\n1,0.2,0\n2,0.9,1\n3,0.8,0\n";
        (int exitCode, string output, _) = Evaluate(withWarmUp, "0\n0\n1\n1\n", "--json", "--score-column", "value");

        Assert.Equal(0, exitCode);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal(1, json.RootElement.GetProperty("unscored").GetInt32());
        Assert.Equal(1.0, json.RootElement.GetProperty("rocAuc").GetDouble());
        Assert.Equal(1, json.RootElement.GetProperty("earlyAlarm").GetProperty("alarmCount").GetInt32());
    }

    [Theory]
    [InlineData("label\n0\n0\n1\n", "labels.csv has 3 labelled rows but ")]
    [InlineData("label\n0\n0\n1\n1\n2\n0\n0\n0\n", "labels.csv: line 6, column 'label': 2 is neither 0 nor 1.")]
    [InlineData("start,end\n4,2\n", "labels.csv: line 2: the window's 'end' comes before its 'start'.")]
    [InlineData("a,b\n0,1\n", "labels.csv: expected a label column")]
    public void Labels_that_do_not_fit_are_usage_errors(string labels, string expected)
    {
        (int exitCode, _, string error) = Evaluate(Scores, labels);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scores_without_flags_need_a_threshold()
    {
        (int exitCode, _, string error) = Evaluate("index,score\n0,1\n1,2\n", "0\n1\n");

        Assert.Equal(2, exitCode);
        Assert.Contains("has no flag or alarm column", error, StringComparison.Ordinal);
        Assert.Contains("pass --threshold", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_errors_exit_with_2()
    {
        Assert.Equal(2, CliRun.Invoke("evaluate", "--labels", "x.csv").ExitCode);
        Assert.Equal(2, CliRun.Invoke("evaluate", "--scores", "x.csv", "--labels", "y.csv", "--threshold", "abc").ExitCode);
        Assert.Equal(2, CliRun.Invoke("no-such-command").ExitCode);
        (int exitCode, _, string error) = CliRun.Invoke("evaluate", "--scores", Path.Combine(_folder.Path, "none.csv"), "--labels", "y.csv");
        Assert.Equal(2, exitCode);
        Assert.Contains("No file at", error, StringComparison.Ordinal);
        Assert.Equal(0, CliRun.Invoke("evaluate", "--help").ExitCode);
    }

    private (int ExitCode, string Output, string Error) Evaluate(string scores, string labels, params string[] options) =>
        CliRun.Invoke(["evaluate", "--scores", _folder.Write("scores.csv", scores), "--labels", _folder.Write("labels.csv", labels), .. options]);
}
