using GruAnomaly.Evaluation;

namespace GruAnomaly.Tests.Evaluation.Metrics;

/// <summary>Point-wise precision, recall and F1 on hand-worked examples, their 0/0 conventions and bad input.</summary>
public sealed class PointWiseTests
{
    [Fact]
    public void Hand_worked_counts_and_scores()
    {
        // index      0123456789
        // labels     0011100110
        // predicted  0110001100
        // TP = {2, 7} = 2, FP = {1, 6} = 2, FN = {3, 4, 8} = 3, TN = {0, 5, 9} = 3.
        // P = 2/4 = 0.5, R = 2/5 = 0.4, F1 = 2·2 / (2·2 + 2 + 3) = 4/9.
        DetectionScores scores = AnomalyMetrics.PointWise(Flags.Parse("0011100110"), Flags.Parse("0110001100"));

        Assert.Equal(2, scores.TruePositives);
        Assert.Equal(2, scores.FalsePositives);
        Assert.Equal(3, scores.FalseNegatives);
        Assert.Equal(3, scores.TrueNegatives);
        Assert.Equal(0.5, scores.Precision, 15);
        Assert.Equal(0.4, scores.Recall, 15);
        Assert.Equal(4.0 / 9, scores.F1, 15);
        Assert.Equal(2 * 0.5 * 0.4 / (0.5 + 0.4), scores.F1, 15);
    }

    [Fact]
    public void Nothing_flagged_gives_zero_precision_not_NaN()
    {
        // labels 0110, nothing flagged: TP = FP = 0, so precision is 0/0 → 0 (zero_division = 0); recall 0/2 = 0.
        DetectionScores scores = AnomalyMetrics.PointWise(Flags.Parse("0110"), Flags.Parse("0000"));

        Assert.Equal(new DetectionScores(0, 0, 2, 2), scores);
        Assert.Equal(0, scores.Precision);
        Assert.Equal(0, scores.Recall);
        Assert.Equal(0, scores.F1);
    }

    [Fact]
    public void No_anomalies_give_zero_recall_and_zero_F1_even_when_nothing_is_flagged()
    {
        // labels 0000: recall is 0/0 → 0. With flags 0100 precision is 0/1 = 0; with no flags everything is 0/0 → 0.
        DetectionScores someFlags = AnomalyMetrics.PointWise(Flags.Parse("0000"), Flags.Parse("0100"));
        DetectionScores noFlags = AnomalyMetrics.PointWise(Flags.Parse("0000"), Flags.Parse("0000"));

        Assert.Equal((0, 1, 0, 3), (someFlags.TruePositives, someFlags.FalsePositives, someFlags.FalseNegatives, someFlags.TrueNegatives));
        Assert.Equal((0.0, 0.0, 0.0), (someFlags.Precision, someFlags.Recall, someFlags.F1));
        Assert.Equal(4, noFlags.TrueNegatives);
        Assert.Equal((0.0, 0.0, 0.0), (noFlags.Precision, noFlags.Recall, noFlags.F1));
    }

    [Fact]
    public void Perfect_flags_score_one()
    {
        DetectionScores scores = AnomalyMetrics.PointWise(Flags.Parse("0110010"), Flags.Parse("0110010"));

        Assert.Equal((1.0, 1.0, 1.0), (scores.Precision, scores.Recall, scores.F1));
    }

    [Fact]
    public void Length_mismatch_names_predicted()
    {
        var error = Assert.Throws<ArgumentException>(() => AnomalyMetrics.PointWise(new bool[10], new bool[9]));

        Assert.Equal("predicted", error.ParamName);
        Assert.Contains("predicted has 9 values; expected 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_input_names_labels()
    {
        var error = Assert.Throws<ArgumentException>(() => AnomalyMetrics.PointWise([], []));

        Assert.Equal("labels", error.ParamName);
        Assert.Contains("labels is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_counts_are_rejected_all_at_once()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DetectionScores(1, -1, 0, -2));

        Assert.Equal("falsePositives", error.ParamName);
        Assert.Contains("falsePositives must be 0 or more; got -1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("trueNegatives must be 0 or more; got -2.", error.Message, StringComparison.Ordinal);
    }
}
