using GruAnomaly.Evaluation;

namespace GruAnomaly.Tests.Evaluation.Metrics;

/// <summary>Expanding- and sliding-window splits against scikit-learn's documented TimeSeriesSplit layouts, and validation.</summary>
public sealed class TimeSeriesSplitTests
{
    [Fact]
    public void Automatic_test_size_matches_scikit_learn_documentation()
    {
        // TimeSeriesSplit(n_splits=5) on 6 samples: train [0] test [1], train [0 1] test [2], ..., train [0..4] test [5].
        IReadOnlyList<TimeSeriesFold> folds = TimeSeriesSplit.ExpandingWindow(6, 5);

        Assert.Equal(5, folds.Count);
        for (int f = 0; f < 5; f++)
        {
            Assert.Equal(new TimeSeriesFold(0, f + 1, f + 1, 1), folds[f]);
        }
    }

    [Fact]
    public void Gap_and_test_size_match_scikit_learn_documentation()
    {
        // TimeSeriesSplit(n_splits=3, test_size=2, gap=2) on 12 samples:
        // train [0..3] test [6 7], train [0..5] test [8 9], train [0..7] test [10 11].
        IReadOnlyList<TimeSeriesFold> folds = TimeSeriesSplit.ExpandingWindow(12, 3, testSize: 2, gap: 2);

        Assert.Equal([new TimeSeriesFold(0, 4, 6, 2), new TimeSeriesFold(0, 6, 8, 2), new TimeSeriesFold(0, 8, 10, 2)], folds);
        Assert.All(folds, fold => Assert.Equal(2, fold.Gap));
    }

    [Fact]
    public void Leftover_points_go_to_training()
    {
        // length 10, 3 folds: test size 10 / 4 = 2, test spans [4, 6), [6, 8), [8, 10); the first fold trains on 4 points.
        IReadOnlyList<TimeSeriesFold> folds = TimeSeriesSplit.ExpandingWindow(10, 3);

        Assert.Equal([new TimeSeriesFold(0, 4, 4, 2), new TimeSeriesFold(0, 6, 6, 2), new TimeSeriesFold(0, 8, 8, 2)], folds);
    }

    [Fact]
    public void Sliding_window_keeps_the_latest_training_points()
    {
        // As the gap example with max_train_size=3: train [1 2 3], [3 4 5], [5 6 7].
        IReadOnlyList<TimeSeriesFold> folds = TimeSeriesSplit.SlidingWindow(12, 3, maxTrainSize: 3, testSize: 2, gap: 2);

        Assert.Equal([new TimeSeriesFold(1, 3, 6, 2), new TimeSeriesFold(3, 3, 8, 2), new TimeSeriesFold(5, 3, 10, 2)], folds);
    }

    [Fact]
    public void Ranges_slice_the_series()
    {
        int[] series = [.. Enumerable.Range(0, 12)];
        TimeSeriesFold fold = TimeSeriesSplit.SlidingWindow(12, 3, maxTrainSize: 3, testSize: 2, gap: 2)[1];

        Assert.Equal([3, 4, 5], series[fold.TrainRange]);
        Assert.Equal([8, 9], series[fold.TestRange]);
    }

    [Fact]
    public void Too_short_series_states_the_required_length()
    {
        // minTrainSize + gap + folds · testSize = 2 + 1 + 3 · 3 = 12 > 10.
        var explicitSize = Assert.Throws<ArgumentException>(() => TimeSeriesSplit.ExpandingWindow(10, 3, testSize: 3, gap: 1, minTrainSize: 2));
        // Automatic test size 8 / 4 = 2: 1 + 3 + 3 · 2 = 10 > 8.
        var automaticSize = Assert.Throws<ArgumentException>(() => TimeSeriesSplit.ExpandingWindow(8, 3, gap: 3));
        // 3 / (3 + 1) = 0 test points.
        var noTestPoints = Assert.Throws<ArgumentException>(() => TimeSeriesSplit.ExpandingWindow(3, 3));

        Assert.Equal("length", explicitSize.ParamName);
        Assert.Contains("it needs at least 12 points", explicitSize.Message, StringComparison.Ordinal);
        Assert.Contains("it needs at least 10 points", automaticSize.Message, StringComparison.Ordinal);
        Assert.Contains("(automatic: length / (folds + 1))", automaticSize.Message, StringComparison.Ordinal);
        Assert.Equal("length", noTestPoints.ParamName);
        Assert.Contains("at least 4 points are needed", noTestPoints.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_the_required_length_is_enough()
    {
        IReadOnlyList<TimeSeriesFold> folds = TimeSeriesSplit.ExpandingWindow(12, 3, testSize: 3, gap: 1, minTrainSize: 2);

        Assert.Equal(new TimeSeriesFold(0, 2, 3, 3), folds[0]);
        Assert.Equal(new TimeSeriesFold(0, 8, 9, 3), folds[2]);
    }

    [Fact]
    public void Bad_arguments_are_reported_together()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesSplit.ExpandingWindow(100, 1, testSize: -1, gap: -2, minTrainSize: 0));

        Assert.Equal("folds", error.ParamName);
        Assert.Contains("folds must be 2 or more; got 1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("testSize must be 0 (automatic) or positive; got -1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("gap must be 0 or more; got -2.", error.Message, StringComparison.Ordinal);
        Assert.Contains("minTrainSize must be 1 or more; got 0.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sliding_window_needs_room_for_the_minimum_training_size()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesSplit.SlidingWindow(100, 3, maxTrainSize: 4, minTrainSize: 5));

        Assert.Equal("maxTrainSize", error.ParamName);
        Assert.Contains("at least minTrainSize (5); got 4.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fold_constructor_rejects_overlapping_spans()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TimeSeriesFold(0, 5, 4, 2));

        Assert.Equal("testStart", error.ParamName);
        Assert.Contains("testStart must be at or after the end of the training span (5); got 4.", error.Message, StringComparison.Ordinal);
    }
}
