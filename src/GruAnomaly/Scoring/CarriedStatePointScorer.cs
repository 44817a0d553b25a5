using GruAnomaly.Persistence;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Scoring;

/// <summary>
/// A <see cref="FittedCarriedStateForecastScorer"/> on one stream: carries the network's state from point to point and
/// advances it by one step per point, with the step <see cref="FittedCarriedStateForecastScorer.Score"/> takes, so that its
/// expected values and errors are <c>Score</c>'s to the last bit. A point allocates nothing.
/// </summary>
/// <remarks>
/// When inputs already read are rewritten (a feature's leading gap back-filled once its first value arrives), the state is
/// recomputed from a zero state over the inputs the stream still holds, the last <see cref="IFittedScorer.Window"/>: one
/// cell step per held input, once per feature at most. A gap that ends within the warm-up leaves every input since the
/// start held, so the state is then exactly <c>Score</c>'s; after a longer gap the recomputed state has read only the
/// last window (the burn-in the model was trained to need), where <c>Score</c>'s read the whole back-filled gap.
/// </remarks>
internal sealed class CarriedStatePointScorer : PointScorer
{
    private readonly FittedCarriedStateForecastScorer _scorer;
    private readonly StreamState _state;

    /// <summary>The output of the last step: the forecast of the current point.</summary>
    private readonly float[] _output;

    /// <summary>How many of the stream's inputs the state has read.</summary>
    private long _read;

    /// <summary>Whether held inputs were rewritten since the state read them.</summary>
    private bool _rewritten;

    public CarriedStatePointScorer(FittedCarriedStateForecastScorer scorer)
    {
        _scorer = scorer;
        _state = scorer.Streamer.CreateState();
        _output = new float[scorer.OutputWidth];
    }

    public override int Context => _scorer.Window;

    public override void WriteState(FieldWriter writer)
    {
        writer.Floats(_state.HiddenState);
        writer.I64(_state.StepsSeen);
        writer.Floats(_output);
        writer.I64(_read);
        writer.Bool(_rewritten);
    }

    public override void ReadState(FieldReader reader, InputHistory history)
    {
        float[] hidden = reader.Floats("carried state", _state.StateSize, "the network's state size");
        long steps = reader.I64("carried steps", 0, history.Time);
        reader.Construct("carried state", () =>
        {
            _state.RestoreFrom(hidden, steps);
            return true;
        });
        reader.Floats("carried forecast", _output.Length, "the network's outputs per step").CopyTo(_output, 0);
        _read = reader.I64("inputs read", Math.Max(0, history.Time - history.Held), history.Time);
        _rewritten = reader.Bool("inputs rewritten");
    }

    public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        if (_rewritten)
        {
            _state.Reset();
            _read = history.Time - history.Held;
            _rewritten = false;
        }

        // Normally the one input added since the last point; all the held ones after a rewrite.
        int unread = (int)(history.Time - _read), features = _scorer.Features;
        ReadOnlySpan<float> rows = history.Last(unread);
        for (int row = 0; row < unread; row++)
        {
            _scorer.Streamer.Step(_state, rows.Slice(row * features, features), _output);
        }

        _read = history.Time;
        if (WarmingUp(history, _scorer.WarmUp, expected, errors))
        {
            return;
        }

        _scorer.Judge(_output, observed, expected, errors);
    }

    public override void InputsRewritten() => _rewritten = true;
}
