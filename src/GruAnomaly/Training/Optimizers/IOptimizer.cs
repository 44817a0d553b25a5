namespace GruAnomaly.Training.Optimizers;

/// <summary>
/// The immutable configuration of a gradient-descent rule. It holds hyperparameters only; the per-run moments and
/// step count live in the <see cref="IOptimizerState"/> it creates.
/// </summary>
/// <remarks>The learning rate is not part of the configuration: it is passed to every step by the learning-rate schedule.</remarks>
public interface IOptimizer
{
    /// <summary>A short, stable name for logs and persisted models.</summary>
    string Name { get; }

    /// <summary>Creates fresh state (zero moments, step count 0) for a flat parameter vector of the given length.</summary>
    /// <param name="parameterCount">The number of parameters the state will update.</param>
    /// <returns>New, independent state.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameterCount"/> is negative.</exception>
    IOptimizerState CreateState(int parameterCount);
}