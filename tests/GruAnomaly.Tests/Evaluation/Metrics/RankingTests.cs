using GruAnomaly.Evaluation;

namespace GruAnomaly.Tests.Evaluation.Metrics;

/// <summary>ROC-AUC and average precision against hand-worked and independently computed values.</summary>
public sealed class RankingTests
{
    [Fact]
    public void Scikit_learn_documentation_example()
    {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75 and average_precision_score(...) = 0.8333...
        // By hand: positives 0.35, 0.8 against negatives 0.1, 0.4 win 3 of 4 pairs → 0.75.
        // AP: threshold 0.8 → P = 1, R = ½; 0.4 → P = ½, R = ½; 0.35 → P = 2/3, R = 1 → ½·1 + ½·2/3 = 5/6.
        bool[] labels = [false, false, true, true];
        double[] scores = [0.1, 0.4, 0.35, 0.8];

        Assert.Equal(0.75, AnomalyMetrics.RocAuc(labels, scores), 15);
        Assert.Equal(5.0 / 6, AnomalyMetrics.AveragePrecision(labels, scores), 15);
    }

    [Fact]
    public void Ties_count_one_half_and_enter_together()
    {
        // labels  F    T    F     T    T     F
        // scores  0.1  0.4  0.35  0.8  0.35  0.2
        // Pairs: 0.4 and 0.8 beat all three negatives (3 + 3); 0.35 beats 0.1 and 0.2 and ties 0.35 (2.5). AUC = 8.5/9 = 17/18.
        // AP: 0.8 → 1 of 1 flagged, R = 1/3; 0.4 → 2 of 2, R = 2/3; 0.35 (tied pair enters together) → 3 of 4, R = 1.
        //     AP = 1/3·1 + 1/3·1 + 1/3·3/4 = 11/12. Splitting the tie would give a different value (1/3·3/3 = 1/3 or 1/3·3/4).
        bool[] labels = [false, true, false, true, true, false];
        double[] scores = [0.1, 0.4, 0.35, 0.8, 0.35, 0.2];

        Assert.Equal(17.0 / 18, AnomalyMetrics.RocAuc(labels, scores), 15);
        Assert.Equal(11.0 / 12, AnomalyMetrics.AveragePrecision(labels, scores), 15);
    }

    [Fact]
    public void All_scores_tied_is_uninformative()
    {
        // One threshold flags everything: AUC ½, AP = precision at full recall = share of positives = 1/4.
        bool[] labels = [true, false, false, false];
        double[] scores = [2, 2, 2, 2];

        Assert.Equal(0.5, AnomalyMetrics.RocAuc(labels, scores), 15);
        Assert.Equal(0.25, AnomalyMetrics.AveragePrecision(labels, scores), 15);
    }

    [Fact]
    public void Perfect_and_reversed_rankings()
    {
        // Reversed: the positive comes last, precision 1/2 at full recall.
        Assert.Equal(1.0, AnomalyMetrics.RocAuc([false, true, true], [0, 5, 3]), 15);
        Assert.Equal(1.0, AnomalyMetrics.AveragePrecision([false, true, true], [0, 5, 3]), 15);
        Assert.Equal(0.0, AnomalyMetrics.RocAuc([true, false], [0, 1]), 15);
        Assert.Equal(0.5, AnomalyMetrics.AveragePrecision([true, false], [0, 1]), 15);
    }

    [Fact]
    public void Random_thirty_points_match_independent_reference()
    {
        // Produced by make_metric_reference.py in this folder (numpy default_rng(20240531); scores rounded to one decimal
        // so there are ties, including a mixed tie at −0.6 and at 1.8). The script counts ROC-AUC pair by pair and sums
        // (R_n − R_{n−1})·P_n over distinct thresholds, the definitions of scikit-learn's roc_auc_score and
        // average_precision_score (scikit-learn itself is not installed here).
        bool[] labels = [false, false, false, false, false, true, false, false, true, true, false, false, true, false, false, false, false, false, false, true, false, false, true, false, true, true, false, true, false, false];
        double[] scores = [-0.2, 0.9, -1.4, 1.5, -0.7, -1.3, 0.6, -0.2, 0.5, 1.6, 0.4, -0.6, 2.3, 0.9, 1.2, 1.4, 1.8, 1.5, 0.4, -0.6, -1.2, -0.6, -0.6, -0.0, -0.2, 0.3, 0.8, 1.8, -0.3, 0.1];

        Assert.Equal(0.5264550264550265, AnomalyMetrics.RocAuc(labels, scores), 14);
        Assert.Equal(0.47203363367156465, AnomalyMetrics.AveragePrecision(labels, scores), 14);
    }

    [Fact]
    public void Order_of_points_does_not_matter()
    {
        bool[] labels = [false, true, false, true, true, false];
        double[] scores = [0.1, 0.4, 0.35, 0.8, 0.35, 0.2];
        bool[] reversedLabels = [.. labels.Reverse()];
        double[] reversedScores = [.. scores.Reverse()];

        Assert.Equal(AnomalyMetrics.RocAuc(labels, scores), AnomalyMetrics.RocAuc(reversedLabels, reversedScores), 15);
        Assert.Equal(AnomalyMetrics.AveragePrecision(labels, scores), AnomalyMetrics.AveragePrecision(reversedLabels, reversedScores), 15);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Single_class_is_rejected(bool label)
    {
        bool[] labels = [label, label, label];
        double[] scores = [1, 2, 3];

        var auc = Assert.Throws<ArgumentException>(() => AnomalyMetrics.RocAuc(labels, scores));
        var ap = Assert.Throws<ArgumentException>(() => AnomalyMetrics.AveragePrecision(labels, scores));

        string only = label ? "labels contains only positives (true)" : "labels contains only negatives (false)";
        Assert.Equal("labels", auc.ParamName);
        Assert.Equal("labels", ap.ParamName);
        Assert.Contains(only, auc.Message, StringComparison.Ordinal);
        Assert.Contains("ROC-AUC needs at least one positive and one negative label", auc.Message, StringComparison.Ordinal);
        Assert.Contains("average precision needs", ap.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void Non_finite_scores_are_rejected_with_their_index(double bad, string shown)
    {
        double[] scores = [0.1, 0.2, bad, 0.4];
        bool[] labels = [false, true, false, true];

        var auc = Assert.Throws<ArgumentException>(() => AnomalyMetrics.RocAuc(labels, scores));
        var ap = Assert.Throws<ArgumentException>(() => AnomalyMetrics.AveragePrecision(labels, scores));

        Assert.Equal("scores", auc.ParamName);
        Assert.Equal("scores", ap.ParamName);
        Assert.Contains($"scores contains {shown} at index 2; scores must be finite", auc.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_mismatch_and_empty_input_are_rejected()
    {
        var mismatch = Assert.Throws<ArgumentException>(() => AnomalyMetrics.RocAuc([true, false], [1.0]));
        var empty = Assert.Throws<ArgumentException>(() => AnomalyMetrics.AveragePrecision([], []));

        Assert.Equal("scores", mismatch.ParamName);
        Assert.Contains("scores has 1 values; expected 2", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal("labels", empty.ParamName);
    }
}
