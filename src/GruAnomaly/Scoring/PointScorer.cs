using System.Diagnostics;
using GruAnomaly.Persistence;

namespace GruAnomaly.Scoring;

/// <summary>
/// A fitted scorer running over one stream: scores the newest point from the inputs before it, giving the same expected
/// values and errors that <see cref="IFittedScorer.Score"/> gives that point in a whole series. One per stream; mutable,
/// its state in plain fields.
/// </summary>
internal abstract class PointScorer
{
    /// <summary>Gets how many input rows before the current point the scorer reads.</summary>
    public abstract int Context { get; }

    /// <summary>
    /// Scores the point at <see cref="InputHistory.Time"/>: one expected value and one error per feature, NaN in both
    /// during the warm-up, and a NaN error where <paramref name="observed"/> is NaN. Called once for every point, in order.
    /// </summary>
    /// <param name="history">The inputs before the point (at least the last <see cref="Context"/>, or all there are).</param>
    /// <param name="observed">The point's observed values (scaled; NaN where missing).</param>
    /// <param name="expected">Receives one expected value per feature.</param>
    /// <param name="errors">Receives one error per feature.</param>
    public abstract void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors);

    /// <summary>
    /// Adds to <paramref name="forecasts"/> every sliding-window forecast this scorer (or a component of it) is about to run
    /// for the point at <see cref="InputHistory.Time"/>, so that a batch of streams can run them all in one matrix product
    /// (<c>DetectorStreamBatch</c>); the scorer then takes its forecast from the batch instead of running its own.
    /// </summary>
    public virtual void CollectForecasts(InputHistory history, List<ForecastPointScorer> forecasts)
    {
    }

    /// <summary>
    /// Tells the scorer that inputs it has already read were rewritten (a feature's leading gap back-filled with its first
    /// value), so that it recomputes whatever it carried from them.
    /// </summary>
    public virtual void InputsRewritten()
    {
    }

    /// <summary>Writes what the scorer carries from point to point (nothing, unless it overrides this).</summary>
    public virtual void WriteState(FieldWriter writer)
    {
    }

    /// <summary>
    /// Reads what <see cref="WriteState"/> wrote, into a scorer fresh from the same fitted scorer, whose stream has the
    /// restored <paramref name="history"/>; refuses values that could not have been written.
    /// </summary>
    public virtual void ReadState(FieldReader reader, InputHistory history)
    {
    }

    /// <summary>Whether the point is in a warm-up of <paramref name="warmUp"/> steps; if so its expected values and errors are set to NaN.</summary>
    protected static bool WarmingUp(InputHistory history, int warmUp, Span<float> expected, Span<float> errors)
    {
        if (history.Time >= warmUp)
        {
            return false;
        }

        expected.Fill(float.NaN);
        errors.Fill(float.NaN);
        return true;
    }
}

/// <summary>A fitted scorer whose scores are causal and can be computed one point at a time.</summary>
internal interface IStreamableScorer
{
    /// <summary>Creates the state of one new stream.</summary>
    /// <exception cref="NotSupportedException">A part of the scorer cannot score one point at a time.</exception>
    PointScorer CreatePointScorer();
}

/// <summary>Creates the per-stream form of a fitted scorer, or says why there is none.</summary>
internal static class PointScorers
{
    /// <exception cref="NotSupportedException">The scorer is not causal, or does not say how to score one point at a time.</exception>
    public static PointScorer Create(IFittedScorer scorer) => scorer switch
    {
        IStreamableScorer streamable => streamable.CreatePointScorer(),
        FittedReconstructionScorer => throw new NotSupportedException(
            $"The scorer {scorer.Name} cannot score a stream: it reconstructs a series in consecutive windows, the last one " +
            "aligned to the series' end, so a point's error depends on the points after it and on where the series ends. " +
            "Score such series in batches with Detect, or fit a forecast scorer (the default) or a baseline for streaming."),
        _ => throw new NotSupportedException(
            $"The scorer {scorer.Name} ({scorer.GetType().Name}) cannot score a stream: only the built-in forecast, baseline " +
            "and fusion scorers can score one point at a time. Score such series in batches with Detect."),
    };
}

/// <summary>
/// The last inputs of a stream, in time order and contiguous (a window of them can be read as one span): a buffer of
/// twice the rows kept, whose newest rows move back to its start when it fills, at an amortised cost of one row per point.
/// </summary>
internal sealed class InputHistory
{
    private readonly float[] _buffer;
    private readonly int _features;
    private readonly int _keep;
    private int _start;
    private int _held;

    public InputHistory(int features, int keep)
    {
        Debug.Assert(features > 0 && keep > 0);
        _features = features;
        _keep = keep;
        _buffer = new float[2 * keep * features];
    }

    /// <summary>Gets the number of rows added so far: the time step of the point being scored.</summary>
    public long Time { get; private set; }

    /// <summary>Gets the rows held: the last ones added, at most the number kept.</summary>
    public int Held => _held;

    /// <summary>Gets the timestamp of the point before the one being scored (null without timestamps, or before any point).</summary>
    public DateTimeOffset? PreviousTimestamp { get; private set; }

    /// <summary>Gets the timestamp of the point being scored (null without timestamps).</summary>
    public DateTimeOffset? CurrentTimestamp { get; private set; }

    /// <summary>Tells the scorers the timestamps of the point about to be scored and of the one before it.</summary>
    public void SetTimestamps(DateTimeOffset? previous, DateTimeOffset? current)
    {
        PreviousTimestamp = previous;
        CurrentTimestamp = current;
    }

    /// <summary>The last <paramref name="rows"/> rows added, oldest first, time-major.</summary>
    public ReadOnlySpan<float> Last(int rows)
    {
        Debug.Assert(rows >= 0 && rows <= _held);
        return _buffer.AsSpan((_start + _held - rows) * _features, rows * _features);
    }

    /// <summary>Adds the newest row, dropping the oldest when the kept number is reached.</summary>
    public void Add(ReadOnlySpan<float> row)
    {
        Debug.Assert(row.Length == _features);
        if (_held == _keep)
        {
            _start++;
            _held--;
        }

        if ((_start + _held) * _features == _buffer.Length)
        {
            _buffer.AsSpan(_start * _features, _held * _features).CopyTo(_buffer);
            _start = 0;
        }

        row.CopyTo(_buffer.AsSpan((_start + _held) * _features, _features));
        _held++;
        Time++;
    }

    /// <summary>Writes the time and the rows held, oldest first.</summary>
    public void WriteState(FieldWriter writer)
    {
        writer.I64(Time);
        writer.Floats(_buffer.AsSpan(_start * _features, _held * _features));
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote into a history of the same shape that holds nothing yet.</summary>
    public void ReadState(FieldReader reader)
    {
        long time = reader.I64("time", 0, long.MaxValue);
        int held = (int)Math.Min(time, _keep);
        float[] rows = reader.Floats("held inputs", held * _features, "the last inputs a stream of this detector keeps");
        rows.CopyTo(_buffer, 0);
        _start = 0;
        _held = held;
        Time = time;
    }

    /// <summary>Sets every held value of one feature to <paramref name="value"/>.</summary>
    public void Fill(int feature, float value)
    {
        for (int i = (_start * _features) + feature, end = (_start + _held) * _features; i < end; i += _features)
        {
            _buffer[i] = value;
        }
    }
}
