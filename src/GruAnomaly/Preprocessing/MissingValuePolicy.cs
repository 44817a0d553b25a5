namespace GruAnomaly.Preprocessing;

/// <summary>How missing (NaN) values of a series are treated before training or scoring.</summary>
public enum MissingValuePolicy
{
    /// <summary>
    /// Leave NaN in place. The losses ignore NaN targets and the network's input forward-fills, so the model learns only
    /// from observed values and never reads NaN. As under every policy, each feature needs at least one observed value in a
    /// series given to <c>Fit</c> or <c>Detect</c> (otherwise an <see cref="ArgumentException"/>); a stream accepts a
    /// feature that has not arrived yet. A GRU-D model (<c>Models.GruD</c>) also reads the mask and the time since each
    /// feature was last observed, and learns how to treat a gap; it needs this policy.
    /// </summary>
    Mask = 0,

    /// <summary>
    /// Linear interpolation between the nearest observed values of the same feature before and after the gap; NaNs
    /// before the first or after the last observation take that observation's value.
    /// </summary>
    Interpolate = 1,

    /// <summary>
    /// The last observed value of the same feature; NaNs before the first observation take the first observed value
    /// (a backward fill, since there is nothing to carry forward).
    /// </summary>
    ForwardFill = 2,
}
