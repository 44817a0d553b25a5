using GruAnomaly.Recurrent;

namespace GruAnomaly.Scoring;

/// <summary>
/// A <see cref="FittedForecastScorer"/> on one stream: at each point the network reads the window of the last
/// <see cref="IFittedScorer.Window"/> inputs, exactly as in <see cref="FittedForecastScorer.Score"/>, and the outputs of the
/// last <see cref="FittedForecastScorer.Horizon"/> windows are kept to judge the point.
/// </summary>
/// <remarks>
/// A point costs one pass of the network over a whole window (the batch path computes the same windows, many per matrix
/// product); a network carried from point to point would be cheaper but would read a different, unbounded context.
/// </remarks>
internal sealed class ForecastPointScorer : PointScorer
{
    private readonly FittedForecastScorer _scorer;
    private readonly NetworkWorkspace _workspace;

    /// <summary>The outputs of the last Horizon windows, oldest first (the newest in the last row).</summary>
    private readonly float[] _outputs;

    public ForecastPointScorer(FittedForecastScorer scorer)
    {
        _scorer = scorer;
        _workspace = scorer.Network.CreateWorkspace();
        _outputs = new float[scorer.Horizon * scorer.OutputWidth];
    }

    public override int Context => _scorer.Window;

    public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        int window = _scorer.Window, width = _scorer.OutputWidth;
        if (history.Time < window)
        {
            expected.Fill(float.NaN);
            errors.Fill(float.NaN);
            return;
        }

        _scorer.Network.Infer(_scorer.Parameters, history.Last(window), window, 1, _workspace);
        _outputs.AsSpan(width).CopyTo(_outputs);
        _workspace.Outputs[..width].CopyTo(_outputs.AsSpan(_outputs.Length - width));
        int count = _scorer.ForecastsOf(history.Time);
        _scorer.Judge(_outputs.AsSpan(_outputs.Length - (count * width)), count, observed, expected, errors);
    }
}
