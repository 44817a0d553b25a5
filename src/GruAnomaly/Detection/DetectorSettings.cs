using GruAnomaly.Losses;
using GruAnomaly.Numerics;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Detection;

/// <summary>Every choice of a detector, as validated by <see cref="AnomalyDetectorBuilder.Build"/>.</summary>
/// <param name="Window">Points of context the model reads; null chooses it from the training series (see <see cref="FitChoices"/>).</param>
/// <param name="Stride">Distance between the starts of training windows; null chooses it from the series length.</param>
/// <param name="Model">Which recurrent layers to build; null chooses a GRU sized to the series length.</param>
/// <param name="Scorer">How a window becomes per-feature errors.</param>
/// <param name="Trainer">Trainer options, including the loss and the seed; null chooses epochs from the series length, with early stopping.</param>
/// <param name="Loss">The training loss in force (from <c>WithLoss</c>, else the trainer options', else mean squared error).</param>
/// <param name="Scaler">How each feature is scaled.</param>
/// <param name="MissingValues">What happens to NaN values.</param>
/// <param name="Combination">How per-feature errors become one score.</param>
/// <param name="SmoothingSpan">The EWMA span of score smoothing (1 = none); null chooses half the window.</param>
/// <param name="Normalization">How raw scores are put on the scale of recent scores before the threshold sees them.</param>
/// <param name="Threshold">How the threshold is set.</param>
/// <param name="EventRules">How flagged points become events.</param>
/// <param name="MatrixProvider">What computes the models' matrix products.</param>
/// <param name="OnlineAdaptation">How the model is fine-tuned on recent unflagged points while a series is scored; null (the default) never.</param>
/// <param name="Seed">The seed of the fit's random choices (initial weights, shuffling) from <c>WithSeed</c>, which the trainer options in force carry; null keeps the trainer options' own (0 for the automatic ones).</param>
public sealed record DetectorSettings(
    int? Window,
    int? Stride,
    IModelFactory? Model,
    IAnomalyScorer Scorer,
    TrainerOptions? Trainer,
    ILoss Loss,
    IScalerStrategy Scaler,
    MissingValuePolicy MissingValues,
    IErrorCombination Combination,
    int? SmoothingSpan,
    IScoreNormalization Normalization,
    IThresholdStrategy Threshold,
    EventRules EventRules,
    IMatrixProvider MatrixProvider,
    OnlineAdaptation? OnlineAdaptation = null,
    int? Seed = null);
