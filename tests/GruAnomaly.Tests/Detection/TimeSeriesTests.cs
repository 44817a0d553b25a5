using GruAnomaly.Detection;

namespace GruAnomaly.Tests.Detection;

public sealed class TimeSeriesTests
{
    [Fact]
    public void ArraysConvertTimeMajor()
    {
        TimeSeries univariate = new[] { 1f, 2f, 3f };
        TimeSeries table = new float[,] { { 1f, 10f }, { 2f, 20f } };

        Assert.Equal((3, 1), (univariate.Length, univariate.Features));
        Assert.Equal((2, 2), (table.Length, table.Features));
        Assert.Equal([1f, 10f, 2f, 20f], table.Values.ToArray());
        Assert.Equal([2f, 20f], table.At(1).ToArray());
    }

    [Fact]
    public void BadSeriesAreRefusedWithWhatWasExpected()
    {
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new TimeSeries([], 1)).Message, StringComparison.Ordinal);
        Assert.Contains("not a whole number of time steps of 2 features",
            Assert.Throws<ArgumentException>(() => new TimeSeries([1f, 2f, 3f], 2)).Message, StringComparison.Ordinal);
        Assert.Contains("at time 1, feature 0",
            Assert.Throws<ArgumentException>(() => new TimeSeries([1f, 2f, float.PositiveInfinity, 4f], 2)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeSeries([1f], 0));
        Assert.Contains("no feature columns", Assert.Throws<ArgumentException>(() => TimeSeries.FromArray(new float[3, 0])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimestampsMustMatchAndIncrease()
    {
        DateTimeOffset t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        TimeSeries series = TimeSeries.Univariate([1f, 2f], [t0, t0.AddSeconds(1)]);
        Assert.Equal(t0.AddSeconds(1), series.Timestamps![1]);
        Assert.Contains("2 timestamps for 3 time steps",
            Assert.Throws<ArgumentException>(() => TimeSeries.Univariate([1f, 2f, 3f], [t0, t0.AddSeconds(1)])).Message, StringComparison.Ordinal);
        Assert.Contains("strictly increase",
            Assert.Throws<ArgumentException>(() => TimeSeries.Univariate([1f, 2f], [t0, t0])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeriesDoesNotShareTheCallersArray()
    {
        float[] values = [1f, 2f, 3f];
        TimeSeries series = values;
        values[0] = 99f;
        Assert.Equal(1f, series.Values[0]);
    }
}
