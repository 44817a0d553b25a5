using GruAnomaly.Diagnostics;

namespace GruAnomaly.Evaluation;

/// <summary>
/// Splits for time-series cross-validation: every test span lies after its training span, so no fold is trained on
/// its own future. The layout is that of scikit-learn's <c>TimeSeriesSplit</c>.
/// </summary>
/// <remarks>
/// The test spans are consecutive blocks of equal size at the end of the series; fold f (0-based) tests
/// <c>[length − (folds − f)·testSize, length − (folds − f − 1)·testSize)</c> and trains on the points before it,
/// minus a gap. Points before the first test span that do not fit whole test blocks belong to every training span.
/// </remarks>
public static class TimeSeriesSplit
{
    /// <summary>
    /// Expanding-window splits: every training span starts at 0 and ends <paramref name="gap"/> points before its test
    /// span, so each fold trains on more history than the one before.
    /// </summary>
    /// <param name="length">Number of points in the series.</param>
    /// <param name="folds">Number of splits; 2 or more.</param>
    /// <param name="testSize">Points per test span; 0 (the default) chooses <c>length / (folds + 1)</c>, as scikit-learn does.</param>
    /// <param name="gap">Points left out between each training span and its test span, for example the detector's window length so no training window reaches into the test span.</param>
    /// <param name="minTrainSize">Fewest training points the first fold may have; 1 or more.</param>
    /// <returns>The folds, earliest test span first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="ArgumentException">The series is too short for the requested folds; the message states the length needed.</exception>
    public static IReadOnlyList<TimeSeriesFold> ExpandingWindow(int length, int folds, int testSize = 0, int gap = 0, int minTrainSize = 1)
    {
        return Split(length, folds, testSize, gap, minTrainSize, maxTrainSize: int.MaxValue);
    }

    /// <summary>
    /// Sliding-window splits: like <see cref="ExpandingWindow"/>, but each training span holds at most
    /// <paramref name="maxTrainSize"/> points, the latest ones before the gap, so old history is dropped.
    /// </summary>
    /// <param name="length">Number of points in the series.</param>
    /// <param name="folds">Number of splits; 2 or more.</param>
    /// <param name="maxTrainSize">Most training points per fold; at least <paramref name="minTrainSize"/>.</param>
    /// <param name="testSize">Points per test span; 0 (the default) chooses <c>length / (folds + 1)</c>, as scikit-learn does.</param>
    /// <param name="gap">Points left out between each training span and its test span.</param>
    /// <param name="minTrainSize">Fewest training points the first fold may have; 1 or more.</param>
    /// <returns>The folds, earliest test span first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="ArgumentException">The series is too short for the requested folds; the message states the length needed.</exception>
    public static IReadOnlyList<TimeSeriesFold> SlidingWindow(int length, int folds, int maxTrainSize, int testSize = 0, int gap = 0, int minTrainSize = 1)
    {
        if (maxTrainSize < minTrainSize || maxTrainSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTrainSize), maxTrainSize,
                $"maxTrainSize must be 1 or more and at least minTrainSize ({minTrainSize}); got {maxTrainSize}.");
        }

        return Split(length, folds, testSize, gap, minTrainSize, maxTrainSize);
    }

    private static TimeSeriesFold[] Split(int length, int folds, int testSize, int gap, int minTrainSize, int maxTrainSize)
    {
        var problems = new ArgumentProblems();
        if (length < 1) problems.Add(nameof(length), length, $"length must be 1 or more; got {length}.");
        if (folds < 2) problems.Add(nameof(folds), folds, $"folds must be 2 or more; got {folds}.");
        if (testSize < 0) problems.Add(nameof(testSize), testSize, $"testSize must be 0 (automatic) or positive; got {testSize}.");
        if (gap < 0) problems.Add(nameof(gap), gap, $"gap must be 0 or more; got {gap}.");
        if (minTrainSize < 1) problems.Add(nameof(minTrainSize), minTrainSize, $"minTrainSize must be 1 or more; got {minTrainSize}.");
        problems.ThrowIfAny();

        bool automatic = testSize == 0;
        if (automatic)
        {
            testSize = length / (folds + 1);
            if (testSize == 0)
            {
                throw new ArgumentException(
                    $"length {length} is too short for {folds} folds: the automatic test size length / (folds + 1) is 0; "
                    + $"at least {folds + 1} points are needed, or pass testSize explicitly.", nameof(length));
            }
        }

        long required = minTrainSize + (long)gap + ((long)folds * testSize);
        if (length < required)
        {
            string testSizeOrigin = automatic ? " (automatic: length / (folds + 1))" : string.Empty;
            throw new ArgumentException(
                $"length {length} is too short for {folds} folds of {testSize} test points{testSizeOrigin} after a gap of {gap} "
                + $"with at least {minTrainSize} training points: it needs at least {required} points "
                + "(minTrainSize + gap + folds × testSize).", nameof(length));
        }

        var result = new TimeSeriesFold[folds];
        int firstTestStart = length - (folds * testSize);
        for (int f = 0; f < folds; f++)
        {
            int testStart = firstTestStart + (f * testSize);
            int trainEnd = testStart - gap;
            int trainStart = Math.Max(0, trainEnd - maxTrainSize);
            result[f] = new TimeSeriesFold(trainStart, trainEnd - trainStart, testStart, testSize);
        }

        return result;
    }
}
