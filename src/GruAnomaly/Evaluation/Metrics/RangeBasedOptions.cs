namespace GruAnomaly.Evaluation;

/// <summary>Where inside a range overlap counts most: the positional bias δ of Tatbul et al. (2018).</summary>
/// <remarks>The weight of the i-th point (1-based) of a range of length L.</remarks>
public enum PositionalBias
{
    /// <summary>Every point weighs 1: overlap counts by size only.</summary>
    Flat,

    /// <summary>Weight L − i + 1: catching the start of an anomaly matters most (early detection).</summary>
    Front,

    /// <summary>Weight i: the end of a range matters most.</summary>
    Back,

    /// <summary>Weight i up to the middle (2·i ≤ L), L − i + 1 after it: the centre matters most.</summary>
    Middle,
}

/// <summary>How a range covered by several ranges of the other side is penalised: the cardinality factor γ of Tatbul et al. (2018).</summary>
public enum CardinalityPenalty
{
    /// <summary>γ = 1: fragmentation is not penalised.</summary>
    One,

    /// <summary>γ = 1/x, where x is the number of distinct ranges of the other side that overlap the range.</summary>
    Reciprocal,
}

/// <summary>Settings of <see cref="AnomalyMetrics.RangeBased"/>.</summary>
/// <remarks>
/// The defaults (α = 0, flat bias, reciprocal cardinality) score overlap size only and penalise a labelled range that
/// is reported as several fragments; they are the defaults of common implementations (for example aeon's
/// <c>range_recall</c>).
/// </remarks>
public sealed record RangeBasedOptions
{
    /// <summary>
    /// Weight α of the existence reward in recall: a labelled range earns α just for overlapping any prediction, and
    /// (1 − α) times its overlap reward. Precision always uses α = 0, as in the paper.
    /// </summary>
    /// <value>The default value is 0.</value>
    public double Alpha { get; init; }

    /// <summary>The positional bias δ of the overlap reward of labelled ranges (recall).</summary>
    /// <value>The default value is <see cref="PositionalBias.Flat"/>.</value>
    public PositionalBias RecallBias { get; init; } = PositionalBias.Flat;

    /// <summary>The positional bias δ of the overlap reward of predicted ranges (precision).</summary>
    /// <value>The default value is <see cref="PositionalBias.Flat"/>.</value>
    public PositionalBias PrecisionBias { get; init; } = PositionalBias.Flat;

    /// <summary>The cardinality factor γ, applied to both recall and precision.</summary>
    /// <value>The default value is <see cref="CardinalityPenalty.Reciprocal"/>.</value>
    public CardinalityPenalty Cardinality { get; init; } = CardinalityPenalty.Reciprocal;

    internal void Validate()
    {
        var errors = new List<string>();
        if (!(Alpha >= 0 && Alpha <= 1)) errors.Add($"Alpha must be in [0, 1]; got {Alpha}.");
        if (!Enum.IsDefined(RecallBias)) errors.Add($"RecallBias must be Flat, Front, Back or Middle; got {(int)RecallBias}.");
        if (!Enum.IsDefined(PrecisionBias)) errors.Add($"PrecisionBias must be Flat, Front, Back or Middle; got {(int)PrecisionBias}.");
        if (!Enum.IsDefined(Cardinality)) errors.Add($"Cardinality must be One or Reciprocal; got {(int)Cardinality}.");
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid range-based options: " + string.Join(" ", errors), "options");
        }
    }
}
