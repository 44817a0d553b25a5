using Microsoft.Extensions.Logging;

namespace GruAnomaly.Diagnostics;

/// <summary>Model selection events; ids from 50 on.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 50, Level = LogLevel.Information,
        Message = "Model selection started: {Candidates} candidates, {Folds} expanding-window folds of {Length} time steps, {Search}, at most {PlannedFits} fits")]
    public static partial void SelectionStarted(this ILogger logger, int candidates, int folds, int length, string search, int plannedFits);

    [LoggerMessage(EventId = 51, Level = LogLevel.Debug,
        Message = "Model selection fit {Fit}/{PlannedFits}: {Candidate} on fold {Fold}/{Folds}, held-out loss {Loss}, in {Elapsed}")]
    public static partial void SelectionFit(this ILogger logger, int fit, int plannedFits, string candidate, int fold, int folds, double loss, TimeSpan elapsed);

    [LoggerMessage(EventId = 52, Level = LogLevel.Information,
        Message = "Model selection stopped by its {Budget} budget after {Fits} fits in {Elapsed}")]
    public static partial void SelectionBudgetSpent(this ILogger logger, string budget, int fits, TimeSpan elapsed);

    [LoggerMessage(EventId = 53, Level = LogLevel.Information,
        Message = "Model selection chose {Candidate} (stride {Stride}): {Loss} over {Folds} folds ({Criterion}); {Fits} fits in {Elapsed}")]
    public static partial void SelectionChose(this ILogger logger, string candidate, int stride, double loss, int folds, string criterion, int fits, TimeSpan elapsed);
}
