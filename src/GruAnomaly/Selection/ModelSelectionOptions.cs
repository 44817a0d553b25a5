using GruAnomaly.Recurrent;

namespace GruAnomaly.Selection;

/// <summary>How the search is ordered: which candidates are fitted on which folds.</summary>
public enum SelectionSearch
{
    /// <summary>
    /// Every candidate on the first fold (the shortest training part, so the cheapest fits), then the better half of them
    /// (at least two) on the second fold, and so on, ranked by their mean held-out loss over the folds so far; the choice
    /// is made among the candidates of the last fold. Far fewer fits than <see cref="Grid"/> when there are many
    /// candidates, at the risk of dropping a candidate that only wins on longer training.
    /// </summary>
    SuccessiveHalving = 0,

    /// <summary>Every candidate on every fold (fold by fold, so a budget that runs out leaves every candidate compared on the same folds).</summary>
    Grid = 1,
}

/// <summary>
/// What <see cref="ModelSelection.Select"/> tries: the candidate windows, hidden sizes and model families, the folds, the
/// search order and the budget. Validated, with every problem listed at once, when the selection starts.
/// </summary>
public sealed class ModelSelectionOptions
{
    /// <summary>The candidate window lengths (points of context); each at least 1, no repeats.</summary>
    /// <value>
    /// The default value is <see langword="null"/>: half, once and twice the window the detector would use (the one given
    /// to the builder, else the one chosen from the training series' dominant period, see <c>FitChoices</c>), keeping those
    /// of at least 2 points that the first fold can train.
    /// </value>
    public IReadOnlyList<int>? Windows { get; set; }

    /// <summary>The candidate hidden sizes, handed to each of <see cref="ModelFamilies"/>; each at least 1, no repeats.</summary>
    /// <value>The default value is 16, 32 and 64.</value>
    public IReadOnlyList<int> HiddenSizes { get; set; } = [16, 32, 64];

    /// <summary>
    /// The candidate model families: each creates a model of a given hidden size, for example
    /// <c>h => Models.Gru(hiddenSize: h, variant: GruVariant.ResetAfter)</c> or any other <see cref="IModelFactory"/>.
    /// Every family is tried with every hidden size.
    /// </summary>
    /// <value>The default value is one family, a one-layer GRU (<c>h => Models.Gru(hiddenSize: h)</c>).</value>
    public IReadOnlyList<Func<int, IModelFactory>> ModelFamilies { get; set; } = [hidden => Recurrent.Models.Gru(hiddenSize: hidden)];

    /// <summary>
    /// The number of expanding-window folds: the training series is cut into <c>Folds + 1</c> blocks of
    /// <c>length / (Folds + 1)</c> points at its end (the remainder joins the first block); fold k trains on everything
    /// before block k + 1 and is judged on block k + 1. At least 1.
    /// </summary>
    /// <value>The default value is 3.</value>
    public int Folds { get; set; } = 3;

    /// <summary>The search order.</summary>
    /// <value>The default value is <see cref="SelectionSearch.SuccessiveHalving"/>.</value>
    public SelectionSearch Search { get; set; } = SelectionSearch.SuccessiveHalving;

    /// <summary>The most fits (one candidate on one fold) the selection may run; null for no limit. At least 1.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxFits { get; set; }

    /// <summary>
    /// The most time the selection may take; null for no limit. No fit starts after it has passed, and a fit that is running
    /// when it passes is stopped and left out, except the first fit, which always completes so that there is a choice.
    /// </summary>
    /// <remarks>
    /// A time budget makes the choice depend on the machine and its load: a slower or busier machine completes fewer fits,
    /// so it can choose differently from the same series and seed. For a reproducible choice, budget by
    /// <see cref="MaxFits"/>.
    /// </remarks>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? MaxTime { get; set; }

    /// <summary>
    /// The seed of every fit of the selection (initial weights and shuffling), the same for every candidate and fold so that
    /// they differ only in what is being chosen; null uses the seed of the builder's trainer options (0 by default).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Seed { get; set; }

    /// <summary>Adds one message per invalid option.</summary>
    internal void Validate(List<string> errors)
    {
        ValidateSizes(Windows, nameof(Windows), errors, allowNull: true);
        ValidateSizes(HiddenSizes, nameof(HiddenSizes), errors, allowNull: false);
        if (ModelFamilies is null || ModelFamilies.Count == 0)
        {
            errors.Add($"{nameof(ModelFamilies)} must hold at least one model family; got {(ModelFamilies is null ? "null" : "none")}.");
        }
        else
        {
            for (int i = 0; i < ModelFamilies.Count; i++)
            {
                if (ModelFamilies[i] is null) errors.Add($"{nameof(ModelFamilies)}[{i}] is null.");
            }
        }

        if (Folds < 1) errors.Add($"{nameof(Folds)} must be at least 1; got {Folds}.");
        if (!Enum.IsDefined(Search)) errors.Add($"{nameof(Search)} {Search} is not one of SuccessiveHalving, Grid.");
        if (MaxFits < 1) errors.Add($"{nameof(MaxFits)} must be at least 1 (or null for no limit); got {MaxFits}.");
        if (MaxTime <= TimeSpan.Zero) errors.Add($"{nameof(MaxTime)} must be positive (or null for no limit); got {MaxTime}.");
    }

    private static void ValidateSizes(IReadOnlyList<int>? sizes, string name, List<string> errors, bool allowNull)
    {
        if (sizes is null)
        {
            if (!allowNull) errors.Add($"{name} must not be null.");
            return;
        }

        if (sizes.Count == 0)
        {
            errors.Add($"{name} must hold at least one value{(allowNull ? " (or be null for the automatic candidates)" : string.Empty)}; got none.");
            return;
        }

        foreach (int size in sizes.Where(s => s < 1).Distinct())
        {
            errors.Add($"{name} must all be at least 1; got {size}.");
        }

        foreach (int size in sizes.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            errors.Add($"{name} lists {size} more than once.");
        }
    }
}
