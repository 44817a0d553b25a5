using GruAnomaly.Evaluation;

namespace GruAnomaly.Tests.Evaluation.Metrics;

/// <summary>Range-based precision and recall (Tatbul et al., 2018) on hand-worked cases, its limits and bad input.</summary>
public sealed class RangeBasedTests
{
    // Case 1.
    // index      0 1 2 3 4 5 6 7 8 9 10 11
    // labels     0 1 1 1 1 0 0 1 1 1 1  0    R1 = [1, 5), R2 = [7, 11), both of length 4
    // predicted  0 0 1 0 1 1 0 0 0 0 1  1    P1 = [2, 3), P2 = [4, 6), P3 = [10, 12)
    // R1 is covered at 2 (by P1) and 4 (by P2): two fragments. R2 is covered at 10 (by P3).
    // P1 lies inside R1, P2 = {4, 5} overlaps R1 at 4, P3 = {10, 11} overlaps R2 at 10.
    private static readonly bool[] Labels1 = Flags.Parse("011110011110");
    private static readonly bool[] Predicted1 = Flags.Parse("001011000011");

    // Case 2.
    // index      0 1 2 3 4 5 6 7 8 9
    // labels     1 1 0 1 1 1 0 0 0 0    R1 = [0, 2), R2 = [3, 6)
    // predicted  0 1 1 1 1 0 0 0 1 0    P1 = [1, 5) spans both labelled ranges, P2 = [8, 9) is a false alarm
    private static readonly bool[] Labels2 = Flags.Parse("1101110000");
    private static readonly bool[] Predicted2 = Flags.Parse("0111100010");

    [Fact]
    public void Case_one_with_defaults_penalises_the_fragmented_range()
    {
        // Flat bias, γ = 1/x, α = 0.
        // Recall:    R1 covered 2/4, overlapped by 2 ranges → ½ · 2/4 = 0.25; R2 covered 1/4 → 0.25. Mean 0.25.
        // Precision: P1 1/1 = 1, P2 1/2, P3 1/2 (each overlaps one range). Mean 2/3.
        // F1 = 2 · (2/3) · (1/4) / (2/3 + 1/4) = (1/3) / (11/12) = 4/11.
        RangeDetectionScores scores = AnomalyMetrics.RangeBased(Labels1, Predicted1);

        Assert.Equal(0.25, scores.Recall, 15);
        Assert.Equal(2.0 / 3, scores.Precision, 15);
        Assert.Equal(4.0 / 11, scores.F1, 15);
        Assert.Equal(2, scores.LabelledRangeCount);
        Assert.Equal(3, scores.PredictedRangeCount);
    }

    [Fact]
    public void Case_one_without_cardinality_penalty()
    {
        // γ = 1: R1 = 2/4, R2 = 1/4 → recall 3/8. Precision unchanged, 2/3.
        RangeDetectionScores scores = AnomalyMetrics.RangeBased(Labels1, Predicted1, new RangeBasedOptions { Cardinality = CardinalityPenalty.One });

        Assert.Equal(0.375, scores.Recall, 15);
        Assert.Equal(2.0 / 3, scores.Precision, 15);
    }

    [Theory]
    // Length-4 ranges, positions i = 1..4. R1 is covered at i = 2 and 4, R2 at i = 4. γ = 1.
    // Front δ = 4, 3, 2, 1 (sum 10): R1 (3 + 1)/10 = 0.4, R2 1/10 → recall 0.25.
    [InlineData(PositionalBias.Front, 0.25)]
    // Back δ = 1, 2, 3, 4 (sum 10): R1 (2 + 4)/10 = 0.6, R2 4/10 → recall 0.5.
    [InlineData(PositionalBias.Back, 0.5)]
    // Middle δ = 1, 2, 2, 1 (sum 6): R1 (2 + 1)/6 = 0.5, R2 1/6 → recall 1/3.
    [InlineData(PositionalBias.Middle, 1.0 / 3)]
    [InlineData(PositionalBias.Flat, 0.375)]
    public void Case_one_recall_with_positional_bias(PositionalBias bias, double recall)
    {
        var options = new RangeBasedOptions { RecallBias = bias, Cardinality = CardinalityPenalty.One };

        RangeDetectionScores scores = AnomalyMetrics.RangeBased(Labels1, Predicted1, options);

        Assert.Equal(recall, scores.Recall, 15);
        Assert.Equal(2.0 / 3, scores.Precision, 15);
    }

    [Fact]
    public void Case_one_front_bias_with_reciprocal_cardinality()
    {
        // R1: ½ · 0.4 = 0.2, R2: 0.1 → recall 0.15.
        var options = new RangeBasedOptions { RecallBias = PositionalBias.Front };

        Assert.Equal(0.15, AnomalyMetrics.RangeBased(Labels1, Predicted1, options).Recall, 15);
    }

    [Theory]
    // P1 has length 1 → 1. P2 = {4, 5} and P3 = {10, 11} are each covered at their first position i = 1 of 2.
    // Back δ = 1, 2: P2 = P3 = 1/3 → precision (1 + 1/3 + 1/3)/3 = 5/9.
    [InlineData(PositionalBias.Back, 5.0 / 9)]
    // Front δ = 2, 1: P2 = P3 = 2/3 → precision (1 + 2/3 + 2/3)/3 = 7/9.
    [InlineData(PositionalBias.Front, 7.0 / 9)]
    public void Case_one_precision_with_positional_bias(PositionalBias bias, double precision)
    {
        RangeDetectionScores scores = AnomalyMetrics.RangeBased(Labels1, Predicted1, new RangeBasedOptions { PrecisionBias = bias });

        Assert.Equal(precision, scores.Precision, 15);
        Assert.Equal(0.25, scores.Recall, 15);
    }

    [Fact]
    public void Case_one_existence_reward()
    {
        // α = ½, γ = 1/x: R1 = ½ · 1 + ½ · 0.25 = 0.625, R2 = ½ · 1 + ½ · 0.25 = 0.625 → recall 0.625.
        // α = 1: both ranges are touched → recall 1. Precision ignores α: 2/3 both times.
        RangeDetectionScores half = AnomalyMetrics.RangeBased(Labels1, Predicted1, new RangeBasedOptions { Alpha = 0.5 });
        RangeDetectionScores existenceOnly = AnomalyMetrics.RangeBased(Labels1, Predicted1, new RangeBasedOptions { Alpha = 1 });

        Assert.Equal(0.625, half.Recall, 15);
        Assert.Equal(1.0, existenceOnly.Recall, 15);
        Assert.Equal(2.0 / 3, half.Precision, 15);
        Assert.Equal(2.0 / 3, existenceOnly.Precision, 15);
    }

    [Fact]
    public void Case_two_penalises_a_prediction_spanning_two_ranges()
    {
        // Recall:    R1 covered at 1 → 1/2; R2 covered at 3, 4 → 2/3. Each has one overlapping prediction. Mean 7/12.
        // Precision: P1 = {1, 2, 3, 4} covered at 1, 3, 4 → 3/4, overlapping R1 and R2 → ½ · 3/4 = 3/8; P2 → 0. Mean 3/16.
        RangeDetectionScores scores = AnomalyMetrics.RangeBased(Labels2, Predicted2);

        Assert.Equal(7.0 / 12, scores.Recall, 15);
        Assert.Equal(3.0 / 16, scores.Precision, 15);
        Assert.Equal(2 * (3.0 / 16) * (7.0 / 12) / ((3.0 / 16) + (7.0 / 12)), scores.F1, 15);
    }

    [Fact]
    public void Case_two_precision_without_penalty_and_with_middle_bias()
    {
        // γ = 1, flat: P1 = 3/4 → precision 3/8.
        // γ = 1, middle δ = 1, 2, 2, 1 for P1: covered at i = 1, 3, 4 → (1 + 2 + 1)/6 = 2/3 → precision 1/3.
        var one = new RangeBasedOptions { Cardinality = CardinalityPenalty.One };
        var middle = one with { PrecisionBias = PositionalBias.Middle };

        Assert.Equal(3.0 / 8, AnomalyMetrics.RangeBased(Labels2, Predicted2, one).Precision, 15);
        Assert.Equal(1.0 / 3, AnomalyMetrics.RangeBased(Labels2, Predicted2, middle).Precision, 15);
    }

    [Theory]
    // labels 11111 (one range, length 5), predicted 01100: covered positions i = 2, 3.
    // Flat: 2/5. Front δ = 5,4,3,2,1 (15): (4 + 3)/15. Back δ = 1..5 (15): (2 + 3)/15. Middle δ = 1,2,3,2,1 (9): (2 + 3)/9.
    [InlineData(PositionalBias.Flat, 2.0 / 5)]
    [InlineData(PositionalBias.Front, 7.0 / 15)]
    [InlineData(PositionalBias.Back, 5.0 / 15)]
    [InlineData(PositionalBias.Middle, 5.0 / 9)]
    public void Odd_length_range_weights(PositionalBias bias, double recall)
    {
        var options = new RangeBasedOptions { RecallBias = bias };

        Assert.Equal(recall, AnomalyMetrics.RangeBased(Flags.Parse("11111"), Flags.Parse("01100"), options).Recall, 15);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Single_point_ranges_reduce_to_point_wise_scores(int seed)
    {
        // With α = 0, flat bias and γ = 1, a one-point range scores 1 if hit and 0 otherwise, so the means over ranges
        // are TP / (TP + FN) and TP / (TP + FP).
        bool[] labels = IsolatedPoints(Flags.Random(300, 0.3, seed));
        bool[] predicted = IsolatedPoints(Flags.Random(300, 0.3, seed + 1000));
        var options = new RangeBasedOptions { Cardinality = CardinalityPenalty.One };

        RangeDetectionScores range = AnomalyMetrics.RangeBased(labels, predicted, options);
        DetectionScores point = AnomalyMetrics.PointWise(labels, predicted);

        Assert.True(point.TruePositives > 5, "the example should have some hits");
        Assert.Equal(point.Recall, range.Recall, 14);
        Assert.Equal(point.Precision, range.Precision, 14);
        Assert.Equal(point.F1, range.F1, 14);
    }

    [Fact]
    public void Perfect_prediction_scores_one_with_any_options()
    {
        bool[] labels = Flags.Parse("0111001101110");
        var options = new RangeBasedOptions { Alpha = 0.3, RecallBias = PositionalBias.Front, PrecisionBias = PositionalBias.Middle };

        RangeDetectionScores scores = AnomalyMetrics.RangeBased(labels, labels, options);

        Assert.Equal((1.0, 1.0, 1.0), (scores.Precision, scores.Recall, scores.F1));
    }

    [Fact]
    public void Empty_sides_score_zero()
    {
        // No labelled range: recall 0/0 → 0, and the flagged range overlaps nothing → precision 0.
        // Nothing flagged: precision 0/0 → 0, recall 0.
        RangeDetectionScores noLabels = AnomalyMetrics.RangeBased(Flags.Parse("0000"), Flags.Parse("0110"));
        RangeDetectionScores noFlags = AnomalyMetrics.RangeBased(Flags.Parse("0110"), Flags.Parse("0000"));

        Assert.Equal((0.0, 0.0, 0.0), (noLabels.Precision, noLabels.Recall, noLabels.F1));
        Assert.Equal((0, 1), (noLabels.LabelledRangeCount, noLabels.PredictedRangeCount));
        Assert.Equal((0.0, 0.0, 0.0), (noFlags.Precision, noFlags.Recall, noFlags.F1));
    }

    [Fact]
    public void Invalid_options_are_reported_together()
    {
        var options = new RangeBasedOptions { Alpha = 1.5, RecallBias = (PositionalBias)9 };

        var error = Assert.Throws<ArgumentException>(() => AnomalyMetrics.RangeBased(Labels1, Predicted1, options));

        Assert.Equal("options", error.ParamName);
        Assert.Contains("Alpha must be in [0, 1]; got 1.5.", error.Message, StringComparison.Ordinal);
        Assert.Contains("RecallBias must be Flat, Front, Back or Middle; got 9.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_mismatch_and_empty_input_are_rejected()
    {
        var mismatch = Assert.Throws<ArgumentException>(() => AnomalyMetrics.RangeBased(new bool[4], new bool[3]));
        var empty = Assert.Throws<ArgumentException>(() => AnomalyMetrics.RangeBased([], []));

        Assert.Equal("predicted", mismatch.ParamName);
        Assert.Equal("labels", empty.ParamName);
    }

    [Fact]
    public void Result_constructor_validates()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RangeDetectionScores(1.1, double.NaN, 1, 1));

        Assert.Equal("precision", error.ParamName);
        Assert.Contains("recall must be in [0, 1]; got NaN.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Clears every flag that follows a flag, so all runs have length one.</summary>
    private static bool[] IsolatedPoints(bool[] flags)
    {
        for (int i = flags.Length - 1; i > 0; i--)
        {
            if (flags[i - 1]) flags[i] = false;
        }

        return flags;
    }
}
