using GruAnomaly.Detection;
using ScottPlot;

namespace GruAnomaly.Cli.Plotting;

/// <summary>
/// Draws what a detector found in a series as a PNG: the series with its expected values, the alarms and any labelled
/// windows on top; the score the threshold judges, the threshold, the flagged events and the alarms below. Time runs
/// along shared x axes, as dates when the series has timestamps, as steps otherwise.
/// </summary>
internal static class DetectionPlot
{
    private static readonly Color SeriesColor = Colors.SteelBlue;
    private static readonly Color ExpectedColor = Colors.DarkOrange;
    private static readonly Color AlarmColor = Colors.Crimson;
    private static readonly Color LabelColor = Colors.Crimson.WithAlpha(0.12);
    private static readonly Color EventColor = Colors.Gold.WithAlpha(0.35);

    /// <summary>Writes the plot of one feature of a series and its detection result.</summary>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="title">The title above the plot.</param>
    /// <param name="series">The series that was scored.</param>
    /// <param name="result">What the detector found in it.</param>
    /// <param name="labelled">The labelled windows as inclusive (start, end) steps, or null when the series has no labels.</param>
    /// <param name="feature">The feature to draw.</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    public static void Save(string path, string title, TimeSeries series, DetectionResult result,
        IReadOnlyList<(int Start, int End)>? labelled, int feature = 0, int width = 1600, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(result);
        int length = series.Length;
        bool dates = series.Timestamps is not null;
        double[] x = new double[length];
        for (int t = 0; t < length; t++)
        {
            x[t] = dates ? series.Timestamps![t].UtcDateTime.ToOADate() : t;
        }

        // Half a step either side, so a window of one step is still drawn.
        double half = length > 1 ? (x[1] - x[0]) / 2 : 0.5;
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        Plot top = multiplot.GetPlot(0);
        Plot bottom = multiplot.GetPlot(1);
        foreach (Plot plot in new[] { top, bottom })
        {
            foreach ((int start, int end) in labelled ?? [])
            {
                plot.Add.HorizontalSpan(x[start] - half, x[end] + half, LabelColor);
            }

            if (dates)
            {
                plot.Axes.DateTimeTicksBottom();
            }
        }

        double[] values = new double[length];
        double[] expected = new double[length];
        for (int t = 0; t < length; t++)
        {
            values[t] = series.At(t)[feature];
            expected[t] = result.ExpectedAt(t)[feature];
        }

        // The expected values first, so the series is drawn over them.
        int firstExpected = Array.FindIndex(expected, double.IsFinite);
        if (firstExpected >= 0)
        {
            var expectedLine = top.Add.ScatterLine(x[firstExpected..], expected[firstExpected..], ExpectedColor);
            expectedLine.LegendText = "expected";
            expectedLine.LineWidth = 2;
        }

        var seriesLine = top.Add.ScatterLine(x, values, SeriesColor);
        seriesLine.LegendText = "series";
        seriesLine.LineWidth = 1;

        if (result.Alarms.Count > 0)
        {
            double[] ax = [.. result.Alarms.Select(t => x[t])];
            double[] ay = [.. result.Alarms.Select(t => values[t])];
            var alarms = top.Add.ScatterPoints(ax, ay, AlarmColor);
            alarms.MarkerShape = MarkerShape.FilledTriangleDown;
            alarms.MarkerSize = 10;
            alarms.LegendText = "alarm";
        }

        top.Title(title);
        top.YLabel(series.Features == 1 ? "value" : $"feature {feature}");
        top.Legend.Alignment = Alignment.UpperLeft;
        top.ShowLegend();

        foreach (AnomalyEvent e in result.Events)
        {
            bottom.Add.HorizontalSpan(x[e.Start] - half, x[e.End] + half, EventColor);
        }

        // Scores of strong anomalies are thousands of times the threshold: a signed log scale keeps both in view.
        var score = bottom.Add.ScatterLine(x, SignedLog(result.Scores), Colors.DimGray);
        score.LegendText = "score";
        score.LineWidth = 1;
        var threshold = bottom.Add.ScatterLine(x, SignedLog(result.Thresholds), Colors.Black);
        threshold.LegendText = "threshold";
        threshold.LinePattern = LinePattern.Dashed;
        threshold.LineWidth = 1.5f;
        foreach (int t in result.Alarms)
        {
            var line = bottom.Add.VerticalLine(x[t], 1, AlarmColor);
            line.LinePattern = LinePattern.Dotted;
        }

        bottom.YLabel("score: sign·log10(1 + |score|)");
        bottom.XLabel(dates ? "time (UTC)" : "step");
        bottom.Legend.Alignment = Alignment.UpperLeft;
        bottom.ShowLegend();
        multiplot.SharedAxes.ShareX([top, bottom]);
        top.Axes.SetLimitsX(x[0] - half, x[^1] + half);
        bottom.Axes.SetLimitsX(x[0] - half, x[^1] + half);

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        multiplot.SavePng(path, width, height);
    }

    /// <summary>sign(v)·log10(1 + |v|): monotonic, so a score above its threshold stays above it.</summary>
    private static double[] SignedLog(ReadOnlySpan<double> values)
    {
        var result = new double[values.Length];
        for (int t = 0; t < values.Length; t++)
        {
            result[t] = Math.Sign(values[t]) * Math.Log10(1 + Math.Abs(values[t]));
        }

        return result;
    }
}
