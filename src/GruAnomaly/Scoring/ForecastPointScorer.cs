using GruAnomaly.Data;
using GruAnomaly.Persistence;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Scoring;

/// <summary>
/// A <see cref="FittedForecastScorer"/> on one stream: at each point the network reads the window of the last
/// <see cref="IFittedScorer.Window"/> inputs, exactly as in <see cref="FittedForecastScorer.Score"/>, and the outputs of the
/// last <see cref="FittedForecastScorer.Horizon"/> windows are kept to judge the point.
/// </summary>
/// <remarks>
/// A point costs a pass of the network over a whole window: a network carried from point to point would be cheaper, but
/// would read a different, unbounded context. The window goes through the network twice, as a batch of two: the matrix
/// kernels take another summation order for a single row (a matrix–vector product) than for several, and
/// <see cref="FittedForecastScorer.Score"/> runs many windows per product, so only a batch of two or more gives its scores
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

    public ForecastPointScorer(FittedForecastScorer scorer)
    {
        _scorer = scorer;
        _workspace = scorer.Network.CreateWorkspace();
        _batch = new float[Copies * scorer.Window * scorer.Features];
        _outputs = new float[scorer.Horizon * scorer.OutputWidth];
    }

    public override int Context => _scorer.Window;

    public override void WriteState(FieldWriter writer) => writer.Floats(_outputs);

    public override void ReadState(FieldReader reader, InputHistory history) =>
        reader.Floats("forecasts", _outputs.Length, "the outputs of the last Horizon windows").CopyTo(_outputs, 0);

    public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        int window = _scorer.Window, width = _scorer.OutputWidth;
        if (WarmingUp(history, window, expected, errors))
        {
            return;
        }

        if (!_provided)
        {
            ReadOnlySpan<float> rows = history.Last(window);
            for (int copy = 0; copy < Copies; copy++)
            {
                TimeMajorBatch.WriteWindow(rows, _scorer.Features, 0, window, _batch, Copies, copy);
            }

            _scorer.Network.Infer(_scorer.Parameters, _batch, window, Copies, _workspace);
            Provide(_workspace.Outputs[..width]);
        }

        _provided = false;
        int count = _scorer.ForecastsOf(history.Time);
        _scorer.Judge(_outputs.AsSpan(_outputs.Length - (count * width)), count, observed, expected, errors);
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
