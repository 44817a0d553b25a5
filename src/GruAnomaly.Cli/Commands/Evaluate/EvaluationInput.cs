using System.Globalization;
using GruAnomaly.Cli.Csv;

namespace GruAnomaly.Cli.Commands.Evaluate;

/// <summary>
/// A detector's output and the labels, aligned row by row: what <c>evaluate</c> scores. Read from a scores CSV
/// (<c>index</c> or a timestamp, <c>score</c>, optionally <c>flag</c> and <c>alarm</c>) and a labels CSV (a 0/1
/// <c>label</c> per row, or labelled windows as <c>start,end</c> rows).
/// </summary>
/// <param name="Scores">One score per row; NaN where the row has no score (a warm-up).</param>
/// <param name="Flags">Whether each row is flagged.</param>
/// <param name="Alarms">The rows that raised an alarm, in order.</param>
/// <param name="Labels">Whether each row is labelled anomalous.</param>
/// <param name="FlagSource">Where the flags came from, in words.</param>
/// <param name="AlarmSource">Where the alarms came from, in words.</param>
internal sealed record EvaluationInput(double[] Scores, bool[] Flags, IReadOnlyList<int> Alarms, bool[] Labels, string FlagSource, string AlarmSource)
{
    private static readonly string[] ScoreNames = ["score", "scores", "anomaly_score"];
    private static readonly string[] FlagNames = ["flag", "flags", "flagged", "prediction", "predicted"];
    private static readonly string[] AlarmNames = ["alarm", "alarms", "is_alarm"];
    private static readonly string[] LabelNames = ["label", "labels", "is_anomaly", "anomaly", "ground_truth"];

    /// <summary>Reads and aligns the two files.</summary>
    /// <param name="scoresPath">The scores CSV.</param>
    /// <param name="labelsPath">The labels CSV.</param>
    /// <param name="threshold">Flags rows whose score is above it, instead of a flag column; null to use the file's flags.</param>
    /// <param name="scoreColumn">The score column; null to find it by name.</param>
    /// <param name="labelColumn">The label column; null to find it by name.</param>
    /// <returns>The aligned input.</returns>
    /// <exception cref="CliException">A file is missing or malformed, or the two do not fit together.</exception>
    public static EvaluationInput Read(string scoresPath, string labelsPath, double? threshold, string? scoreColumn, string? labelColumn)
    {
        CsvRows scoreRows = CsvSeriesReader.ReadRows(scoresPath);
        int score = scoreColumn is not null ? scoreRows.IndexOf(scoreColumn, "--score-column") : FindScoreColumn(scoreRows);
        int flag = FindAny(scoreRows, FlagNames);
        int alarm = FindAny(scoreRows, AlarmNames);
        int index = scoreRows.Find("index");
        int[] columns = [.. new[] { score, flag, alarm, index }.Where(c => c >= 0)];
        CsvTable scores = CsvSeriesReader.ToTable(scoreRows, new CsvReadOptions { Columns = [.. columns.Select(c => scoreRows.Names[c])] });
        double[] values = scores.Column(0).ToArray();

        bool[] flags;
        string flagSource;
        if (threshold is double limit)
        {
            flags = [.. values.Select(v => v > limit)];
            flagSource = string.Create(CultureInfo.InvariantCulture, $"score > {limit} (--threshold)");
        }
        else if (flag >= 0)
        {
            flags = Binary(scores, scoreRows.Names[flag]);
            flagSource = $"column '{scoreRows.Names[flag]}'";
        }
        else if (alarm >= 0)
        {
            flags = Binary(scores, scoreRows.Names[alarm]);
            flagSource = $"column '{scoreRows.Names[alarm]}' (no flag column)";
        }
        else
        {
            throw new CliException(
                $"{scoresPath} has no flag or alarm column ({string.Join(", ", FlagNames.Concat(AlarmNames).Select(n => $"'{n}'"))}); pass --threshold to flag scores above it.");
        }

        List<int> alarms;
        string alarmSource;
        if (threshold is null && alarm >= 0)
        {
            bool[] isAlarm = Binary(scores, scoreRows.Names[alarm]);
            alarms = [.. Enumerable.Range(0, isAlarm.Length).Where(t => isAlarm[t])];
            alarmSource = $"column '{scoreRows.Names[alarm]}'";
        }
        else
        {
            alarms = [.. Enumerable.Range(0, flags.Length).Where(t => flags[t] && (t == 0 || !flags[t - 1]))];
            alarmSource = "the first row of each run of flagged rows";
        }

        double[]? indexes = index >= 0 ? scores.Column(scores.IndexOf(scoreRows.Names[index])).ToArray() : null;
        bool[] labels = ReadLabels(labelsPath, labelColumn, scores, indexes);
        return new EvaluationInput(values, flags, alarms, labels, flagSource, alarmSource);
    }

    private static int FindScoreColumn(CsvRows rows)
    {
        int named = FindAny(rows, ScoreNames);
        if (named >= 0)
        {
            return named;
        }

        // Otherwise the one column that is none of the others.
        int[] rest = [.. Enumerable.Range(0, rows.Names.Count).Where(c =>
            !FlagNames.Concat(AlarmNames).Concat(["index"]).Any(n => string.Equals(n, rows.Names[c], StringComparison.OrdinalIgnoreCase))
            && !CsvSeriesReader.IsTimestamp(rows.Cell(0, c)))];
        return rest.Length == 1
            ? rest[0]
            : throw new CliException(
                $"{rows.Source}: which column holds the scores? None is named {string.Join(" or ", ScoreNames.Select(n => $"'{n}'"))}; its columns are {string.Join(", ", rows.Names.Select(n => $"'{n}'"))}. Pass --score-column.");
    }

    private static int FindAny(CsvRows rows, string[] names)
    {
        foreach (string name in names)
        {
            int c = rows.Names.ToList().FindIndex(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            if (c >= 0)
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>A column of 0/1 values (a missing cell is an error).</summary>
    private static bool[] Binary(CsvTable table, string column)
    {
        ReadOnlySpan<double> values = table.Column(column);
        var result = new bool[values.Length];
        for (int r = 0; r < values.Length; r++)
        {
            result[r] = values[r] switch
            {
                0 => false,
                1 => true,
                double v when double.IsNaN(v) => throw new CsvDataException(table.Source, table.LineOf(r), column, "the value is missing; expected 0 or 1."),
                double v => throw new CsvDataException(table.Source, table.LineOf(r), column,
                    string.Create(CultureInfo.InvariantCulture, $"{v} is neither 0 nor 1.")),
            };
        }

        return result;
    }

    private static bool[] ReadLabels(string path, string? labelColumn, CsvTable scores, double[]? indexes)
    {
        CsvRows rows = CsvSeriesReader.ReadRows(path);
        int label = labelColumn is not null ? rows.IndexOf(labelColumn, "--label-column") : FindAny(rows, LabelNames);
        int start = rows.Find("start"), end = rows.Find("end");
        if (label < 0 && (start < 0 || end < 0))
        {
            int[] rest = [.. Enumerable.Range(0, rows.Names.Count).Where(c =>
                !string.Equals(rows.Names[c], "index", StringComparison.OrdinalIgnoreCase) && !CsvSeriesReader.IsTimestamp(rows.Cell(0, c)))];
            label = rest.Length == 1
                ? rest[0]
                : throw new CliException(
                    $"{path}: expected a label column ({string.Join(", ", LabelNames.Select(n => $"'{n}'"))}, or pass --label-column) or labelled windows (columns 'start' and 'end'); its columns are {string.Join(", ", rows.Names.Select(n => $"'{n}'"))}.");
        }

        return label >= 0 ? PointLabels(rows, label, scores) : WindowLabels(rows, start, end, scores, indexes);
    }

    private static bool[] PointLabels(CsvRows rows, int label, CsvTable scores)
    {
        CsvTable labels = CsvSeriesReader.ToTable(rows, new CsvReadOptions { Columns = [rows.Names[label]] });
        if (labels.RowCount != scores.RowCount)
        {
            throw new CliException(
                $"{labels.Source} has {labels.RowCount} labelled rows but {scores.Source} has {scores.RowCount} scored rows; point labels need one row per score row (or give windows as 'start,end' rows).");
        }

        if (labels.Timestamps is { } labelTimes && scores.Timestamps is { } scoreTimes)
        {
            for (int r = 0; r < labelTimes.Count; r++)
            {
                if (labelTimes[r] != scoreTimes[r])
                {
                    throw new CsvDataException(labels.Source, labels.LineOf(r), labels.TimeColumn,
                        $"the timestamp {labelTimes[r]:O} differs from {scores.Source}'s {scoreTimes[r]:O} (line {scores.LineOf(r)}); the rows of the two files must match.");
                }
            }
        }

        return Binary(labels, labels.ColumnNames[0]);
    }

    private static bool[] WindowLabels(CsvRows rows, int start, int end, CsvTable scores, double[]? indexes)
    {
        var labels = new bool[scores.RowCount];
        for (int r = 0; r < rows.Count; r++)
        {
            int line = rows.LineOf(r);
            string from = rows.Cell(r, start), to = rows.Cell(r, end);
            bool dates = CsvSeriesReader.IsTimestamp(from) || CsvSeriesReader.IsTimestamp(to);
            if (dates)
            {
                IReadOnlyList<DateTimeOffset> times = scores.Timestamps
                    ?? throw new CsvDataException(rows.Source, line, rows.Names[start],
                        $"the window is given by timestamps but {scores.Source} has no time column.");
                DateTimeOffset first = CsvSeriesReader.ParseTimestamp(from, rows.Source, line, rows.Names[start]);
                DateTimeOffset last = CsvSeriesReader.ParseTimestamp(to, rows.Source, line, rows.Names[end]);
                CheckOrder(first <= last, rows, line, start, end);
                for (int t = 0; t < labels.Length; t++)
                {
                    labels[t] |= times[t] >= first && times[t] <= last;
                }
            }
            else
            {
                double first = Required(CsvSeriesReader.ParseNumber(from, rows.Source, line, rows.Names[start]), rows, line, start);
                double last = Required(CsvSeriesReader.ParseNumber(to, rows.Source, line, rows.Names[end]), rows, line, end);
                CheckOrder(first <= last, rows, line, start, end);
                for (int t = 0; t < labels.Length; t++)
                {
                    // Numbers are values of the scores' index column when it has one, else 0-based rows.
                    double position = indexes?[t] ?? t;
                    labels[t] |= position >= first && position <= last;
                }
            }
        }

        return labels;
    }

    private static double Required(double value, CsvRows rows, int line, int column) =>
        double.IsNaN(value) ? throw new CsvDataException(rows.Source, line, rows.Names[column], "the window bound is missing.") : value;

    private static void CheckOrder(bool ordered, CsvRows rows, int line, int start, int end)
    {
        if (!ordered)
        {
            throw new CsvDataException(rows.Source, line, null, $"the window's '{rows.Names[end]}' comes before its '{rows.Names[start]}'.");
        }
    }
}
