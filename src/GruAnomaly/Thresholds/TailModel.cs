namespace GruAnomaly.Thresholds;

/// <summary>How a peaks-over-threshold model describes the excesses of the scores over its initial threshold.</summary>
public enum TailModel
{
    /// <summary>
    /// A generalized Pareto distribution whose shape and scale are fitted by maximum likelihood (Grimshaw's method), as
    /// in SPOT (Siffer et al., KDD 2017). Its shape needs many independent peaks: on the few dozen strongly dependent peaks
    /// that smoothed scores leave in a calibration set it is poorly determined, and the threshold with it.
    /// </summary>
    GeneralizedPareto,

    /// <summary>
    /// An exponential distribution, the generalized Pareto with its shape fixed at 0, whose scale is the mean excess: one
    /// parameter, so it stays stable on few or dependent peaks, at the price of an error where the true tail is far from
    /// exponential.
    /// </summary>
    Exponential,
}
