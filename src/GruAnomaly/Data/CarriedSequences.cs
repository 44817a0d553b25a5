using System.Diagnostics;

namespace GruAnomaly.Data;

/// <summary>
/// One-step-ahead forecasting examples for a network that carries its state along a series: each example is a long
/// stretch of <see cref="Steps"/> consecutive inputs with a target at every step (the next point's observation). A target
/// with fewer than <see cref="BurnIn"/> inputs of its own sequence before it is NaN (masked in the loss): the state has
/// not yet absorbed the context that it carries when a whole series is scored.
/// </summary>
/// <remarks>
/// Consecutive sequences overlap by exactly their burn-in, so every point from the first sequence's first unmasked
/// target to the end of the series is a target of exactly one sequence: an epoch sees each training target once. The
/// sequences are laid from the end of the series back (the latest points, which validation reads, are all covered), so
/// up to <see cref="Stride"/> − 1 points after the first burn-in are no target.
/// </remarks>
internal sealed class CarriedSequences : ISequenceDataset
{
    private readonly float[] _inputs;
    private readonly float[] _targets;
    private readonly int _offset;

    /// <param name="inputs">The series as the model reads it (time-major, no NaN); copied.</param>
    /// <param name="targets">The same series with missing (or excluded) values as NaN; copied.</param>
    /// <param name="features">Values per time step.</param>
    /// <param name="burnIn">Inputs a sequence reads before its first target (the scorer's window).</param>
    /// <param name="steps">Inputs per sequence, at least <paramref name="burnIn"/>.</param>
    public CarriedSequences(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int features, int burnIn, int steps)
    {
        Debug.Assert(inputs.Length == targets.Length && inputs.Length % features == 0 && steps >= burnIn && burnIn >= 1);
        int length = inputs.Length / features;
        Debug.Assert(length >= steps + 1);
        _inputs = inputs.ToArray();
        _targets = targets.ToArray();
        Features = features;
        BurnIn = burnIn;
        Steps = steps;
        Stride = steps - burnIn + 1;
        int last = length - 1 - steps;
        Count = (last / Stride) + 1;
        _offset = last - ((Count - 1) * Stride);
    }

    /// <summary>Gets the number of features per time step.</summary>
    public int Features { get; }

    /// <summary>Gets how many inputs of its sequence a target needs before it to be learned.</summary>
    public int BurnIn { get; }

    /// <summary>Gets the distance between the starts of consecutive sequences: the number of targets each one teaches.</summary>
    public int Stride { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Steps { get; }

    /// <inheritdoc />
    public int InputSize => Features;

    /// <inheritdoc />
    public int TargetSize => Features;

    /// <inheritdoc />
    public int TargetSteps => Steps;

    /// <summary>
    /// How many sequences of <paramref name="steps"/> inputs, overlapping by <paramref name="burnIn"/> − 1 rows, fit a series
    /// of <paramref name="length"/> points (the last input is followed by its target).
    /// </summary>
    public static int CountFor(int length, int burnIn, int steps) =>
        length - 1 < steps ? 0 : ((length - 1 - steps) / (steps - burnIn + 1)) + 1;

    /// <summary>Gets the time step of the first input of an example.</summary>
    public int StartOf(int example) => _offset + (example * Stride);

    /// <inheritdoc />
    public void WriteInputs(int example, Span<float> batchInputs, int batchSize, int slot) =>
        TimeMajorBatch.WriteWindow(_inputs, Features, StartOf(example), Steps, batchInputs, batchSize, slot);

    /// <inheritdoc />
    public void WriteTargets(int example, Span<float> batchTargets, int batchSize, int slot)
    {
        int start = StartOf(example);
        for (int step = 0; step < Steps; step++)
        {
            // The output after step `step` predicts the point step + 1 of the sequence, which has read step + 1 inputs.
            Span<float> row = batchTargets.Slice(((step * batchSize) + slot) * Features, Features);
            if (step + 1 < BurnIn)
            {
                row.Fill(float.NaN);
            }
            else
            {
                _targets.AsSpan((start + step + 1) * Features, Features).CopyTo(row);
            }
        }
    }
}
