using GruAnomaly.Training;
using GruAnomaly.Training.Schedules;

namespace GruAnomaly.Detection;

/// <summary>
/// Settings of online adaptation (<see cref="AnomalyDetectorBuilder.WithOnlineAdaptation"/>): while a series is scored,
/// the model is fine-tuned every <see cref="Every"/> points on the <see cref="Recent"/> points before, leaving out the
/// targets that were flagged, so that the detector follows a slow drift of normal behaviour instead of flagging it.
/// </summary>
/// <remarks>
/// The fitted detector is never changed: the adapted weights live only within one call of
/// <see cref="FittedAnomalyDetector.Detect"/>, which starts again from the fitted weights. Each chunk of <see cref="Every"/>
/// points is scored with weights fine-tuned only on points before it, and fine-tuning is seeded, so the result is
/// deterministic. Validated, with every problem listed, by <see cref="AnomalyDetectorBuilder.Build"/>.
/// </remarks>
public sealed record OnlineAdaptation
{
    /// <summary>The share of the trainer's learning rate that fine-tuning uses when <see cref="LearningRate"/> is null.</summary>
    public const float DefaultLearningRateFraction = 0.1f;

    /// <summary>Points scored between two adaptations: the series is scored in chunks of this many points.</summary>
    /// <value>The default value is 1000; must be positive.</value>
    public int Every { get; init; } = 1000;

    /// <summary>
    /// How many of the most recent points (up to the end of the chunk just scored) fine-tuning reads; fewer than the
    /// scorer needs for one training window teach it nothing.
    /// </summary>
    /// <value>The default value is 2000; must be positive.</value>
    public int Recent { get; init; } = 2000;

    /// <summary>Passes over the recent points per adaptation.</summary>
    /// <value>The default value is 1; must be positive.</value>
    public int Epochs { get; init; } = 1;

    /// <summary>
    /// The learning rate of fine-tuning. Smaller than the rate of the first fit, so that one chunk nudges the weights
    /// towards the new normal rather than overwriting what the training series taught.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: <see cref="DefaultLearningRateFraction"/> of the trainer's
    /// <see cref="TrainerOptions.LearningRate"/> (as chosen for the fit). When set, positive and finite.
    /// </value>
    public float? LearningRate { get; init; }

    /// <summary>Adds one message per invalid setting, so that the builder reports them with its own.</summary>
    internal void Validate(List<string> errors)
    {
        if (Every <= 0) errors.Add($"Every must be positive (points between adaptations); got {Every}.");
        if (Recent <= 0) errors.Add($"Recent must be positive (points fine-tuning reads); got {Recent}.");
        if (Epochs <= 0) errors.Add($"Epochs must be positive; got {Epochs}.");
        if (LearningRate is float rate && !(rate > 0 && float.IsFinite(rate))) errors.Add($"LearningRate must be positive and finite, or null for {DefaultLearningRateFraction} of the trainer's; got {rate}.");
    }

    /// <summary>
    /// The trainer options of one fine-tuning, from those of the fit: every recent point trains (no validation split,
    /// which would hold out exactly the newest points, and so no early stopping), the last weights are kept, and the rate
    /// stays constant over the few epochs.
    /// </summary>
    internal TrainerOptions FineTuning(TrainerOptions fit) => fit with
    {
        Epochs = Epochs,
        LearningRate = LearningRate ?? (fit.LearningRate * DefaultLearningRateFraction),
        Schedule = LearningRateSchedule.Constant,
        ValidationFraction = 0,
        EarlyStoppingPatience = 0,
        RestoreBestWeights = false,
    };
}
