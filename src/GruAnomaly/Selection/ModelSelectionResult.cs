using System.Globalization;
using GruAnomaly.Detection;
using GruAnomaly.Evaluation;

namespace GruAnomaly.Selection;

/// <summary>
/// The outcome of <see cref="ModelSelection.Select"/>: the chosen configuration, every candidate's held-out losses, and
/// what the search cost. Immutable; <see cref="ApplyTo"/> sets the choice on a builder.
/// </summary>
public sealed class ModelSelectionResult
{
    internal ModelSelectionResult(CandidateScore chosen, int stride, int comparedFolds, IReadOnlyList<CandidateScore> candidates,
        IReadOnlyList<TimeSeriesFold> folds, SelectionSearch search, string criterion, int fitsDone, TimeSpan elapsed, SelectionStopReason stopReason)
    {
        ChosenScore = chosen;
        Stride = stride;
        ComparedFolds = comparedFolds;
        Candidates = candidates;
        Folds = folds;
        Search = search;
        Criterion = criterion;
        FitsDone = fitsDone;
        Elapsed = elapsed;
        StopReason = stopReason;
    }

    /// <summary>Gets the chosen configuration.</summary>
    public SelectionCandidate Chosen => ChosenScore.Candidate;

    /// <summary>Gets the chosen candidate's row of <see cref="Candidates"/>.</summary>
    public CandidateScore ChosenScore { get; }

    /// <summary>
    /// Gets the distance between training windows the fits used, and which <see cref="ApplyTo"/> sets: the builder's stride
    /// when it was given a window, else the detector's automatic stride for the chosen window on the whole training series.
    /// </summary>
    public int Stride { get; }

    /// <summary>
    /// Gets how many folds, from the first, the choice compared the candidates on: those of the last round every remaining
    /// candidate completed (all folds unless a budget stopped the search).
    /// </summary>
    public int ComparedFolds { get; }

    /// <summary>Gets every candidate, in the order windows × hidden sizes × model families, with its losses (empty when never fitted).</summary>
    public IReadOnlyList<CandidateScore> Candidates { get; }

    /// <summary>Gets the folds, as spans of the training series: each fold trains on its training span and is judged on its test span.</summary>
    public IReadOnlyList<TimeSeriesFold> Folds { get; }

    /// <summary>Gets the search order used.</summary>
    public SelectionSearch Search { get; }

    /// <summary>Gets what the losses are, for example <c>mean held-out GaussianNll of the forecast scorer</c>.</summary>
    public string Criterion { get; }

    /// <summary>Gets the number of fits run (one candidate on one fold), not counting a fit the time budget stopped.</summary>
    public int FitsDone { get; }

    /// <summary>Gets the time the selection took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets why the selection ended.</summary>
    public SelectionStopReason StopReason { get; }

    /// <summary>Gets whether a budget ended the selection before it ran every fit it planned.</summary>
    public bool StoppedByBudget => StopReason != SelectionStopReason.Completed;

    /// <summary>Sets the chosen window (with <see cref="Stride"/>) and model on a builder; its other choices stay as they are.</summary>
    /// <param name="builder">The builder, for example a new one configured as the one the selection read.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built a detector.</exception>
    public AnomalyDetectorBuilder ApplyTo(AnomalyDetectorBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithWindow(Chosen.Window, Stride).WithModel(Chosen.Model);
    }

    /// <summary>Returns a short summary, for example <c>window 24, GRU(32)×1: 0.412 ± 0.05 over 3 folds (17 fits, 41.2 s, Completed)</c>.</summary>
    /// <returns>The choice, its loss, and what the search cost.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{ChosenScore} ({FitsDone} fits, {Elapsed.TotalSeconds:0.#} s, {StopReason})");
}
