using System.Diagnostics;
using GruAnomaly.Diagnostics;
using GruAnomaly.Preprocessing;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Detection;

/// <summary>
/// An unfitted anomaly detector: the validated choices of model, trainer, loss, scorer and threshold. Immutable;
/// <see cref="Fit"/> returns a separate <see cref="FittedAnomalyDetector"/>, so one configuration can be fitted to many series.
/// </summary>
/// <example>
/// <code>
/// var detector = AnomalyDetector.CreateBuilder()
///     .WithWindow(100)
///     .WithModel(Models.Gru(hiddenSize: 64, layers: 2))
///     .WithTrainer(new TrainerOptions { Epochs = 50, BatchSize = 32, EarlyStoppingPatience = 5 })
///     .WithLoss(Loss.Mse)
///     .WithThreshold(Threshold.PeaksOverThreshold(riskLevel: 1e-3))
///     .Build();
/// FittedAnomalyDetector fitted = await detector.FitAsync(training, progress, cancellationToken);
/// DetectionResult result = fitted.Detect(test);
/// </code>
/// </example>
public sealed class AnomalyDetector
{
    /// <summary>The fewest scored training points the threshold is fitted on before all training scores are used instead of held-out ones.</summary>
    public const int MinimumHeldOutScores = 1000;

    private readonly ILogger _logger;
    private int? _minimumTrainingLength;

    internal AnomalyDetector(DetectorSettings settings, ILogger logger, DetectorTelemetry telemetry)
    {
        Settings = settings;
        // A throwing logger must not abort a fit nor be blamed on the data: its exceptions are dropped (see WithLogger).
        _logger = ForgivingLogger.Wrap(logger);
        Telemetry = telemetry;
    }

    /// <summary>Gets every choice of this detector (null where it is chosen from the training series).</summary>
    public DetectorSettings Settings { get; }

    /// <summary>Gets where fitting, and detection with online adaptation, report.</summary>
    internal ILogger Logger => _logger;

    /// <summary>Gets the meter and activity source that fitting, and the fitted detectors, report to.</summary>
    internal DetectorTelemetry Telemetry { get; }

    /// <summary>
    /// Gets the fewest time steps a training series needs; a fully observed series of this length fits (when its scores
    /// are not tied: a peaks-over-threshold tail needs distinct peaks). With a given window: what the scorer needs for
    /// one score plus one window, and at least as many scored steps as the threshold's
    /// <see cref="IThresholdStrategy.MinimumCalibrationScores"/>. With an automatic window: the same for the smallest
    /// automatic window, and at least <see cref="FitChoices.MinimumAutomaticTrainingLength"/> (the window then shrinks
    /// to an eighth of the series, or further until the threshold gets its calibration scores).
    /// </summary>
    /// <value>At most <see cref="int.MaxValue"/>; the builder refuses windows that would need more than <see cref="Array.MaxLength"/>.</value>
    public int MinimumTrainingLength => _minimumTrainingLength ??= ComputeMinimumTrainingLength();

    private int ComputeMinimumTrainingLength()
    {
        IAnomalyScorer scorer = Settings.Scorer;
        long calibration = Settings.Threshold.MinimumCalibrationScores;
        if (Settings.Window is int window)
        {
            // The first scored step is MinimumLength − 1: every step from there on is a calibration score.
            long scored = (long)scorer.MinimumLength(window) + window;
            long thresholded = (long)scorer.MinimumLength(window) - 1 + calibration;
            return (int)Math.Min(int.MaxValue, Math.Max(scored, thresholded));
        }

        // The automatic window shrinks (down to MinimumAutomaticWindow) until the threshold has its calibration scores.
        int smallest = FitChoices.MinimumAutomaticWindow;
        long length = Math.Max(FitChoices.MinimumAutomaticTrainingLength,
            Math.Max((long)scorer.MinimumLength(smallest) + smallest, (long)scorer.MinimumLength(smallest) - 1 + calibration));
        return (int)Math.Min(int.MaxValue, length);
    }

    /// <summary>
    /// Starts a builder with the defaults: one-step forecasting of a mean and a variance (Gaussian NLL), fused with four
    /// scorers that train nothing (<see cref="Scoring.Scorer.Default"/>), with the window, stride, GRU size, epochs (early
    /// stopping) and EWMA smoothing chosen from the training series (see <see cref="FitChoices"/>); standard scaling,
    /// masked missing values, mean combination, scores normalized as a robust z-score against the last 2000,
    /// <see cref="Thresholds.Threshold.Automatic"/> at risk 10⁻⁴, and one alarm per window of time at most.
    /// </summary>
    /// <returns>A new builder.</returns>
    public static AnomalyDetectorBuilder CreateBuilder() => new();

    /// <summary>Fits the detector on a training series on a background thread; see <see cref="Fit"/>.</summary>
    /// <param name="training">Mostly normal data.</param>
    /// <param name="progress">Receives training progress; may be null. What it throws faults the task unchanged.</param>
    /// <param name="cancellationToken">Cancels fitting; nothing is kept.</param>
    /// <returns>The fitted detector.</returns>
    /// <exception cref="OperationCanceledException">Fitting was cancelled.</exception>
    public Task<FittedAnomalyDetector> FitAsync(TimeSeries training, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        return Task.Run(() => Fit(training, progress, cancellationToken), cancellationToken);
    }

    /// <summary>Fits the detector: scaler, model, error combination and threshold, all on the training series.</summary>
    /// <param name="training">Mostly normal data.</param>
    /// <param name="progress">
    /// Receives training progress; may be null. It is called on the fitting thread after every mini-batch; an exception
    /// it throws stops the fit and reaches the caller unchanged (never re-worded as a problem with the series).
    /// </param>
    /// <param name="cancellationToken">Cancels fitting; nothing is kept.</param>
    /// <returns>The fitted detector.</returns>
    /// <exception cref="ArgumentException">
    /// The series is shorter than <see cref="MinimumTrainingLength"/>, holds an infinity, a feature is never observed, or a
    /// strategy refuses it (the message says what would help).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A buffer of the model or of a mini-batch would exceed <see cref="Array.MaxLength"/> values.</exception>
    /// <exception cref="OperationCanceledException">Fitting was cancelled.</exception>
    /// <exception cref="InvalidOperationException">Online adaptation is on, but the scorer's fitted scorer cannot be fine-tuned.</exception>
    public FittedAnomalyDetector Fit(TimeSeries training, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        using Activity? activity = Telemetry.StartActivity(Diagnostics.Telemetry.FitActivity, training.Length, training.Features, Settings.Scorer.Name);
        try
        {
            FittedAnomalyDetector fitted = FitCore(training, Telemetry.CountingEpochs(progress), cancellationToken);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("gruanomaly.window", fitted.Window);
                activity.SetTag("gruanomaly.threshold", fitted.Threshold.Value);
            }

            return fitted;
        }
        catch (Exception e)
        {
            DetectorTelemetry.Failed(activity, e);
            throw;
        }
    }

    private FittedAnomalyDetector FitCore(TimeSeries training, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        DetectorSettings s = Settings;
        if (training.Length < MinimumTrainingLength)
        {
            throw new ArgumentException(
                $"The training series has {training.Length} time steps; {(s.Window is int w ? $"window {w}" : "an automatic window")} with scorer {s.Scorer.Name} and threshold {s.Threshold.Name} (which needs {s.Threshold.MinimumCalibrationScores} calibration scores) needs at least {MinimumTrainingLength}.",
                nameof(training));
        }

        cancellationToken.ThrowIfCancellationRequested();
        FittedScaler scaler = s.Scaler.Fit(training.Values, training.Features);
        SeriesPreparation.Prepare(training, scaler, s.MissingValues, out float[] inputs, out float[] observed);
        FitChoices choices = FitChoices.Resolve(s, inputs, training.Length, training.Features);
        foreach (string choice in choices.Automatic)
        {
            _logger.AutomaticChoice(choice);
        }

        _logger.DetectorFitting(s.Scorer.Name, choices.Model.Name, training.Length, training.Features, choices.Window);
        // The caller's progress callback runs inside training: what it throws is the caller's, and must reach the caller
        // as itself rather than as a complaint about the training series.
        WatchedProgress<TrainingProgress>? watched = progress is null ? null : new WatchedProgress<TrainingProgress>(progress);
        IFittedScorer scorer = WithContext(training, watched, $"train the {s.Scorer.Name} scorer with window {choices.Window}", () => s.Scorer.Fit(new ScorerFitContext
        {
            Inputs = inputs,
            Observed = observed,
            Features = training.Features,
            Window = choices.Window,
            Stride = choices.Stride,
            Model = choices.Model,
            Trainer = choices.Trainer,
            MatrixProvider = s.MatrixProvider,
            Logger = _logger,
            Timestamps = training.Timestamps,
        }, watched, cancellationToken));
        if (scorer.History?.StopReason == StopReason.Cancelled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (s.OnlineAdaptation is not null && scorer is not IAdaptableScorer)
        {
            throw new InvalidOperationException(
                $"Online adaptation needs a scorer that can be fine-tuned: {s.Scorer.Name} says it is adaptable (IsAdaptable), but its fitted scorer " +
                $"{scorer.GetType().Name} does not implement IAdaptableScorer.");
        }

        var expected = new float[inputs.Length];
        var errors = new float[inputs.Length];
        TimedScoring.ScoreTraining(scorer, inputs, observed, training.Timestamps, expected, errors);
        int warmUp = scorer.WarmUp, features = training.Features;
        int heldOutFrom = Math.Max(scorer.HeldOutFrom, warmUp);
        // With enough held-out points, the combination learns from the rest, so the calibration scores stay out of sample.
        bool calibrateOnHeldOut = ScorePipeline.CountScorable(errors, features, heldOutFrom) >= MinimumHeldOutScores;
        // A scorer that trained nothing (a baseline) holds every scored step out: its combination then learns from all of them.
        int combinationEnd = calibrateOnHeldOut && heldOutFrom > warmUp ? heldOutFrom : training.Length;
        IFittedErrorCombination combination = s.Combination.Fit(
            errors.AsSpan(warmUp * features, (combinationEnd - warmUp) * features), features, scorer.ErrorsAreSigned);

        var scores = new double[training.Length];
        var contributions = new double[inputs.Length];
        var scored = new bool[training.Length];
        int calibrationFrom = calibrateOnHeldOut ? heldOutFrom : warmUp;
        ScorePipeline.Combine(errors, features, warmUp, combination, scores, contributions, scored);
        double typicalScore = ScorePipeline.TypicalScore(scores, scored, calibrationFrom);
        ScorePipeline.Smooth(scores, choices.SmoothingSpan, typicalScore);
        double[] calibration = ScorePipeline.Scored(scores, scored, calibrationFrom);
        var normalizedCalibration = new double[calibration.Length];
        IFittedScoreNormalization normalization = WithContext(training, callback: null,
            $"fit the score normalization {s.Normalization.Name} on its training scores",
            () => s.Normalization.Fit(calibration, normalizedCalibration));
        IFittedThreshold threshold = WithContext(training, callback: null,
            $"fit {s.Threshold.Name} on its {calibration.Length}{(calibrateOnHeldOut ? " held-out" : string.Empty)} training scores{ThresholdAdvice(s.Threshold, normalizedCalibration)}",
            () => s.Threshold.Fit(normalizedCalibration));
        _logger.DetectorFitted(calibration.Length, calibrateOnHeldOut ? "held-out" : "all training", threshold.Name, threshold.Value);
        return new FittedAnomalyDetector(this, choices, scaler, scorer, combination, typicalScore, normalization, threshold, training.Features, calibration.Length);
    }

    /// <summary>
    /// Says what would help a threshold that refuses its calibration scores: more of them only when there are fewer than it
    /// needs; when there are enough, tied scores (a constant or repeating series) are the reason, and a longer series of
    /// the same kind would not help.
    /// </summary>
    private static string ThresholdAdvice(IThresholdStrategy threshold, double[] calibration)
    {
        if (calibration.Length < threshold.MinimumCalibrationScores)
        {
            return $" (it needs {threshold.MinimumCalibrationScores}: a longer series gives more)";
        }

        int distinct = calibration.Distinct().Count();
        return distinct < calibration.Length
            ? $" (they take only {distinct} distinct value{(distinct == 1 ? string.Empty : "s")}: the series is constant or repeats itself, so a longer one " +
              "of the same kind would not help; use a threshold that copes with tied scores, such as Threshold.Automatic, Threshold.Quantile or Threshold.Fixed)"
            : string.Empty;
    }

    /// <summary>
    /// Reports a strategy's refusal of the training series against the argument the caller actually passed; an exception
    /// thrown by the caller's own progress callback passes through unchanged.
    /// </summary>
    private static T WithContext<T>(TimeSeries training, WatchedProgress<TrainingProgress>? callback, string what, Func<T> fit)
    {
        try
        {
            return fit();
        }
        // A size beyond what an array holds (ArgumentOutOfRangeException) is not a lack of data: it passes unchanged too.
        catch (ArgumentException e) when (e is not (ArgumentNullException or ArgumentOutOfRangeException) && !ReferenceEquals(e, callback?.Thrown))
        {
            throw new ArgumentException(
                $"The training series ({training.Length} time steps of {training.Features} features) is not enough to {what}: {e.Message}",
                nameof(training), e);
        }
    }
}
