using GruAnomaly.Preprocessing;

namespace GruAnomaly.Tests.Preprocessing;

/// <summary>Hand-worked fills of <see cref="MissingValues"/> under each <see cref="MissingValuePolicy"/>.</summary>
public sealed class MissingValuesTests
{
    private const float NaN = float.NaN;

    // Leading run of 2, an interior run of 2 between 1 and 4, a trailing NaN.
    private static readonly float[] Univariate = [NaN, NaN, 1, NaN, NaN, 4, NaN];

    // f0 = 0, NaN, NaN, 3, NaN   f1 = NaN, 10, NaN, NaN, 16   f2 = 5, 5, NaN, 7, NaN (time-major below).
    private static readonly float[] ThreeFeatures =
    [
        0, NaN, 5,
        NaN, 10, 5,
        NaN, NaN, NaN,
        3, NaN, 7,
        NaN, 16, NaN,
    ];

    [Fact]
    public void Interpolate_is_linear_inside_gaps_and_takes_the_nearest_value_at_the_edges()
    {
        // Same as np.interp(range(7), [2, 5], [1, 4]).
        Assert.Equal([1f, 1f, 1f, 2f, 3f, 4f, 4f], MissingValues.Fill(Univariate, 1, MissingValuePolicy.Interpolate));
    }

    [Fact]
    public void Forward_fill_carries_the_last_value_and_backfills_the_leading_run()
    {
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 4f, 4f], MissingValues.Fill(Univariate, 1, MissingValuePolicy.ForwardFill));
    }

    [Fact]
    public void Mask_leaves_every_value_including_nan_in_place()
    {
        float[] masked = MissingValues.Fill(ThreeFeatures, 3, MissingValuePolicy.Mask);

        Assert.Equal(ThreeFeatures, masked);
        Assert.True(float.IsNaN(masked[1]));
    }

    [Fact]
    public void Interpolate_works_per_feature_on_a_multivariate_series()
    {
        // f0: 0, 1, 2, 3 then the trailing NaN takes 3.
        // f1: the leading NaN takes 10; between 10 (t = 1) and 16 (t = 4): 12, 14.
        // f2: between 5 (t = 1) and 7 (t = 3): 6; the trailing NaN takes 7.
        float[] expected =
        [
            0, 10, 5,
            1, 10, 5,
            2, 12, 6,
            3, 14, 7,
            3, 16, 7,
        ];
        Assert.Equal(expected, MissingValues.Fill(ThreeFeatures, 3, MissingValuePolicy.Interpolate));
    }

    [Fact]
    public void Forward_fill_works_per_feature_on_a_multivariate_series()
    {
        float[] expected =
        [
            0, 10, 5,
            0, 10, 5,
            0, 10, 5,
            3, 10, 7,
            3, 16, 7,
        ];
        Assert.Equal(expected, MissingValues.Fill(ThreeFeatures, 3, MissingValuePolicy.ForwardFill));
    }

    [Fact]
    public void Interpolation_between_inexact_values_is_rounded_once_from_double()
    {
        // Gap of 3 between 0.1f and 0.4f: 0.1f + k·(0.4f − 0.1f)/3 in double, rounded to float.
        float[] filled = MissingValues.Fill([0.1f, NaN, NaN, 0.4f], 1, MissingValuePolicy.Interpolate);

        double step = ((double)0.4f - 0.1f) / 3;
        Assert.Equal([0.1f, (float)(0.1f + step), (float)(0.1f + (2 * step)), 0.4f], filled);
    }

    [Theory]
    [InlineData(MissingValuePolicy.Mask)]
    [InlineData(MissingValuePolicy.Interpolate)]
    [InlineData(MissingValuePolicy.ForwardFill)]
    public void Fill_in_place_and_into_an_overlapping_span_equals_fill_into_a_new_array(MissingValuePolicy policy)
    {
        float[] expected = MissingValues.Fill(ThreeFeatures, 3, policy);

        float[] inPlace = (float[])ThreeFeatures.Clone();
        MissingValues.Fill(inPlace, 3, policy, inPlace);
        Assert.Equal(expected, inPlace);

        // The destination starts 3 elements (one time step) after the input inside one buffer.
        float[] buffer = new float[ThreeFeatures.Length + 3];
        ThreeFeatures.CopyTo(buffer, 0);
        MissingValues.Fill(buffer.AsSpan(0, ThreeFeatures.Length), 3, policy, buffer.AsSpan(3));
        Assert.Equal(expected, buffer[3..]);
    }

    [Theory]
    [InlineData(MissingValuePolicy.Interpolate)]
    [InlineData(MissingValuePolicy.ForwardFill)]
    public void A_series_without_missing_values_is_copied_unchanged(MissingValuePolicy policy)
    {
        float[] values = [1, -2, 3.5f, 0];

        Assert.Equal(values, MissingValues.Fill(values, 2, policy));
    }

    [Fact]
    public void Count_missing_counts_nan_per_feature()
    {
        Assert.Equal([3, 3, 2], MissingValues.CountMissing(ThreeFeatures, 3));
        Assert.Equal([5], MissingValues.CountMissing(Univariate, 1));
        Assert.Equal([0, 0], MissingValues.CountMissing([], 2));
    }

    [Fact]
    public void Fill_rejects_bad_arguments()
    {
        float[] destination = new float[4];
        Assert.Equal("features", Assert.Throws<ArgumentOutOfRangeException>(() => MissingValues.Fill([1f, 2f], 0, MissingValuePolicy.Mask, new float[2])).ParamName);

        ArgumentException ragged = Assert.Throws<ArgumentException>(() => MissingValues.Fill([1f, 2f, 3f], 2, MissingValuePolicy.Interpolate));
        Assert.Equal("values", ragged.ParamName);
        Assert.Contains("multiple of features", ragged.Message, StringComparison.Ordinal);

        Assert.Equal("values", Assert.Throws<ArgumentException>(() => MissingValues.Fill([], 1, MissingValuePolicy.Interpolate)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => MissingValues.Fill([1f, 2f], 1, MissingValuePolicy.Mask, new float[3])).ParamName);
        Assert.Equal("policy", Assert.Throws<ArgumentOutOfRangeException>(() => MissingValues.Fill([1f, 2f], 1, (MissingValuePolicy)7, new float[2])).ParamName);

        ArgumentException infinity = Assert.Throws<ArgumentException>(() => MissingValues.Fill([1f, NaN, float.PositiveInfinity, 2f], 2, MissingValuePolicy.ForwardFill, destination));
        Assert.Equal("values", infinity.ParamName);
        Assert.Contains("index 2", infinity.Message, StringComparison.Ordinal);
        Assert.Contains("Infinity", infinity.Message, StringComparison.Ordinal);

        foreach (MissingValuePolicy policy in Enum.GetValues<MissingValuePolicy>())
        {
            ArgumentException unobserved = Assert.Throws<ArgumentException>(() => MissingValues.Fill([1f, NaN, 2f, NaN], 2, policy, destination));
            Assert.Equal("values", unobserved.ParamName);
            Assert.Contains("Feature 1", unobserved.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Count_missing_rejects_bad_arguments()
    {
        Assert.Equal("features", Assert.Throws<ArgumentOutOfRangeException>(() => MissingValues.CountMissing([1f], -1)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => MissingValues.CountMissing([1f, 2f, 3f], 2)).ParamName);
        Assert.Contains("index 1", Assert.Throws<ArgumentException>(() => MissingValues.CountMissing([1f, float.NegativeInfinity], 1)).Message, StringComparison.Ordinal);
    }
}
