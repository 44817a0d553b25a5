using GruAnomaly.Diagnostics;

namespace GruAnomaly.Evaluation;

/// <summary>One split of a series for time-series cross-validation: a training span followed by a later test span.</summary>
/// <remarks>Slice a series with <see cref="TrainRange"/> and <see cref="TestRange"/>, for example <c>values[fold.TestRange]</c>.</remarks>
public sealed record TimeSeriesFold
{
    /// <summary>Creates a fold.</summary>
    /// <param name="trainStart">Index of the first training point; 0 or more.</param>
    /// <param name="trainLength">Number of training points; 1 or more.</param>
    /// <param name="testStart">Index of the first test point; at or after the end of the training span.</param>
    /// <param name="testLength">Number of test points; 1 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, or the test span starts before the training span ends.</exception>
    public TimeSeriesFold(int trainStart, int trainLength, int testStart, int testLength)
    {
        var problems = new ArgumentProblems();
        if (trainStart < 0) problems.Add(nameof(trainStart), trainStart, $"trainStart must be 0 or more; got {trainStart}.");
        if (trainLength < 1) problems.Add(nameof(trainLength), trainLength, $"trainLength must be 1 or more; got {trainLength}.");
        if (testLength < 1) problems.Add(nameof(testLength), testLength, $"testLength must be 1 or more; got {testLength}.");
        if ((long)trainStart + trainLength > testStart)
        {
            problems.Add(nameof(testStart), testStart, $"testStart must be at or after the end of the training span ({(long)trainStart + trainLength}); got {testStart}.");
        }

        if ((long)testStart + testLength > int.MaxValue)
        {
            problems.Add(nameof(testLength), testLength, $"testStart + testLength must fit in an int; got {(long)testStart + testLength}.");
        }

        problems.ThrowIfAny();

        TrainStart = trainStart;
        TrainLength = trainLength;
        TestStart = testStart;
        TestLength = testLength;
    }

    /// <summary>Gets the index of the first training point.</summary>
    public int TrainStart { get; }

    /// <summary>Gets the number of training points.</summary>
    public int TrainLength { get; }

    /// <summary>Gets the index of the first test point.</summary>
    public int TestStart { get; }

    /// <summary>Gets the number of test points.</summary>
    public int TestLength { get; }

    /// <summary>Gets the number of points left out between the training and the test span.</summary>
    public int Gap => TestStart - TrainStart - TrainLength;

    /// <summary>Gets the training span as a range, to slice a series with.</summary>
    public Range TrainRange => TrainStart..(TrainStart + TrainLength);

    /// <summary>Gets the test span as a range, to slice a series with.</summary>
    public Range TestRange => TestStart..(TestStart + TestLength);
}
