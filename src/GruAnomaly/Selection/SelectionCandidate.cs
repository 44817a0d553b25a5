using System.Globalization;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Selection;

/// <summary>One configuration that model selection tries: a window length and a model.</summary>
/// <param name="Window">Points of context the model reads.</param>
/// <param name="HiddenSize">The hidden size the model family was given.</param>
/// <param name="Family">The 0-based index of the model family in <see cref="ModelSelectionOptions.ModelFamilies"/>.</param>
/// <param name="Model">The model the family created for <paramref name="HiddenSize"/>.</param>
public sealed record SelectionCandidate(int Window, int HiddenSize, int Family, IModelFactory Model)
{
    /// <summary>Returns a short description, for example <c>window 24, GRU(32)×1</c>.</summary>
    /// <returns>The window and the model's name.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"window {Window}, {Model.Name}");
}

/// <summary>How one candidate did: its held-out loss on every fold it was fitted on.</summary>
public sealed class CandidateScore
{
    internal CandidateScore(SelectionCandidate candidate, IReadOnlyList<double> foldLosses, TimeSpan fitTime)
    {
        Candidate = candidate;
        FoldLosses = foldLosses;
        FitTime = fitTime;
        MeanLoss = foldLosses.Count == 0 ? double.NaN : foldLosses.Average();
        if (foldLosses.Count < 2)
        {
            LossSpread = double.NaN;
        }
        else
        {
            double mean = MeanLoss;
            LossSpread = Math.Sqrt(foldLosses.Sum(l => (l - mean) * (l - mean)) / (foldLosses.Count - 1));
        }
    }

    /// <summary>Gets the configuration.</summary>
    public SelectionCandidate Candidate { get; }

    /// <summary>
    /// Gets the held-out loss on each fold the candidate was fitted on, first fold first (successive halving and a spent
    /// budget leave some candidates with fewer folds). NaN or infinite when the fit diverged.
    /// </summary>
    public IReadOnlyList<double> FoldLosses { get; }

    /// <summary>Gets the mean of <see cref="FoldLosses"/>; NaN when the candidate was never fitted.</summary>
    public double MeanLoss { get; }

    /// <summary>
    /// Gets the sample standard deviation of <see cref="FoldLosses"/>; NaN with fewer than two folds. Each fold is scaled
    /// by a scaler fitted on its own training part and judged on its own block, so the spread holds how hard the blocks
    /// are as well as how stable the candidate is.
    /// </summary>
    public double LossSpread { get; }

    /// <summary>Gets the time spent fitting and judging this candidate, over all its folds.</summary>
    public TimeSpan FitTime { get; }

    /// <summary>Returns a short summary, for example <c>window 24, GRU(32)×1: 0.412 ± 0.05 over 3 folds</c>.</summary>
    /// <returns>The candidate, its mean loss and spread, and how many folds they come from.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Candidate}: {MeanLoss:G4} ± {LossSpread:G2} over {FoldLosses.Count} fold{(FoldLosses.Count == 1 ? string.Empty : "s")}");
}

/// <summary>A report after each fit of model selection.</summary>
/// <param name="Fit">1-based number of the fit just completed.</param>
/// <param name="PlannedFits">The most fits the search will run (the budget in fits may end it earlier, the time budget too).</param>
/// <param name="Candidate">The configuration fitted.</param>
/// <param name="Fold">1-based fold it was fitted on.</param>
/// <param name="Folds">The number of folds.</param>
/// <param name="Loss">Its held-out loss on that fold.</param>
/// <param name="Elapsed">Time since the selection started.</param>
public readonly record struct SelectionProgress(int Fit, int PlannedFits, SelectionCandidate Candidate, int Fold, int Folds, double Loss, TimeSpan Elapsed);

/// <summary>Why model selection ended.</summary>
public enum SelectionStopReason
{
    /// <summary>The search ran every fit it planned.</summary>
    Completed = 0,

    /// <summary><see cref="ModelSelectionOptions.MaxFits"/> fits ran.</summary>
    FitBudget = 1,

    /// <summary><see cref="ModelSelectionOptions.MaxTime"/> passed.</summary>
    TimeBudget = 2,
}
