using System.Globalization;
using System.Text;

namespace GruAnomaly.Cli.Commands.Shared;

/// <summary>
/// The per-point output of <c>detect</c> (a file) and <c>stream</c> (standard output), one CSV layout for both:
/// <c>index</c> or <c>timestamp</c>, the values, the expected values, <c>raw_score</c>, <c>score</c>, <c>threshold</c>,
/// <c>surprise</c>, <c>likelihood</c>, <c>flag</c>, <c>alarm</c>. <c>evaluate</c> reads it as it is: <c>score</c> is the
/// score the threshold judges, and a point without a score (the warm-up) has empty score cells, so the ranking metrics
/// leave it out instead of counting a 0.
/// </summary>
internal sealed class ScoresCsv
{
    /// <summary>The columns after the values and expected values.</summary>
    private static readonly string[] ScoreColumns = ["raw_score", "score", "threshold", "surprise", "likelihood", "flag", "alarm"];

    private readonly TextWriter _writer;
    private readonly int _features;
    private readonly StringBuilder _line = new();

    /// <summary>Creates the writer.</summary>
    /// <param name="writer">Where the lines go.</param>
    /// <param name="valueColumns">The names of the value columns, one per feature.</param>
    /// <param name="timestamps">True for a <c>timestamp</c> column, false for an <c>index</c> column.</param>
    public ScoresCsv(TextWriter writer, IReadOnlyList<string> valueColumns, bool timestamps)
    {
        _writer = writer;
        _features = valueColumns.Count;
        string time = timestamps ? "timestamp" : "index";

        // A value column may not take the name of an output column, or evaluate would read it as the score or the flag.
        var reserved = new HashSet<string>(ScoreColumns.Append(time).Append("expected"), StringComparer.OrdinalIgnoreCase);
        string[] values = [.. valueColumns.Select(name => reserved.Contains(name) || name.StartsWith("expected_", StringComparison.OrdinalIgnoreCase) ? "value_" + name : name)];
        string[] expected = _features == 1 ? ["expected"] : [.. values.Select(name => "expected_" + name)];
        Header = string.Join(',', new[] { time }.Concat(values).Concat(expected).Concat(ScoreColumns).Select(Quote));
    }

    /// <summary>Gets the header line.</summary>
    public string Header { get; }

    /// <summary>Writes the header line.</summary>
    public void WriteHeader() => _writer.WriteLine(Header);

    /// <summary>Writes one point.</summary>
    /// <param name="time">The point's index or timestamp.</param>
    /// <param name="timestamp">The timestamp, or null to write <paramref name="time"/> as the index.</param>
    /// <param name="values">The point's values (NaN where missing), one per feature.</param>
    /// <param name="expected">The expected values (NaN in the warm-up), one per feature.</param>
    /// <param name="point">The decision about the point.</param>
    public void Write(long time, DateTimeOffset? timestamp, ReadOnlySpan<double> values, ReadOnlySpan<float> expected, in ScoredPoint point)
    {
        StringBuilder line = _line.Clear();
        line.Append(timestamp is DateTimeOffset stamp ? Timestamp(stamp) : time.ToString(CultureInfo.InvariantCulture));
        for (int f = 0; f < _features; f++)
        {
            line.Append(',').Append(Number(values[f]));
        }

        for (int f = 0; f < _features; f++)
        {
            line.Append(',').Append(Number(expected[f]));
        }

        // Unscored points leave the score cells empty: the library reports 0 for them, which would rank as a real score.
        line.Append(',').Append(point.IsScored ? Number(point.RawScore) : string.Empty)
            .Append(',').Append(point.IsScored ? Number(point.Score) : string.Empty)
            .Append(',').Append(Number(point.Threshold))
            .Append(',').Append(point.IsScored ? Number(point.Surprise) : string.Empty)
            .Append(',').Append(point.IsScored ? Number(point.Likelihood) : string.Empty)
            .Append(',').Append(point.IsFlagged ? '1' : '0')
            .Append(',').Append(point.IsAlarm ? '1' : '0');
        _writer.WriteLine(line);
    }

    /// <summary>An ISO 8601 timestamp that the CSV reader reads back: <c>Z</c> for UTC, the offset otherwise.</summary>
    /// <param name="time">The timestamp.</param>
    /// <returns>The text.</returns>
    public static string Timestamp(DateTimeOffset time) =>
        time.Offset == TimeSpan.Zero
            ? time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + "Z"
            : time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    /// <summary>The shortest text that reads back as the same number; empty for a missing one.</summary>
    private static string Number(double value) =>
        double.IsNaN(value) ? string.Empty : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(float value) =>
        float.IsNaN(value) ? string.Empty : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}

/// <summary>What was decided about one point, from a batch result or a stream.</summary>
/// <param name="IsScored">Whether the point received a score.</param>
/// <param name="RawScore">The raw score.</param>
/// <param name="Score">The score the threshold judges.</param>
/// <param name="Threshold">The threshold in force.</param>
/// <param name="Surprise">−log₁₀ of the calibrated tail probability.</param>
/// <param name="Likelihood">The anomaly likelihood in [0, 1).</param>
/// <param name="IsFlagged">Whether the point is flagged.</param>
/// <param name="IsAlarm">Whether the point raises an alarm.</param>
internal readonly record struct ScoredPoint(bool IsScored, double RawScore, double Score, double Threshold, double Surprise, double Likelihood, bool IsFlagged, bool IsAlarm);
