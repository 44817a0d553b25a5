using GruAnomaly.Numerics;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Detection;

/// <summary>Every choice of a detector, as validated by <see cref="AnomalyDetectorBuilder.Build"/>.</summary>
/// <param name="Window">Points of context the model reads.</param>
/// <param name="Stride">Distance between the starts of training windows.</param>
/// <param name="Model">Which recurrent layers to build.</param>
/// <param name="Scorer">How a window becomes per-feature errors.</param>
/// <param name="Trainer">Trainer options, including the loss and the seed.</param>
/// <param name="Scaler">How each feature is scaled.</param>
/// <param name="MissingValues">What happens to NaN values.</param>
/// <param name="Combination">How per-feature errors become one score.</param>
/// <param name="Smoothing">Score smoothing, or null for none.</param>
/// <param name="Threshold">How the threshold is set.</param>
/// <param name="EventRules">How flagged points become events.</param>
/// <param name="MatrixProvider">What computes the models' matrix products.</param>
public sealed record DetectorSettings(
    int Window,
    int Stride,
    IModelFactory Model,
    IAnomalyScorer Scorer,
    TrainerOptions Trainer,
    IScalerStrategy Scaler,
    MissingValuePolicy MissingValues,
    IErrorCombination Combination,
    ExponentialSmoothing? Smoothing,
    IThresholdStrategy Threshold,
    EventRules EventRules,
    IMatrixProvider MatrixProvider);
