using GruAnomaly.Data;

namespace GruAnomaly.Tests.Data;

public class ReconstructionWindowsTests
{
    // Two features over five steps, with gaps:   t:  0    1    2    3    4
    //                                    feature 0:  1  NaN    3    4    5
    //                                    feature 1: NaN  10   20  NaN   40
    // Forward-filled inputs (a leading gap takes the first observation):
    //                                    feature 0:  1    1    3    4    5
    //                                    feature 1: 10   10   20   20   40
    private static readonly float[] Series = [1, float.NaN, float.NaN, 10, 3, 20, 4, float.NaN, 5, 40];

    [Fact]
    public void Windows_with_a_stride_write_filled_inputs_and_raw_targets_time_major()
    {
        var data = new ReconstructionWindows(Series, features: 2, window: 3, stride: 2);

        Assert.Equal(2, data.Count);
        Assert.Equal((3, 2, 2, 3), (data.Steps, data.InputSize, data.TargetSize, data.TargetSteps));
        Assert.Equal((5, 2, 3, 2), (data.Length, data.Features, data.Window, data.Stride));
        Assert.Equal(0, data.StartOf(0));
        Assert.Equal(2, data.StartOf(1));

        var inputs = new float[3 * 2 * 2];
        var targets = new float[3 * 2 * 2];
        for (int example = 0; example < 2; example++)
        {
            data.WriteInputs(example, inputs, batchSize: 2, slot: example);
            data.WriteTargets(example, targets, batchSize: 2, slot: example);
        }

        // Row t holds slot 0 then slot 1; example 0 starts at t = 0, example 1 at t = 2.
        float nan = float.NaN;
        Assert.Equal([1, 10, 3, 20, /**/ 1, 10, 4, 20, /**/ 3, 20, 5, 40], inputs);
        Assert.Equal([1, nan, 3, 20, /**/ nan, 10, 4, nan, /**/ 3, 20, 5, 40], targets);
    }

    [Fact]
    public void A_window_as_long_as_the_series_gives_one_example_and_a_univariate_series_works()
    {
        var whole = new ReconstructionWindows(Series, features: 2, window: 5);
        Assert.Equal(1, whole.Count);

        var univariate = ReconstructionWindows.Univariate([0f, 1f, 2f, 3f, 4f, 5f, 6f], window: 3, stride: 2);
        Assert.Equal(3, univariate.Count);
        var inputs = new float[3];
        univariate.WriteInputs(2, inputs, batchSize: 1, slot: 0);
        Assert.Equal([4f, 5f, 6f], inputs);
    }

    [Fact]
    public void Bad_series_and_arguments_are_rejected_with_the_reason()
    {
        var ragged = Assert.Throws<ArgumentException>(() => new ReconstructionWindows([1f, 2f, 3f], features: 2, window: 1));
        Assert.Equal("values", ragged.ParamName);
        Assert.Contains("not a whole number", ragged.Message);

        var shortSeries = Assert.Throws<ArgumentException>(() => new ReconstructionWindows(Series, features: 2, window: 6));
        Assert.Contains("5 time steps", shortSeries.Message);

        var infinite = Assert.Throws<ArgumentException>(() => ReconstructionWindows.Univariate([1f, float.NegativeInfinity, 2f], window: 2));
        Assert.Contains("at time 1, feature 0", infinite.Message);

        var unobserved = Assert.Throws<ArgumentException>(() => new ReconstructionWindows([1f, float.NaN, 2f, float.NaN], features: 2, window: 2));
        Assert.Contains("Feature 1 is never observed", unobserved.Message);

        Assert.Equal("features", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconstructionWindows(Series, 0, 2)).ParamName);
        Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconstructionWindows(Series, 2, 0)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => new ReconstructionWindows(Series, 2, 2, stride: 0)).ParamName);

        var data = new ReconstructionWindows(Series, features: 2, window: 3, stride: 2);
        Assert.Equal("example", Assert.Throws<ArgumentOutOfRangeException>(() => data.StartOf(2)).ParamName);
        Assert.Equal("example", Assert.Throws<ArgumentOutOfRangeException>(() => data.StartOf(-1)).ParamName);
    }
}
