using GruAnomaly.Evaluation;

namespace GruAnomaly.Tests.Evaluation.Metrics;

/// <summary>Point adjustment, PA%K and the area under the PA%K curve: hand-worked values, limits, optimism, bad input.</summary>
public sealed class PointAdjustedTests
{
    // index      0123456789
    // labels     0011100110   events A = [2, 5) (3 points), B = [7, 9) (2 points)
    // predicted  0110001100   A has 1 of 3 flagged (33.3%), B has 1 of 2 (50%); flags at 1 and 6 are false positives.
    private static readonly bool[] Labels = Flags.Parse("0011100110");
    private static readonly bool[] Predicted = Flags.Parse("0110001100");

    [Fact]
    public void Point_adjustment_credits_every_point_of_a_touched_event()
    {
        // Both events touched: TP = 3 + 2 = 5, FN = 0, FP = 2, TN = 3. P = 5/7, R = 1, F1 = 10 / (10 + 2) = 5/6.
        DetectionScores scores = AnomalyMetrics.PointAdjusted(Labels, Predicted);

        Assert.Equal(new DetectionScores(5, 2, 0, 3), scores);
        Assert.Equal(5.0 / 7, scores.Precision, 15);
        Assert.Equal(1.0, scores.Recall, 15);
        Assert.Equal(5.0 / 6, scores.F1, 15);
    }

    [Theory]
    // K = 33: A: 1·100 > 33·3 = 99, adjusted; B: 100 > 66, adjusted → same as point adjustment.
    [InlineData(33, 5, 0)]
    // K = 34: A: 100 > 102 fails; B: 100 > 68, adjusted → TP = 1 + 2 = 3, FN = 2.
    [InlineData(34, 3, 2)]
    // K = 40: as K = 34. F1 = 6 / (6 + 2 + 2) = 0.6.
    [InlineData(40, 3, 2)]
    // K = 49: B: 100 > 98, still adjusted.
    [InlineData(49, 3, 2)]
    // K = 50: B: 100 > 100 fails (the comparison is strict) → point-wise counts TP = 2, FN = 3.
    [InlineData(50, 2, 3)]
    [InlineData(100, 2, 3)]
    public void PA_at_K_adjusts_an_event_only_when_more_than_K_percent_is_flagged(double k, int truePositives, int falseNegatives)
    {
        DetectionScores scores = AnomalyMetrics.PointAdjustedAtK(Labels, Predicted, k);

        Assert.Equal(new DetectionScores(truePositives, 2, falseNegatives, 3), scores);
    }

    [Fact]
    public void PA_at_K_with_K_40_has_F1_three_fifths()
    {
        // TP = 3, FP = 2, FN = 2: P = 3/5, R = 3/5, F1 = 0.6.
        Assert.Equal(0.6, AnomalyMetrics.PointAdjustedAtK(Labels, Predicted, 40).F1, 15);
    }

    [Fact]
    public void An_untouched_event_is_never_adjusted_at_K_zero()
    {
        // labels 0111000, predicted 0000100: the event has no flagged point, so K = 0 leaves it missed (TP = 0, FN = 3, FP = 1).
        DetectionScores scores = AnomalyMetrics.PointAdjustedAtK(Flags.Parse("0111000"), Flags.Parse("0000100"), 0);

        Assert.Equal(new DetectionScores(0, 1, 3, 3), scores);
    }

    [Fact]
    public void Curve_is_a_step_function_of_K_with_the_hand_computed_area()
    {
        // F1 = 5/6 for K = 0..33 (34 values), 0.6 for K = 34..49 (16 values), 4/9 for K = 50..100 (51 values).
        // Trapezoid area / 100 = (Σ F1 − (F1[0] + F1[100]) / 2) / 100.
        PointAdjustedCurve curve = AnomalyMetrics.PointAdjustedAtKCurve(Labels, Predicted);

        Assert.Equal(101, curve.F1ByK.Count);
        for (int k = 0; k <= 100; k++)
        {
            double expected = k <= 33 ? 5.0 / 6 : k <= 49 ? 0.6 : 4.0 / 9;
            Assert.Equal(expected, curve.F1ByK[k], 15);
        }

        double area = ((34 * 5.0 / 6) + (16 * 0.6) + (51 * 4.0 / 9) - (((5.0 / 6) + (4.0 / 9)) / 2)) / 100;
        Assert.Equal(area, curve.Area, 14);
        Assert.Equal(0.5996111111111111, curve.Area, 14);
        Assert.Equal(5.0 / 6, curve.PointAdjustedF1, 15);
        Assert.Equal(4.0 / 9, curve.PointWiseF1, 15);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void K_zero_is_point_adjustment_and_K_hundred_is_point_wise(int seed)
    {
        bool[] labels = Flags.Random(200, 0.3, seed);
        bool[] predicted = Flags.Random(200, 0.2, seed + 100);

        Assert.Equal(AnomalyMetrics.PointAdjusted(labels, predicted), AnomalyMetrics.PointAdjustedAtK(labels, predicted, 0));
        Assert.Equal(AnomalyMetrics.PointWise(labels, predicted), AnomalyMetrics.PointAdjustedAtK(labels, predicted, 100));
    }

    [Fact]
    public void Random_flags_reach_a_high_point_adjusted_F1_on_long_events()
    {
        // Five events of 100 points in 2000; 5% of points flagged at random. An event escapes all flags with probability
        // 0.95^100 ≈ 0.006, so point adjustment credits nearly all 500 anomalous points: F1 ≈ 2·500 / (1000 + ~75) ≈ 0.93,
        // while point-wise F1 ≈ 2·25 / (50 + 75 + 475) ≈ 0.08.
        bool[] labels = Flags.Events(2000, 100, 200, 550, 900, 1300, 1700);
        bool[] randomFlags = Flags.Random(2000, 0.05, seed: 7);

        double pointWise = AnomalyMetrics.PointWise(labels, randomFlags).F1;
        double adjusted = AnomalyMetrics.PointAdjusted(labels, randomFlags).F1;
        PointAdjustedCurve curve = AnomalyMetrics.PointAdjustedAtKCurve(labels, randomFlags);

        Assert.InRange(pointWise, 0.02, 0.15);
        Assert.True(adjusted > 0.85, $"point-adjusted F1 of random flags was {adjusted}");
        Assert.True(adjusted > 5 * pointWise, $"point-adjusted {adjusted} vs point-wise {pointWise}");

        // Raising K can only un-adjust events, and F1 = 2·TP / (TP + FP + anomalies) falls with TP.
        for (int k = 1; k <= 100; k++)
        {
            Assert.True(curve.F1ByK[k] <= curve.F1ByK[k - 1], $"F1 rose from K = {k - 1} to K = {k}");
        }

        Assert.Equal(adjusted, curve.F1ByK[0], 15);
        Assert.Equal(pointWise, curve.F1ByK[100], 15);
        Assert.True(curve.F1ByK[20] < 0.5 * adjusted, $"PA%20 F1 {curve.F1ByK[20]} should be far below point-adjusted {adjusted}");
        Assert.True(curve.Area < 0.5 * adjusted, $"area {curve.Area} should be far below point-adjusted {adjusted}");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void K_outside_zero_to_hundred_is_rejected(double k)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyMetrics.PointAdjustedAtK(Labels, Predicted, k));

        Assert.Equal("k", error.ParamName);
        Assert.Contains("k must be a percentage in [0, 100]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_mismatch_and_empty_input_are_rejected()
    {
        var mismatch = Assert.Throws<ArgumentException>(() => AnomalyMetrics.PointAdjusted(new bool[5], new bool[6]));
        var empty = Assert.Throws<ArgumentException>(() => AnomalyMetrics.PointAdjustedAtKCurve([], []));

        Assert.Equal("predicted", mismatch.ParamName);
        Assert.Equal("labels", empty.ParamName);
    }

    [Fact]
    public void Curve_constructor_validates_its_values()
    {
        var tooShort = Assert.Throws<ArgumentException>(() => new PointAdjustedCurve(new double[100]));
        double[] values = new double[101];
        values[7] = 1.5;
        var outOfRange = Assert.Throws<ArgumentException>(() => new PointAdjustedCurve(values));

        Assert.Equal("f1ByK", tooShort.ParamName);
        Assert.Contains("expected 101", tooShort.Message, StringComparison.Ordinal);
        Assert.Contains("1.5 at K = 7", outOfRange.Message, StringComparison.Ordinal);
    }
}
