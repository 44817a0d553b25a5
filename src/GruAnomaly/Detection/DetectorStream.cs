using System.Globalization;

using GruAnomaly.Preprocessing;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Detection;

/// <summary>
/// One series detected live, a point at a time, by a <see cref="FittedAnomalyDetector"/>
/// (<see cref="FittedAnomalyDetector.CreateStream"/>). Each point goes through the same decision path as
/// <see cref="FittedAnomalyDetector.Detect"/> (scaling, missing values, scorer, error combination, smoothing, score
/// normalization, threshold, alarms), so the stream reports for every point what <c>Detect</c> reports for that time step
/// of the whole series, its warm-up included.
/// </summary>
/// <remarks>
/// <para>
/// The values are <c>Detect</c>'s to the last bit. A forecast scorer runs its network over the window of the last
/// <see cref="FittedAnomalyDetector.Window"/> points at every point, as <c>Detect</c> does for every window; it runs the
/// window as a batch of two, because <c>Detect</c> runs windows many to a matrix product and the managed kernels sum a
/// single row in another order. The one exception is the last point of a series whose windows leave a single one for
/// <c>Detect</c>'s last product (one length in 128), which can differ in its last bits; so can any point with a matrix
/// provider other than the managed one. The carried-state forecast (<see cref="Scorer.CarriedStateForecast"/>) advances its
/// network by one step per point with the step <c>Detect</c> takes, so it has no such exception. The baselines move their
/// window's statistics one point at a time, as <c>Detect</c> does.
/// </para>
/// <para>Where a stream cannot see what <c>Detect</c> sees, it differs, as follows.</para>
/// <list type="bullet">
/// <item><description>Event rules (merging, minimum length, pruning, repeat suppression) look ahead: the stream reports the
/// flag before them (<see cref="StreamPoint.IsFlagged"/>) and the alarms, which are causal and equal <c>Detect</c>'s
/// <see cref="DetectionResult.Alarms"/>; events are found in batches.</description></item>
/// <item><description><see cref="MissingValuePolicy.Interpolate"/> needs the next observed value: the stream fills a gap
/// with the last observed value instead (as <see cref="MissingValuePolicy.ForwardFill"/>), so from the first missing value on
/// its scores differ from <c>Detect</c>'s.</description></item>
/// <item><description><c>Detect</c> fills the gap before a feature's first value with that value. The stream reads such a
/// feature as 0 (its training offset after scaling) and as missing until the value arrives, then fills the inputs it still
/// holds with it. A leading gap that ends within the warm-up therefore changes nothing; a longer one changes the points up
/// to its end (and, through smoothing, normalization and a moving threshold, a little beyond).</description></item>
/// </list>
/// <para>
/// Not thread-safe: one stream per series, fed by one thread at a time. The fitted detector is shared, so any number of
/// streams on any threads can use one detector. Once the stream has seen its first scored points, a point allocates
/// nothing with the built-in scorers, normalizations and static thresholds (a streaming peaks-over-threshold tail
/// allocates when it refits).
/// </para>
/// </remarks>
public sealed partial class DetectorStream
{
    private readonly FittedAnomalyDetector _detector;
    private readonly PointScorer _scorer;
    private readonly InputHistory _history;
    private readonly ScoreNormalizationState _normalization;
    private readonly ThresholdState _threshold;
    private readonly MissingValuePolicy _policy;
    private readonly int _warmUp;
    private readonly int _smoothingSpan;
    private readonly double _smoothingAlpha;
    private readonly int _alarmSuppression;
    private readonly bool _repeatAlarms;

    /// <summary>The current point's values scaled, NaN where missing.</summary>
    private readonly float[] _observed;

    /// <summary>The current point's values as the model reads them: scaled, gaps filled.</summary>
    private readonly float[] _inputs;

    /// <summary>Per feature, the last observed value (scaled), or NaN before the first.</summary>
    private readonly float[] _lastObserved;

    private readonly float[] _expected;
    private readonly float[] _errors;
    private readonly double[] _contributions;

    /// <summary>The smoothed score so far (NaN before the first score).</summary>
    private double _smoothed;

    /// <summary>The threshold reported at an unscored point: the one in force at the last scored point.</summary>
    private double _inForce;

    private long _lastAlarm = Alarms.NoAlarmYet;
    private DateTimeOffset? _lastTimestamp;

    internal DetectorStream(FittedAnomalyDetector detector)
    {
        _detector = detector;
        int features = detector.Features;
        _scorer = PointScorers.Create(detector.Scorer);
        _history = new InputHistory(features, Math.Max(1, _scorer.Context));
        _normalization = ScoreNormalizationStates.Create(detector.Normalization);
        _threshold = ThresholdStates.Create(detector.Threshold);
        _policy = detector.Settings.MissingValues;
        _warmUp = detector.Scorer.WarmUp;
        _smoothingSpan = detector.Choices.SmoothingSpan;
        _smoothingAlpha = _smoothingSpan > 1 ? new ExponentialSmoothing(_smoothingSpan).Alpha : 1;
        _smoothed = detector.TypicalScore; // as batch detection starts its smoothing
        _alarmSuppression = detector.AlarmSuppression;
        _repeatAlarms = detector.Settings.EventRules.RepeatAlarms;
        _inForce = detector.Threshold.Value;
        _observed = new float[features];
        _inputs = new float[features];
        _lastObserved = new float[features];
        Array.Fill(_lastObserved, float.NaN);
        _expected = new float[features];
        Array.Fill(_expected, float.NaN);
        _errors = new float[features];
        _contributions = new double[features];
    }

    /// <summary>Gets the detector this stream runs.</summary>
    public FittedAnomalyDetector Detector => _detector;

    /// <summary>Gets the number of values each point has.</summary>
    public int Features => _detector.Features;

    /// <summary>Gets the number of points observed so far: the time step the next point will have.</summary>
    public long Count => _history.Time;

    /// <summary>
    /// Gets the expected values of the last point observed, one per feature, in the series' units (NaN in the warm-up, and
    /// before any point). Valid until the next point is observed.
    /// </summary>
    public ReadOnlySpan<float> Expected => _expected;

    /// <summary>
    /// Gets each feature's share of the last point's unsmoothed score (see <see cref="DetectionResult.Contributions"/>); all 0
    /// when it was not scored. Valid until the next point is observed.
    /// </summary>
    public ReadOnlySpan<double> Contributions => _contributions;

    /// <summary>Detects the next point of a univariate stream.</summary>
    /// <param name="value">The value; NaN when missing.</param>
    /// <returns>What was decided about the point.</returns>
    /// <exception cref="ArgumentException">The detector has several features, or the value is infinite or overflows the scaling.</exception>
    /// <exception cref="InvalidOperationException">The earlier points came with timestamps.</exception>
    public StreamPoint Observe(float value) => Observe(new ReadOnlySpan<float>(in value), null);

    /// <summary>Detects the next point of a univariate stream, with its timestamp.</summary>
    /// <param name="value">The value; NaN when missing.</param>
    /// <param name="timestamp">The point's timestamp; later than the last point's.</param>
    /// <returns>What was decided about the point.</returns>
    /// <exception cref="ArgumentException">
    /// The detector has several features, the value is infinite or overflows the scaling, or the timestamp is not after the last one.
    /// </exception>
    /// <exception cref="InvalidOperationException">The earlier points came without timestamps.</exception>
    public StreamPoint Observe(float value, DateTimeOffset timestamp) => Observe(new ReadOnlySpan<float>(in value), timestamp);

    /// <summary>Detects the next point.</summary>
    /// <param name="values">One value per feature (<see cref="Features"/>); NaN where missing.</param>
    /// <returns>What was decided about the point.</returns>
    /// <exception cref="ArgumentException">The number of values is not <see cref="Features"/>, or a value is infinite or overflows the scaling.</exception>
    /// <exception cref="InvalidOperationException">The earlier points came with timestamps.</exception>
    public StreamPoint Observe(ReadOnlySpan<float> values) => Observe(values, null);

    /// <summary>Detects the next point, with its timestamp.</summary>
    /// <param name="values">One value per feature (<see cref="Features"/>); NaN where missing.</param>
    /// <param name="timestamp">The point's timestamp; later than the last point's.</param>
    /// <returns>What was decided about the point.</returns>
    /// <exception cref="ArgumentException">
    /// The number of values is not <see cref="Features"/>, a value is infinite or overflows the scaling, or the timestamp is
    /// not after the last one.
    /// </exception>
    /// <exception cref="InvalidOperationException">The earlier points came without timestamps.</exception>
    public StreamPoint Observe(ReadOnlySpan<float> values, DateTimeOffset timestamp) => Observe(values, (DateTimeOffset?)timestamp);

    private StreamPoint Observe(ReadOnlySpan<float> values, DateTimeOffset? timestamp)
    {
        long started = _detector.Telemetry.StartPoint();
        Prepare(values, timestamp);
        StreamPoint point = Decide(timestamp);
        _detector.Telemetry.PointObserved(started, point.IsAlarm);
        return point;
    }

    /// <summary>Checks the point, scales it and fills its gaps: everything before the scorer runs.</summary>
    internal void Prepare(ReadOnlySpan<float> values, DateTimeOffset? timestamp)
    {
        Check(values, timestamp);
        FillGaps();
    }

    /// <summary>Checks and scales the point; changes nothing the next point reads, so a refused point loses nothing.</summary>
    internal void Check(ReadOnlySpan<float> values, DateTimeOffset? timestamp)
    {
        Validate(values, timestamp);
        _detector.Scaler.Transform(values, _observed);
    }

    /// <summary>Adds the forecasts the scorer is about to run for the prepared point (see <see cref="DetectorStreamBatch"/>).</summary>
    internal void CollectForecasts(List<ForecastPointScorer> forecasts) => _scorer.CollectForecasts(_history, forecasts);

    /// <summary>Scores the prepared point and decides on it.</summary>
    internal StreamPoint Decide(DateTimeOffset? timestamp)
    {
        long time = _history.Time;
        _history.SetTimestamps(_lastTimestamp, timestamp);
        _scorer.Score(_history, _observed, _expected, _errors);
        _history.Add(_inputs);
        _detector.Scaler.InverseTransform(_expected, _expected);
        _lastTimestamp = timestamp;

        double raw = ScorePipeline.CombineRow(_errors, time >= _warmUp, _detector.Combination, _contributions, out bool scored);
        if (!scored)
        {
            return new StreamPoint(time, timestamp, false, 0, 0, _inForce, 1, 0, false, false, _expected[0]);
        }

        if (_smoothingSpan > 1)
        {
            raw = ExponentialSmoothing.Next(_smoothingAlpha, raw, ref _smoothed);
        }

        if (!double.IsFinite(raw))
        {
            throw NonFiniteScore(time, raw, "values");
        }

        double score = ScorePipeline.Decide(_normalization, _threshold, raw, out _inForce, out bool flagged);
        bool alarm = Alarms.Raises(time, flagged, _alarmSuppression, _repeatAlarms, ref _lastAlarm);
        IFittedThreshold threshold = _detector.Threshold;
        return new StreamPoint(time, timestamp, true, raw, score, _inForce, threshold.TailProbability(score), threshold.Surprise(score),
            flagged, alarm, _expected[0]);
    }

    private static ArgumentException NonFiniteScore(long time, double raw, string parameter) => new(
        string.Create(CultureInfo.InvariantCulture, $"The point at time {time} scores {raw}; scores must be finite (the error combination gave it)."),
        parameter);

    private void Validate(ReadOnlySpan<float> values, DateTimeOffset? timestamp)
    {
        if (values.Length != Features)
        {
            throw new ArgumentException(
                Features == 1
                    ? $"The point has {values.Length} values; this detector was fitted on 1 feature."
                    : $"The point has {values.Length} values; this detector was fitted on {Features} features: pass one value per feature with Observe(ReadOnlySpan<float>).",
                nameof(values));
        }

        if (Count > 0 && timestamp.HasValue != _lastTimestamp.HasValue)
        {
            throw new InvalidOperationException(timestamp.HasValue
                ? "The earlier points of this stream came without timestamps; give every point a timestamp or none."
                : "The earlier points of this stream came with timestamps; give every point a timestamp or none.");
        }

        if (timestamp <= _lastTimestamp)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"Timestamps must strictly increase; point {Count} ({timestamp:O}) is not after point {Count - 1} ({_lastTimestamp:O})."),
                nameof(timestamp));
        }
    }

    /// <summary>
    /// Fills <see cref="_inputs"/> from <see cref="_observed"/>: a missing value reads the feature's last observed one (0 before
    /// its first); what the errors are measured against keeps it missing when masked, and takes the filled value otherwise,
    /// as in <c>Detect</c>. A feature's first value also fills the inputs held from before it.
    /// </summary>
    internal void FillGaps()
    {
        bool rewritten = false;
        for (int f = 0; f < _observed.Length; f++)
        {
            float value = _observed[f];
            if (!float.IsNaN(value))
            {
                if (float.IsNaN(_lastObserved[f]) && _history.Held > 0)
                {
                    _history.Fill(f, value);
                    rewritten = true;
                }

                _lastObserved[f] = value;
                _inputs[f] = value;
                continue;
            }

            float last = _lastObserved[f];
            _inputs[f] = float.IsNaN(last) ? 0f : last;
            _observed[f] = _policy == MissingValuePolicy.Mask ? float.NaN : last;
        }

        if (rewritten)
        {
            _scorer.InputsRewritten();
        }
    }
}
