using System.Diagnostics;
using GruAnomaly.Diagnostics;
using GruAnomaly.Preprocessing;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Detection;

/// <summary>
/// A fitted detector: scaler, trained scorer, error combination and threshold. Immutable and safe to use from
/// several threads at once: <see cref="Detect"/> scores whole series, <see cref="CreateStream"/> starts one series to be
/// detected a point at a time.
/// </summary>
public sealed partial class FittedAnomalyDetector
{
    private readonly ILogger _logger;

    internal FittedAnomalyDetector(AnomalyDetector detector, FitChoices choices, FittedScaler scaler, IFittedScorer scorer,
        IFittedErrorCombination combination, double typicalScore, IFittedScoreNormalization normalization, IFittedThreshold threshold, int features, int calibrationScores)
        : this(detector.Settings, detector.Logger, detector.Telemetry, choices, scaler, scorer, combination, typicalScore, normalization, threshold, features, calibrationScores)
    {
    }

    /// <summary>A detector from its parts, for example read back from a file.</summary>
    internal FittedAnomalyDetector(DetectorSettings settings, ILogger logger, DetectorTelemetry telemetry, FitChoices choices, FittedScaler scaler, IFittedScorer scorer,
        IFittedErrorCombination combination, double typicalScore, IFittedScoreNormalization normalization, IFittedThreshold threshold, int features, int calibrationScores)
    {
        Settings = settings;
        _logger = logger;
        Telemetry = telemetry;
        Choices = choices;
        Scaler = scaler;
        Scorer = scorer;
        Combination = combination;
        TypicalScore = typicalScore;
        Normalization = normalization;
        Threshold = threshold;
        Features = features;
        CalibrationScores = calibrationScores;
    }

    /// <summary>Gets the meter and activity source that detection and this detector's streams report to.</summary>
    internal DetectorTelemetry Telemetry { get; }

    /// <summary>Gets the choices the detector was built with.</summary>
    public DetectorSettings Settings { get; }

    /// <summary>Gets what the fit used, including every choice made automatically from the training series, and why.</summary>
    public FitChoices Choices { get; }

    /// <summary>Gets the number of features per time step the detector expects.</summary>
    public int Features { get; }

    /// <summary>Gets the context length.</summary>
    public int Window => Choices.Window;

    /// <summary>Gets the per-feature scaling fitted on the training series.</summary>
    public FittedScaler Scaler { get; }

    /// <summary>Gets the trained scorer.</summary>
    public IFittedScorer Scorer { get; }

    /// <summary>Gets the fitted error combination.</summary>
    public IFittedErrorCombination Combination { get; }

    /// <summary>
    /// Gets the mean unsmoothed score of the calibration data. Smoothing of every series starts from it, so that the first
    /// smoothed scores of a series are not single raw scores (which vary far more than smoothed ones and would alarm).
    /// </summary>
    public double TypicalScore { get; }

    /// <summary>Gets the fitted score normalization, holding the history of scores that detection continues from.</summary>
    public IFittedScoreNormalization Normalization { get; }

    /// <summary>Gets the fitted threshold (on normalized scores).</summary>
    public IFittedThreshold Threshold { get; }

    /// <summary>Gets how many training scores the threshold was fitted on.</summary>
    public int CalibrationScores { get; }

    /// <summary>Gets the training history of the scorer's model, or null when it has none.</summary>
    public TrainingHistory? History => Scorer.History;

    /// <summary>Gets the fewest time steps a series needs to receive a score.</summary>
    public int MinimumLength => Settings.Scorer.MinimumLength(Window);

    /// <summary>Gets how many steps after an alarm further alarms are held back (the event rules' setting, or its default).</summary>
    internal int AlarmSuppression => Settings.EventRules.AlarmSuppression ?? (EventRules.DefaultAlarmSuppressionWindows * Window);

    /// <summary>
    /// Scores a series, applies the threshold and the event rules. With online adaptation (see
    /// <see cref="DetectorSettings.OnlineAdaptation"/>) the model is fine-tuned as the series is scored; the fine-tuned
    /// weights are discarded at the end, so every call starts from the fitted ones.
    /// </summary>
    /// <remarks>
    /// Every step up to the alarms is causal (the reconstruction scorer, the dynamic threshold, non-maximum suppression and
    /// online adaptation aside), so <see cref="CreateStream"/> reports the same values point by point. Where a stream
    /// cannot see what this method sees, they differ: the event rules and the flags after them look ahead; interpolation
    /// reads the value after a gap, which a stream fills forward instead; and the gap before a feature's first value is
    /// filled with that value here, by a stream only once it arrives (see <see cref="DetectorStream"/>).
    /// </remarks>
    /// <param name="series">The series, with <see cref="Features"/> features and at least <see cref="MinimumLength"/> time steps.</param>
    /// <returns>Per time step: score, threshold, flag, expected value, contributions; and the events.</returns>
    /// <exception cref="ArgumentException">
    /// The series has the wrong number of features, is too short, holds an infinity or a value whose scaling overflows
    /// float (near ±3.4·10³⁸), or a feature is never observed (all NaN, under every missing-value policy,
    /// <see cref="MissingValuePolicy.Mask"/> included; an all-missing series is refused too).
    /// </exception>
    public DetectionResult Detect(TimeSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        long started = Stopwatch.GetTimestamp();
        using Activity? activity = Telemetry.StartActivity(Diagnostics.Telemetry.DetectActivity, series.Length, series.Features, Scorer.Name);
        DetectionResult result;
        try
        {
            result = DetectCore(series);
        }
        catch (Exception e)
        {
            DetectorTelemetry.Failed(activity, e);
            throw;
        }

        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gruanomaly.alarms", result.Alarms.Count);
            activity.SetTag("gruanomaly.events", result.Events.Count);
        }

        Telemetry.Detected(started, series.Length, result.Alarms.Count);
        return result;
    }

    /// <summary>
    /// As <see cref="Detect"/>, on the series the detector was fitted on, scored as its calibration scored it: a scorer that
    /// keeps its training points leaves each point's matches with itself out (see <see cref="ITrainingScorer"/>). For
    /// probes of the score layer, which must see what the calibration saw.
    /// </summary>
    internal DetectionResult DetectTraining(TimeSeries training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return DetectCore(training, asTraining: true);
    }

    private DetectionResult DetectCore(TimeSeries series, bool asTraining = false)
    {
        ValidateSeries(series);
        int length = series.Length, features = Features;
        SeriesPreparation.Prepare(series, Scaler, Settings.MissingValues, out float[] inputs, out float[] observed);
        var expected = new float[inputs.Length];
        var errors = new float[inputs.Length];
        if (asTraining)
        {
            TimedScoring.ScoreTraining(Scorer, inputs, observed, series.Timestamps, expected, errors);
        }
        else if (Settings.OnlineAdaptation is OnlineAdaptation adaptation)
        {
            ScoreAdapting(adaptation, inputs, observed, expected, errors);
        }
        else
        {
            TimedScoring.Score(Scorer, inputs, observed, series.Timestamps, expected, errors);
        }

        (double[] rawScores, double[] scores, double[] thresholds, bool[] flags, bool[] scored, double[] contributions) = Decide(errors, length);
        var tail = new double[length];
        var surprise = new double[length];
        for (int t = 0; t < length; t++)
        {
            tail[t] = scored[t] ? Threshold.TailProbability(scores[t]) : 1;
            surprise[t] = scored[t] ? Threshold.Surprise(scores[t]) : 0;
        }

        EventRules rules = Settings.EventRules;
        if (rules.NonMaximumSuppressionRadius > 0)
        {
            Alarms.KeepLocalMaxima(scores, scored, flags, rules.NonMaximumSuppressionRadius);
        }

        IReadOnlyList<int> alarms = Alarms.Raise(flags, AlarmSuppression, Settings.EventRules.RepeatAlarms);
        IReadOnlyList<AnomalyEvent> events = AnomalyEvents.Find(scores, flags, rules);
        AnomalyEvents.ToFlags(events, flags);
        Scaler.InverseTransform(expected, expected);

        return new DetectionResult(features, rawScores, scores, thresholds, tail, surprise, flags, scored, expected, contributions, alarms, events, series.Timestamps);
    }

    /// <summary>
    /// Scores one window given as time-major values with <see cref="Features"/> values per step (for a forecaster: the
    /// context and the point to judge), without building a <see cref="TimeSeries"/>.
    /// </summary>
    /// <param name="values">At least <see cref="MinimumLength"/> time steps of <see cref="Features"/> values.</param>
    /// <returns>The result for those points.</returns>
    public DetectionResult DetectWindow(ReadOnlySpan<float> values) => Detect(new TimeSeries(values, Features));

    /// <summary>
    /// Explains the score of one time step: each feature's share of the (unsmoothed) score, and the gradient of that
    /// score with respect to every input value the model read for it (the saliency), in the series' own units.
    /// </summary>
    /// <remarks>
    /// The fitted weights are explained: with online adaptation, <see cref="Detect"/> may have scored the step with
    /// weights fine-tuned on the series before it, and its score can then differ from the one explained here.
    /// </remarks>
    /// <param name="series">The series.</param>
    /// <param name="time">A scored time step of <paramref name="series"/>.</param>
    /// <returns>The explanation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is in the warm-up or past the end.</exception>
    /// <exception cref="ArgumentException">The series does not fit the detector, or the time step is not observed.</exception>
    /// <exception cref="NotSupportedException">The scorer cannot differentiate its scores (an autoregressive reconstruction).</exception>
    public Explanation Explain(TimeSeries series, int time)
    {
        ArgumentNullException.ThrowIfNull(series);
        ValidateSeries(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(time, Scorer.WarmUp);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(time, series.Length);
        int features = Features;
        SeriesPreparation.Prepare(series, Scaler, Settings.MissingValues, out float[] inputs, out float[] observed);
        var expected = new float[inputs.Length];
        var errors = new float[inputs.Length];
        TimedScoring.Score(Scorer, inputs, observed, series.Timestamps, expected, errors);
        ReadOnlySpan<float> row = errors.AsSpan(time * features, features);
        if (!ScorePipeline.HasObservation(row))
        {
            throw new ArgumentException($"Time step {time} has every feature missing; there is no score to explain.", nameof(time));
        }

        var contributions = new double[features];
        double score = Combination.Combine(row, contributions);
        var errorGradient = new float[features];
        Combination.Gradient(row, errorGradient);
        var buffer = new float[Scorer.MaximumSaliencySteps * features];
        int start = TimedScoring.Saliency(Scorer, inputs, observed, series.Timestamps, time, errorGradient, buffer, out int steps);
        float[] saliency = buffer[..(steps * features)];
        for (int i = 0; i < saliency.Length; i++)
        {
            // The model read scaled inputs x' = (x − offset) / scale, so ∂score/∂x = ∂score/∂x' / scale.
            saliency[i] /= Scaler.Scales[i % features];
        }

        return new Explanation(time, score, contributions, start, steps, features, saliency, Attention(inputs, observed, series.Timestamps, time, start, steps));
    }

    /// <summary>
    /// The attention weights of the forecaster behind the score (alone or in a fusion) for the point at
    /// <paramref name="time"/>, placed on the explanation's steps; null when it has no attention pooling.
    /// </summary>
    private float[]? Attention(float[] inputs, float[] observed, IReadOnlyList<DateTimeOffset>? timestamps, int time, int start, int steps)
    {
        FittedForecastScorer? forecaster = Scorer switch
        {
            FittedForecastScorer { Attention: > 0 } single => single,
            FittedFusionScorer fusion => fusion.Components.ToArray().OfType<FittedForecastScorer>().FirstOrDefault(f => f.Attention > 0),
            _ => null,
        };
        if (forecaster is null)
        {
            return null;
        }

        var own = new float[forecaster.MaximumSaliencySteps];
        int first = forecaster.AttentionWeights(inputs, observed, timestamps, time, own, out int covered);
        var attention = new float[steps];
        // The forecaster's windows lie inside the explained steps: they are part of what its saliency covers.
        own.AsSpan(0, covered).CopyTo(attention.AsSpan(first - start));
        return attention;
    }

    /// <summary>
    /// The decision path from errors to flags for the first <paramref name="length"/> steps: combination, smoothing,
    /// normalization against the calibration history, and the threshold in force at each step.
    /// </summary>
    private Decisions Decide(ReadOnlySpan<float> errors, int length)
    {
        var scores = new double[length];
        var contributions = new double[length * Features];
        var scored = new bool[length];
        ScorePipeline.Combine(errors[..contributions.Length], Features, Scorer.WarmUp, Combination, scores, contributions, scored);
        ScorePipeline.Smooth(scores, Choices.SmoothingSpan, TypicalScore);

        double[] raw = ScorePipeline.Scored(scores, scored, 0);
        var normalized = new double[raw.Length];
        var compactThresholds = new double[raw.Length];
        if (Normalization is IStreamableScoreNormalization { FollowsDecisions: true } streamable)
        {
            ScoreNormalizationState normalization = streamable.CreateState();
            // The history takes each score only after the threshold judged it: one step at a time, as a stream does.
            ThresholdState threshold = ThresholdStates.Create(Threshold);
            for (int k = 0; k < raw.Length; k++)
            {
                normalized[k] = ScorePipeline.Decide(normalization, threshold, raw[k], out compactThresholds[k], out _);
            }
        }
        else
        {
            Normalization.Apply(raw, normalized);
            Threshold.Apply(normalized, compactThresholds);
        }

        var rawScores = new double[length];
        var thresholds = new double[length];
        var flags = new bool[length];
        double inForce = Threshold.Value;
        for (int t = 0, k = 0; t < length; t++)
        {
            if (scored[t])
            {
                rawScores[t] = raw[k];
                scores[t] = normalized[k];
                inForce = compactThresholds[k++];
                flags[t] = scores[t] > inForce;
            }
            else
            {
                scores[t] = 0;
            }

            thresholds[t] = inForce;
        }

        return new Decisions(rawScores, scores, thresholds, flags, scored, contributions);
    }

    private void ValidateSeries(TimeSeries series)
    {
        if (series.Features != Features)
        {
            throw new ArgumentException($"The series has {series.Features} features; this detector was fitted on {Features}.", nameof(series));
        }

        if (series.Length < MinimumLength)
        {
            throw new ArgumentException(
                $"The series has {series.Length} time steps; this detector needs at least {MinimumLength} (window {Window}).", nameof(series));
        }
    }

    /// <summary>Per time step: raw and normalized score, threshold in force, flag (before the event rules), whether scored; per feature: contributions.</summary>
    private readonly record struct Decisions(double[] RawScores, double[] Scores, double[] Thresholds, bool[] Flags, bool[] Scored, double[] Contributions);
}
