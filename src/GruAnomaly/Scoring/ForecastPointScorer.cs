using GruAnomaly.Data;
using GruAnomaly.Persistence;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Scoring;

/// <summary>
/// A <see cref="FittedForecastScorer"/> on one stream: at each point the network reads the window of the last
/// <see cref="IFittedScorer.Window"/> inputs, exactly as in <see cref="FittedForecastScorer.Score(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>, and the outputs of the
/// last <see cref="FittedForecastScorer.Horizon"/> windows are kept to judge the point.
/// </summary>
/// <remarks>
/// A point costs a pass of the network over a whole window: a network carried from point to point would be cheaper, but
/// would read a different, unbounded context. The window goes through the network twice, as a batch of two: the matrix
/// kernels take another summation order for a single row (a matrix–vector product) than for several, and
/// <see cref="FittedForecastScorer.Score(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/> runs many windows per product, so only a batch of two or more gives its scores
/// to the last bit. That doubles the arithmetic of a point.
/// </remarks>
internal sealed class ForecastPointScorer : PointScorer
{
    /// <summary>The batch the window is run in: the smallest that takes the matrix kernels' many-row path.</summary>
    private const int Copies = 2;

    private readonly FittedForecastScorer _scorer;
    private readonly NetworkWorkspace _workspace;

    /// <summary>The window, each step twice (time-major, batch of <see cref="Copies"/>).</summary>
    private readonly float[] _batch;

    /// <summary>The outputs of the last Horizon windows, oldest first (the newest in the last row).</summary>
    private readonly float[] _outputs;

    /// <summary>Whether the current point's forecast was provided by a batch of streams.</summary>
    private bool _provided;

    /// <summary>For a GRU-D network, the [m | δ] of the points the history holds, kept as long (null otherwise).</summary>
    private readonly InputHistory? _gaps;

    /// <summary>For a GRU-D network, per feature the δ a gap carries on to the next point (0 after an observation).</summary>
    private readonly float[]? _carry;

    /// <summary>For a GRU-D network, the [m | δ] of the current point.</summary>
    private readonly float[]? _gapRow;

    public ForecastPointScorer(FittedForecastScorer scorer)
    {
        _scorer = scorer;
        _workspace = scorer.Network.CreateWorkspace();
        _batch = new float[Copies * scorer.Window * scorer.InputWidth];
        _outputs = new float[scorer.Horizon * scorer.OutputWidth];
        if (scorer.Encoding is not null)
        {
            _gaps = new InputHistory(2 * scorer.Features, scorer.Window);
            _carry = new float[scorer.Features];
            _gapRow = new float[2 * scorer.Features];
        }
    }

    public override int Context => _scorer.Window;

    public override void WriteState(FieldWriter writer)
    {
        writer.Floats(_outputs);
        if (_gaps is not null)
        {
            _gaps.WriteState(writer);
            writer.Floats(_carry);
        }
    }

    public override void ReadState(FieldReader reader, InputHistory history)
    {
        reader.Floats("forecasts", _outputs.Length, "the outputs of the last Horizon windows").CopyTo(_outputs, 0);
        if (_gaps is not null)
        {
            _gaps.ReadState(reader);
            if (_gaps.Time != history.Time)
            {
                throw reader.Invalid("missing-value gaps", $"cover {_gaps.Time} points; the stream has seen {history.Time}");
            }

            float[] carry = reader.Floats("gap lengths", _carry!.Length, "one per feature");
            if (carry.Any(c => !(c >= 0f) || float.IsInfinity(c)))
            {
                throw reader.Invalid("gap lengths", "holds a negative or non-finite time since an observation");
            }

            carry.CopyTo(_carry, 0);
        }
    }

    public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        int window = _scorer.Window, width = _scorer.OutputWidth;
        if (!WarmingUp(history, window, expected, errors))
        {
            if (!_provided)
            {
                for (int copy = 0; copy < Copies; copy++)
                {
                    WriteWindow(history, _batch, Copies, copy);
                }

                _scorer.Network.Infer(_scorer.Parameters, _batch, window, Copies, _workspace);
                Provide(_workspace.Outputs[..width]);
            }

            _provided = false;
            int count = _scorer.ForecastsOf(history.Time);
            _scorer.Judge(_outputs.AsSpan(_outputs.Length - (count * width)), count, observed, expected, errors);
        }

        if (_gaps is not null)
        {
            // This point's mask and δ, for the windows that will read it (its filled value joins the history after this call).
            float spacing = history.Time == 0 ? 0f : _scorer.Encoding!.Spacing(history.PreviousTimestamp, history.CurrentTimestamp);
            GapEncoding.Advance(observed, spacing, _carry, _gapRow);
            _gaps.Add(_gapRow);
        }
    }

    /// <summary>
    /// Writes the window before the current point into one slot of a time-major batch: the filled inputs as they are, or,
    /// for a GRU-D network, each row encoded as <c>[x | m | δ | x_last]</c> exactly as <see cref="FittedForecastScorer"/> encodes a series.
    /// </summary>
    internal void WriteWindow(InputHistory history, Span<float> batch, int slots, int slot)
    {
        int window = _scorer.Window, features = _scorer.Features;
        ReadOnlySpan<float> rows = history.Last(window);
        if (_gaps is null)
        {
            TimeMajorBatch.WriteWindow(rows, features, 0, window, batch, slots, slot);
            return;
        }

        int width = _scorer.InputWidth;
        ReadOnlySpan<float> gaps = _gaps.Last(window);
        for (int t = 0; t < window; t++)
        {
            GapEncoding.Compose(rows.Slice(t * features, features), gaps.Slice(t * 2 * features, 2 * features),
                batch.Slice(((t * slots) + slot) * width, width));
        }
    }

    public override void CollectForecasts(InputHistory history, List<ForecastPointScorer> forecasts)
    {
        if (history.Time >= _scorer.Window)
        {
            History = history;
            forecasts.Add(this);
        }
    }

    /// <summary>Gets the inputs of the stream whose forecast was last collected: the batch reads the window from them.</summary>
    internal InputHistory? History { get; private set; }

    /// <summary>Gets the fitted scorer whose network this stream runs.</summary>
    internal FittedForecastScorer Fitted => _scorer;

    /// <summary>Takes the forecast of the window before the current point, run elsewhere (alone or in a batch of streams).</summary>
    internal void Provide(ReadOnlySpan<float> output)
    {
        int width = _scorer.OutputWidth;
        _outputs.AsSpan(width).CopyTo(_outputs);
        output.CopyTo(_outputs.AsSpan(_outputs.Length - width));
        _provided = true;
    }
}
