using GruAnomaly.Cli;
using GruAnomaly.Cli.Csv;
using GruAnomaly.Detection;

namespace GruAnomaly.Tests.Cli;

public sealed class CsvSeriesReaderTests
{
    [Theory]
    [InlineData(",")]
    [InlineData(";")]
    [InlineData("\t")]
    public void The_separator_is_detected(string separator)
    {
        string text = string.Join('\n', "time|a|b", "2024-01-01T00:00:00Z|1.5|2", "2024-01-01T00:30:00Z|3|-4e2", "2024-01-01T01:00:00Z|5|6").Replace("|", separator, StringComparison.Ordinal);

        CsvTable table = CsvSeriesReader.ReadText(text, "data.csv");

        Assert.Equal(separator[0], table.Delimiter);
        Assert.True(table.HasHeader);
        Assert.Equal(["a", "b"], table.ColumnNames);
        Assert.Equal("time", table.TimeColumn);
        Assert.Equal([1.5, 3, 5], table.Column("a").ToArray());
        Assert.Equal([2, -400, 6], table.Column("b").ToArray());
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 30, 0, TimeSpan.Zero), table.Timestamps![1]);
    }

    [Fact]
    public void A_file_without_a_header_names_its_columns_by_number()
    {
        CsvTable table = CsvSeriesReader.ReadText("1;2\n3;4\n", "plain.csv");

        Assert.False(table.HasHeader);
        Assert.Equal(';', table.Delimiter);
        Assert.Equal(["1", "2"], table.ColumnNames);
        Assert.Equal([1, 3], table.Column("1").ToArray());
        Assert.Equal([2, 4], table.Column(1).ToArray());
        Assert.Null(table.Timestamps);
        Assert.Equal(1, table.LineOf(0));
    }

    [Fact]
    public void The_header_can_be_forced_either_way()
    {
        Assert.Equal(["10", "20"], CsvSeriesReader.ReadText("10,20\n1,2\n", "numbers.csv", new CsvReadOptions { Header = CsvHeader.Present }).ColumnNames);
        Assert.Contains("line 1, column '2': 'y' is not a number",
            Assert.Throws<CsvDataException>(() => CsvSeriesReader.ReadText("x,y\n1,2\n", "text.csv", new CsvReadOptions { Header = CsvHeader.Absent, Columns = ["2"] })).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_cells_and_NaN_are_missing_values()
    {
        CsvTable table = CsvSeriesReader.ReadText("a,b\n1,\n,NaN\nnan,NA\n4,null\n", "gaps.csv");

        Assert.Equal([1, double.NaN, double.NaN, 4], table.Column("a").ToArray());
        Assert.All(table.Column("b").ToArray(), v => Assert.True(double.IsNaN(v)));
        TimeSeries series = table.ToTimeSeries();
        Assert.Equal((4, 2), (series.Length, series.Features));
        Assert.True(float.IsNaN(series.At(1)[0]));
    }

    [Fact]
    public void A_bad_number_names_the_file_line_and_column()
    {
        // Line 1 is the header, line 3 is empty and skipped: 'abc' is on line 5.
        string text = "index,value\n0,1.0\n\n1,2.0\n2,abc\n3,4\n";

        var problem = Assert.Throws<CsvDataException>(() => CsvSeriesReader.ReadText(text, "data.csv"));

        Assert.Equal("data.csv: line 5, column 'value': 'abc' is not a number.", problem.Message);
        Assert.Equal((5, "value"), (problem.Line, problem.Column));
        Assert.Contains("write decimals with a point",
            Assert.Throws<CsvDataException>(() => CsvSeriesReader.ReadText("value\n1,5\n", "comma.csv", new CsvReadOptions { Delimiter = ';' })).Message, StringComparison.Ordinal);
        Assert.Contains("line 2, column 'value': 'Infinity' is not a finite number",
            Assert.Throws<CsvDataException>(() => CsvSeriesReader.ReadText("value\nInfinity\n", "inf.csv")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_of_another_width_is_refused_with_its_line()
    {
        var problem = Assert.Throws<CsvDataException>(() => CsvSeriesReader.ReadText("a,b\n1,2\n3\n", "ragged.csv"));

        Assert.Equal(3, problem.Line);
        Assert.Contains("has 1 fields but the header has 2", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Iso_timestamps_with_offsets_and_dates_are_read()
    {
        CsvTable table = CsvSeriesReader.ReadText(
            "when,v\n2024-03-01,1\n2024-03-01T02:00:00+01:00,2\n2024-03-01 01:30:00.5Z,3\n2024-03-01T02:45,4\n", "times.csv",
            new CsvReadOptions { TimeColumn = "when" });

        var midnight = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(
            [midnight, midnight.AddHours(1), midnight.AddMinutes(90).AddMilliseconds(500), midnight.AddMinutes(165)],
            table.Timestamps!.Select(t => t.UtcDateTime));
        Assert.Equal(["v"], table.ColumnNames);
        Assert.Equal(4, table.ToTimeSeries().Timestamps!.Count);
    }

    [Theory]
    [InlineData("time,v\n2024-03-01T00:00Z,1\n2024-03-01T00:00Z,2\n", "line 3, column 'time': 2024-03-01T00:00Z is not after the timestamp of the row before")]
    [InlineData("time,v\n2024-03-01T00:00Z,1\n03/02/2024,2\n", "line 3, column 'time': '03/02/2024' is not an ISO 8601 timestamp")]
    [InlineData("time,v\n2024-03-01T00:00Z,1\n,2\n", "line 3, column 'time': the timestamp is missing")]
    public void Bad_timestamps_are_refused_with_their_line(string text, string expected)
    {
        var problem = Assert.Throws<CsvDataException>(() => CsvSeriesReader.ReadText(text, "t.csv", new CsvReadOptions { TimeColumn = "time" }));

        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_are_selected_by_name_or_number_in_the_order_given()
    {
        const string Text = "index,label,cpu,memory\n0,0,1,10\n1,1,2,20\n";

        CsvTable all = CsvSeriesReader.ReadText(Text, "m.csv");
        CsvTable some = CsvSeriesReader.ReadText(Text, "m.csv", new CsvReadOptions { Columns = ["memory", "3"] });

        Assert.Equal(["label", "cpu", "memory"], all.ColumnNames);
        Assert.Equal(["memory", "cpu"], some.ColumnNames);
        Assert.Equal([10f, 1f, 20f, 2f], some.ToTimeSeries().Values.ToArray());
        var unknown = Assert.Throws<CliException>(() => CsvSeriesReader.ReadText(Text, "m.csv", new CsvReadOptions { Columns = ["disk"] }));
        Assert.Equal("m.csv has no column 'disk' (--columns); its columns are 'index', 'label', 'cpu', 'memory' (a 1-based number works too).", unknown.Message);
    }

    [Fact]
    public void Text_in_a_column_that_is_not_read_does_not_matter()
    {
        CsvTable table = CsvSeriesReader.ReadText("value,split\n1,train\n2,test\n", "s.csv", new CsvReadOptions { Columns = ["value"] });

        Assert.Equal([1, 2], table.Column("value").ToArray());
    }

    [Fact]
    public void Quoted_fields_and_a_byte_order_mark_are_read()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "quoted.csv");
        File.WriteAllText(path, "\"name, with comma\",\"v\"\n\"a\",\"1.25\"\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        CsvTable table = CsvSeriesReader.Read(path, new CsvReadOptions { Columns = ["v"] });

        Assert.Equal(["name, with comma", "v"], table.FileColumns);
        Assert.Equal([1.25], table.Column("v").ToArray());
    }

    [Fact]
    public void A_missing_or_empty_file_is_a_usage_error()
    {
        using var folder = new TempFolder();

        Assert.StartsWith("No file at ", Assert.Throws<CliException>(() => CsvSeriesReader.Read(Path.Combine(folder.Path, "none.csv"))).Message, StringComparison.Ordinal);
        Assert.Equal("empty.csv: the file holds no rows.", Assert.Throws<CsvDataException>(() => CsvSeriesReader.ReadText("", "empty.csv")).Message);
        Assert.Equal("head.csv: the file has a header but no data rows.", Assert.Throws<CsvDataException>(() => CsvSeriesReader.ReadText("a,b\n", "head.csv")).Message);
    }
}
