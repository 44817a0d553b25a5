using GruAnomaly.Preprocessing;

namespace GruAnomaly.Tests.Preprocessing;

/// <summary>Hand-worked and NumPy-checked fits of the built-in scalers, and the affine map of <see cref="FittedScaler"/>.</summary>
public sealed class ScalerTests
{
    private const float NaN = float.NaN;

    // Three features, time-major, 8 steps:
    // f0 = 2, 4, 4, 4, 5, 5, 7, 9     → mean 5, population std 2 (deviations² sum to 32, 32/8 = 4).
    // f1 = 10, NaN, 10, 10, NaN, 10, 10, 10 → constant over its 6 observed values → mean 10, std 0 → scale 1.
    // f2 = −1, 1, NaN, −1, 1, NaN, −1, 1 → observed mean 0, std 1.
    private static readonly float[] ThreeFeatures =
    [
        2, 10, -1,
        4, NaN, 1,
        4, 10, NaN,
        4, 10, -1,
        5, NaN, 1,
        5, 10, NaN,
        7, 10, -1,
        9, 10, 1,
    ];

    [Fact]
    public void Standard_fits_mean_and_population_deviation_per_feature_ignoring_nan()
    {
        FittedScaler scaler = Scaler.Standard().Fit(ThreeFeatures, 3);

        Assert.Equal("Standard", scaler.Name);
        Assert.Equal(3, scaler.Features);
        Assert.Equal([5f, 10f, 0f], scaler.Offsets);
        Assert.Equal([2f, 1f, 1f], scaler.Scales);
    }

    [Fact]
    public void Standard_transform_on_hand_values_keeps_nan()
    {
        float[] scaled = Scaler.Standard().Fit(ThreeFeatures, 3).Transform(ThreeFeatures);

        // f0: (x − 5)/2; f1: x − 10 (scale 1 for the constant feature); f2: x.
        float[] expected =
        [
            -1.5f, 0, -1,
            -0.5f, NaN, 1,
            -0.5f, 0, NaN,
            -0.5f, 0, -1,
            0, NaN, 1,
            0, 0, NaN,
            1, 0, -1,
            2, 0, 1,
        ];
        Assert.Equal(expected, scaled);
    }

    [Fact]
    public void Standard_matches_numpy_on_inexact_values()
    {
        // np.float32(x.mean()), np.float32(x.std()) over the float32 values widened to float64: 0.571428537, 0.39538148.
        float[] x = [0.1f, 0.7f, 0.3f, 0.9f, 0.2f, 0.5f, 1.3f];
        FittedScaler scaler = Scaler.Standard().Fit(x, 1);

        Assert.Equal(0.571428537f, scaler.Offsets[0]);
        Assert.Equal(0.39538148f, scaler.Scales[0]);
    }

    [Fact]
    public void Min_max_maps_the_observed_range_onto_zero_one_and_a_constant_feature_to_min()
    {
        // f0 = 2, 4, 10 → (x − 2)/8; f1 = 3, NaN, 3 constant → scale 1, offset 3 − 0 = 3, maps to 0.
        float[] values = [2, 3, 4, NaN, 10, 3];
        FittedScaler scaler = Scaler.MinMax().Fit(values, 2);

        Assert.Equal("MinMax", scaler.Name);
        Assert.Equal([2f, 3f], scaler.Offsets);
        Assert.Equal([8f, 1f], scaler.Scales);
        Assert.Equal([0f, 0f, 0.25f, NaN, 1f, 0f], scaler.Transform(values));
    }

    [Fact]
    public void Min_max_onto_a_custom_range()
    {
        // [2, 10] onto [−1, 1]: scale 8/2 = 4, offset 2 − (−1)·4 = 6; (2 − 6)/4 = −1, (4 − 6)/4 = −0.5, (10 − 6)/4 = 1.
        // The constant feature 3 maps to min: scale 1, offset 3 − (−1) = 4.
        float[] values = [2, 3, 4, 3, 10, 3];
        FittedScaler scaler = Scaler.MinMax(-1f, 1f).Fit(values, 2);

        Assert.Equal([6f, 4f], scaler.Offsets);
        Assert.Equal([4f, 1f], scaler.Scales);
        Assert.Equal([-1f, -1f, -0.5f, -1f, 1f, -1f], scaler.Transform(values));
    }

    [Theory]
    // NumPy: np.quantile(x, [0.25, 0.5, 0.75]) (method 'linear', h = (n − 1)·q).
    [InlineData(new float[] { 1, 2, 3, 4, 100 }, 3f, 2f)] // odd n = 5: h = 1, 2, 3 → 2, 3, 4; IQR 2 (the outlier is ignored).
    [InlineData(new float[] { 6, NaN, 1, 4, 2, 5, 3 }, 3.5f, 2.5f)] // even n = 6 after NaN: h = 1.25, 2.5, 3.75 → 2.25, 3.5, 4.75.
    [InlineData(new float[] { 10, 0, 30, 20 }, 15f, 15f)] // n = 4: h = 0.75, 1.5, 2.25 → 7.5, 15, 22.5.
    [InlineData(new float[] { 5, 5, 9, 5, 5 }, 5f, 1f)] // quartiles 5 and 5: zero IQR though not constant → scale 1.
    [InlineData(new float[] { 7, 7, 7 }, 7f, 1f)] // constant → scale 1.
    [InlineData(new float[] { 4 }, 4f, 1f)] // a single observation.
    public void Robust_fits_median_and_interquartile_range_like_numpy(float[] values, float median, float iqr)
    {
        FittedScaler scaler = Scaler.Robust().Fit(values, 1);

        Assert.Equal("Robust", scaler.Name);
        Assert.Equal(median, scaler.Offsets[0]);
        Assert.Equal(iqr, scaler.Scales[0]);
    }

    [Fact]
    public void Robust_matches_numpy_on_inexact_values_with_odd_and_even_counts()
    {
        // np.float32 of np.quantile over the float32 values widened to float64.
        float[] x = [0.1f, 0.7f, 0.3f, 0.9f, 0.2f, 0.5f, 1.3f];
        FittedScaler odd = Scaler.Robust().Fit(x, 1);
        FittedScaler even = Scaler.Robust().Fit(x.AsSpan(0, 6), 1);

        Assert.Equal(0.5f, odd.Offsets[0]);
        Assert.Equal(0.54999995f, odd.Scales[0]);
        Assert.Equal(0.400000006f, even.Offsets[0]);
        Assert.Equal(0.424999982f, even.Scales[0]);
    }

    [Fact]
    public void Robust_is_per_feature_on_a_multivariate_series()
    {
        // f0 = 2, 4, 4, 4, 5, 5, 7, 9: quartiles at h = 1.75, 3.5, 5.25 → 4, 4.5, 5.5 → median 4.5, IQR 1.5.
        // f1: six 10s → median 10, IQR 0 → 1.  f2 = −1, 1, −1, 1, −1, 1 sorted −1 ×3, 1 ×3: h = 1.25, 2.5, 3.75 → −1, 0, 1 → IQR 2.
        FittedScaler scaler = Scaler.Robust().Fit(ThreeFeatures, 3);

        Assert.Equal([4.5f, 10f, 0f], scaler.Offsets);
        Assert.Equal([1.5f, 1f, 2f], scaler.Scales);
    }

    [Fact]
    public void None_passes_values_through_but_still_checks_the_series()
    {
        FittedScaler scaler = Scaler.None().Fit(ThreeFeatures, 3);

        Assert.Equal("None", scaler.Name);
        Assert.Equal([0f, 0f, 0f], scaler.Offsets);
        Assert.Equal([1f, 1f, 1f], scaler.Scales);
        Assert.Equal(ThreeFeatures, scaler.Transform(ThreeFeatures));
        Assert.Throws<ArgumentException>(() => Scaler.None().Fit([1f, float.PositiveInfinity], 1));
    }

    [Fact]
    public void Inverse_transform_and_single_values_on_hand_values()
    {
        FittedScaler scaler = new("Standard", [5f, 10f], [2f, 0.5f]);

        // x·scale + offset: −1.5·2 + 5 = 2, 4·0.5 + 10 = 12.
        Assert.Equal([2f, 12f, NaN, 10f], scaler.InverseTransform([-1.5f, 4f, NaN, 0f]));
        Assert.Equal(2f, scaler.InverseTransform(-1.5f, 0));
        Assert.Equal(12f, scaler.InverseTransform(4f, 1));
        Assert.Equal(-1.5f, scaler.Transform(2f, 0));
        Assert.Equal(4f, scaler.Transform(12f, 1));
        Assert.True(float.IsNaN(scaler.Transform(NaN, 1)));
        Assert.True(float.IsNaN(scaler.InverseTransform(NaN, 0)));
    }

    [Fact]
    public void Inverse_scale_multiplies_differences_by_the_scale_without_the_offset()
    {
        FittedScaler scaler = new("Standard", [5f, 10f], [2f, 0.5f]);

        float[] errors = [0.25f, 3f, -1f, NaN];
        scaler.InverseScale(errors, errors);
        Assert.Equal([0.5f, 1.5f, -2f, NaN], errors);

        double[] scores = [0.25, 3];
        double[] rescaled = new double[2];
        scaler.InverseScale(scores, rescaled);
        Assert.Equal([0.5, 1.5], rescaled);
        Assert.Equal(1.5, scaler.InverseScale(3.0, 1));
    }

    [Fact]
    public void Transform_in_place_equals_transform_into_a_new_array()
    {
        FittedScaler scaler = Scaler.Standard().Fit(ThreeFeatures, 3);
        float[] expected = scaler.Transform(ThreeFeatures);
        float[] buffer = (float[])ThreeFeatures.Clone();

        scaler.Transform(buffer, buffer);

        Assert.Equal(expected, buffer);
    }

    [Theory]
    [InlineData("Standard")]
    [InlineData("MinMax")]
    [InlineData("Robust")]
    public void Round_trip_returns_each_value_within_two_roundings(string strategy)
    {
        IScalerStrategy scaler = strategy switch
        {
            "Standard" => Scaler.Standard(),
            "MinMax" => Scaler.MinMax(-3f, 7f),
            _ => Scaler.Robust(),
        };
        var random = new Random(1234);
        float[] values = new float[3 * 500];
        for (int i = 0; i < values.Length; i++)
        {
            // Features on very different scales and centres.
            values[i] = (i % 3) switch
            {
                0 => (float)(random.NextDouble() * 1e-3),
                1 => (float)((random.NextDouble() * 2e4) - 5e3),
                _ => (float)(1e6 + (random.NextDouble() * 10)),
            };
        }

        FittedScaler fitted = scaler.Fit(values, 3);
        float[] back = fitted.InverseTransform(fitted.Transform(values));

        // Transform rounds once to float: y = ((x − o)/s)(1 + δ₁), |δ₁| ≤ u = 2⁻²⁴ (the double steps add ~2⁻⁵³).
        // The inverse computes y·s + o = x + (x − o)δ₁ in double and rounds once more: (1 + δ₂), |δ₂| ≤ u.
        // So |x″ − x| ≤ u·|x − o| + u·|x| (+ terms of order u², covered by the 1 + 2⁻²⁰ factor) — at most 1 ulp of x
        // when |x − o| ≤ |x|.
        const double u = 1.0 / (1 << 24);
        for (int i = 0; i < values.Length; i++)
        {
            double x = values[i];
            double bound = u * (Math.Abs(x - fitted.Offsets[i % 3]) + Math.Abs(x)) * (1 + (1.0 / (1 << 20)));
            Assert.True(Math.Abs(back[i] - x) <= bound, $"index {i}: {x} came back as {back[i]} (bound {bound}).");
        }
    }

    [Fact]
    public void Fitted_state_round_trips_through_the_constructor_and_is_copied()
    {
        FittedScaler fitted = Scaler.Robust().Fit(ThreeFeatures, 3);
        float[] offsets = [.. fitted.Offsets];
        float[] scales = [.. fitted.Scales];
        FittedScaler restored = new(fitted.Name, offsets, scales);
        offsets[0] = 1000f;

        Assert.Equal(fitted.Name, restored.Name);
        Assert.Equal(fitted.Offsets, restored.Offsets);
        Assert.Equal(fitted.Scales, restored.Scales);
        Assert.Equal(fitted.Transform(ThreeFeatures), restored.Transform(ThreeFeatures));
        Assert.Equal(fitted.Offsets[0], restored.Offsets[0]);
        Assert.False(restored.Offsets is float[], "the state must not be exposed as a mutable array");
    }

    [Fact]
    public void Fit_rejects_bad_series()
    {
        foreach (IScalerStrategy scaler in new[] { Scaler.Standard(), Scaler.MinMax(), Scaler.Robust(), Scaler.None() })
        {
            Assert.Equal("features", Assert.Throws<ArgumentOutOfRangeException>(() => scaler.Fit([1f, 2f], 0)).ParamName);
            Assert.Equal("features", Assert.Throws<ArgumentOutOfRangeException>(() => scaler.Fit([1f, 2f], -2)).ParamName);

            ArgumentException ragged = Assert.Throws<ArgumentException>(() => scaler.Fit([1f, 2f, 3f], 2));
            Assert.Equal("values", ragged.ParamName);
            Assert.Contains("3 values", ragged.Message, StringComparison.Ordinal);

            Assert.Contains("empty", Assert.Throws<ArgumentException>(() => scaler.Fit([], 2)).Message, StringComparison.Ordinal);

            ArgumentException infinity = Assert.Throws<ArgumentException>(() => scaler.Fit([1f, 2f, float.NegativeInfinity, 4f], 2));
            Assert.Equal("values", infinity.ParamName);
            Assert.Contains("index 2 (time step 1, feature 0)", infinity.Message, StringComparison.Ordinal);

            ArgumentException unobserved = Assert.Throws<ArgumentException>(() => scaler.Fit([1f, NaN, 2f, NaN], 2));
            Assert.Equal("values", unobserved.ParamName);
            Assert.Contains("Feature 1", unobserved.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_spread_wider_than_float_is_rejected_instead_of_becoming_infinite()
    {
        ArgumentException wide = Assert.Throws<ArgumentException>(() => Scaler.MinMax().Fit([-3e38f, 3e38f], 1));

        Assert.Equal("values", wide.ParamName);
        Assert.Contains("Feature 0", wide.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f, 0f, "max")]
    [InlineData(1f, 0f, "max")]
    [InlineData(0f, float.PositiveInfinity, "max")]
    [InlineData(float.NaN, 1f, "min")]
    [InlineData(float.NegativeInfinity, 1f, "min")]
    [InlineData(-3e38f, 3e38f, "max")]
    public void Min_max_rejects_bad_ranges(float min, float max, string parameter)
    {
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => new MinMaxScaler(min, max)).ParamName);
        // The factory records the problem for AnomalyDetectorBuilder.Build; fitting refuses it.
        Assert.Contains($"Scaler.MinMax: {parameter}", Assert.Throws<ArgumentException>(() => Scaler.MinMax(min, max).Fit([1f, 2f], 1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_rejects_bad_state()
    {
        Assert.Throws<ArgumentNullException>(() => new FittedScaler(null!, [0f], [1f]));
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new FittedScaler(" ", [0f], [1f])).ParamName);
        Assert.Equal("offsets", Assert.Throws<ArgumentNullException>(() => new FittedScaler("x", null!, [1f])).ParamName);
        Assert.Equal("scales", Assert.Throws<ArgumentNullException>(() => new FittedScaler("x", [0f], null!)).ParamName);
        Assert.Equal("offsets", Assert.Throws<ArgumentException>(() => new FittedScaler("x", [], [])).ParamName);
        Assert.Equal("scales", Assert.Throws<ArgumentException>(() => new FittedScaler("x", [0f, 0f], [1f])).ParamName);

        ArgumentException nanOffset = Assert.Throws<ArgumentException>(() => new FittedScaler("x", [0f, NaN], [1f, 1f]));
        Assert.Equal("offsets", nanOffset.ParamName);
        Assert.Contains("offsets[1]", nanOffset.Message, StringComparison.Ordinal);

        foreach (float scale in new[] { 0f, -1f, NaN, float.PositiveInfinity })
        {
            ArgumentException bad = Assert.Throws<ArgumentException>(() => new FittedScaler("x", [0f, 0f], [1f, scale]));
            Assert.Equal("scales", bad.ParamName);
            Assert.Contains("scales[1]", bad.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Transform_rejects_bad_arguments_without_touching_the_input()
    {
        FittedScaler scaler = new("x", [0f, 0f], [2f, 2f]);

        Assert.Equal("values", Assert.Throws<ArgumentException>(() => scaler.Transform([1f, 2f, 3f])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => scaler.Transform([1f, 2f], new float[4])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => scaler.InverseTransform([1f, 2f], new float[3])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => scaler.InverseScale([1.0, 2.0], new double[1])).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => scaler.InverseScale([1.0, 2.0, 3.0], new double[3])).ParamName);

        float[] buffer = [4f, 6f, 8f, float.PositiveInfinity];
        ArgumentException infinity = Assert.Throws<ArgumentException>(() => scaler.Transform(buffer, buffer));
        Assert.Equal("values", infinity.ParamName);
        Assert.Contains("index 3 (time step 1, feature 1)", infinity.Message, StringComparison.Ordinal);
        Assert.Equal([4f, 6f, 8f, float.PositiveInfinity], buffer);

        float[] shifted = [1f, 2f, 3f, 4f, 5f, 6f];
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => scaler.Transform(shifted.AsSpan(0, 4), shifted.AsSpan(2, 4))).ParamName);

        Assert.Equal("feature", Assert.Throws<ArgumentOutOfRangeException>(() => scaler.Transform(1f, 2)).ParamName);
        Assert.Equal("feature", Assert.Throws<ArgumentOutOfRangeException>(() => scaler.InverseTransform(1f, -1)).ParamName);
        Assert.Equal("feature", Assert.Throws<ArgumentOutOfRangeException>(() => scaler.InverseScale(1.0, 2)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => scaler.Transform(float.NegativeInfinity, 0)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => scaler.InverseScale(double.PositiveInfinity, 0)).ParamName);
    }

    [Fact]
    public void A_result_beyond_the_float_range_is_an_error_not_an_infinity()
    {
        FittedScaler tiny = new("x", [0f], [1e-30f]);

        ArgumentException overflow = Assert.Throws<ArgumentException>(() => tiny.Transform([1f, 1e30f]));
        Assert.Contains("index 1", overflow.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new FittedScaler("x", [0f], [1e30f]).InverseTransform(1e30f, 0));
    }
}
