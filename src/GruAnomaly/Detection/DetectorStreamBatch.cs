using GruAnomaly.Data;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;

namespace GruAnomaly.Detection;

/// <summary>
/// Many series detected live by one <see cref="FittedAnomalyDetector"/>, a point of every series at a time
/// (<see cref="FittedAnomalyDetector.CreateStreamBatch"/>): for example the metrics of many hosts sampled at the same
/// tick. Each series is a <see cref="DetectorStream"/> and reports exactly what it would report alone; what the batch adds
/// is speed: the sliding-window forecasts of all series run as one matrix product per step, as <see cref="FittedAnomalyDetector.Detect"/>
/// runs the windows of one series, instead of one small product per series.
/// </summary>
/// <remarks>
/// Not thread-safe: one thread feeds a batch. After the first steps a step allocates nothing. A point that is refused
/// (wrong count, an infinite value, a timestamp out of order) is refused before any series moves, so the batch loses nothing.
/// Each series can be saved and restored as any stream (<see cref="DetectorStream.Save(Stream)"/>), through <see cref="this[int]"/>.
/// </remarks>
public sealed class DetectorStreamBatch
{
    /// <summary>The most windows in one matrix product, as in batch detection.</summary>
    private const int WindowsPerProduct = 128;

    private readonly DetectorStream[] _streams;
    private readonly List<ForecastPointScorer> _forecasts;
    private readonly Dictionary<FittedForecastScorer, (NetworkWorkspace Workspace, float[] Windows)> _engines = [];

    internal DetectorStreamBatch(FittedAnomalyDetector detector, int streams)
    {
        Detector = detector;
        _streams = new DetectorStream[streams];
        for (int i = 0; i < streams; i++)
        {
            _streams[i] = detector.CreateStream();
        }

        // A fusion may hold several forecasters; four per series covers every built-in configuration without growing.
        _forecasts = new List<ForecastPointScorer>(4 * streams);
    }

    /// <summary>Gets the detector the series run.</summary>
    public FittedAnomalyDetector Detector { get; }

    /// <summary>Gets the number of series.</summary>
    public int Count => _streams.Length;

    /// <summary>Gets the number of values each point of each series has.</summary>
    public int Features => Detector.Features;

    /// <summary>Gets one series' stream, for example to save its state or read its expected values.</summary>
    /// <param name="series">The series' index, from 0 to <see cref="Count"/> − 1.</param>
    /// <returns>The stream; observe points through the batch, not through it, to keep the series in step.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="series"/> is out of range.</exception>
    public DetectorStream this[int series]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(series);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(series, Count);
            return _streams[series];
        }
    }

    /// <summary>Detects the next point of every series.</summary>
    /// <param name="values">
    /// <see cref="Count"/> × <see cref="Features"/> values, series-major (series 0's features first); NaN where missing.
    /// </param>
    /// <param name="results">Receives what was decided about each series' point; at least <see cref="Count"/> long.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="values"/> or <paramref name="results"/> has the wrong length, or a value is infinite or overflows the scaling.
    /// </exception>
    /// <exception cref="InvalidOperationException">The earlier points came with timestamps.</exception>
    public void Observe(ReadOnlySpan<float> values, Span<StreamPoint> results) => Observe(values, null, results);

    /// <summary>Detects the next point of every series, all with one timestamp.</summary>
    /// <param name="values">As for <see cref="Observe(ReadOnlySpan{float}, Span{StreamPoint})"/>.</param>
    /// <param name="timestamp">The points' timestamp; later than the last one.</param>
    /// <param name="results">Receives what was decided about each series' point; at least <see cref="Count"/> long.</param>
    /// <exception cref="ArgumentException">
    /// A length is wrong, a value is infinite or overflows the scaling, or the timestamp is not after the last one.
    /// </exception>
    /// <exception cref="InvalidOperationException">The earlier points came without timestamps.</exception>
    public void Observe(ReadOnlySpan<float> values, DateTimeOffset timestamp, Span<StreamPoint> results) =>
        Observe(values, (DateTimeOffset?)timestamp, results);

    private void Observe(ReadOnlySpan<float> values, DateTimeOffset? timestamp, Span<StreamPoint> results)
    {
        int features = Features;
        if (values.Length != (long)Count * features)
        {
            throw new ArgumentException(
                $"The batch has {values.Length} values; expected {(long)Count * features} ({Count} series × {features} feature{(features == 1 ? string.Empty : "s")}, series-major).",
                nameof(values));
        }

        if (results.Length < Count)
        {
            throw new ArgumentException($"The results hold {results.Length} points; expected at least {Count}, one per series.", nameof(results));
        }

        long started = Detector.Telemetry.StartPoint();
        for (int i = 0; i < _streams.Length; i++)
        {
            try
            {
                _streams[i].Check(values.Slice(i * features, features), timestamp);
            }
            catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
            {
                throw new ArgumentException($"Series {i} (values {i * features} to {(i * features) + features - 1}), point {_streams[i].Count}: {e.Message}", nameof(values), e);
            }
        }

        _forecasts.Clear();
        foreach (DetectorStream stream in _streams)
        {
            stream.FillGaps();
            stream.CollectForecasts(_forecasts);
        }

        RunForecasts();
        int alarms = 0;
        for (int i = 0; i < _streams.Length; i++)
        {
            results[i] = _streams[i].Decide(timestamp);
            alarms += results[i].IsAlarm ? 1 : 0;
        }

        Detector.Telemetry.BatchStepObserved(started, _streams.Length, alarms);
    }

    /// <summary>Runs the collected windows, those of one fitted forecaster together, and hands each its forecast.</summary>
    private void RunForecasts()
    {
        while (_forecasts.Count > 0)
        {
            FittedForecastScorer fitted = _forecasts[^1].Fitted;
            int first = Partition(fitted);
            for (int start = first; start < _forecasts.Count; start += WindowsPerProduct)
            {
                Run(fitted, start, Math.Min(WindowsPerProduct, _forecasts.Count - start));
            }

            _forecasts.RemoveRange(first, _forecasts.Count - first);
        }
    }

    /// <summary>Moves the forecasts of <paramref name="fitted"/> to the end of the list and returns where they start.</summary>
    private int Partition(FittedForecastScorer fitted)
    {
        int end = _forecasts.Count;
        for (int i = _forecasts.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_forecasts[i].Fitted, fitted))
            {
                end--;
                (_forecasts[i], _forecasts[end]) = (_forecasts[end], _forecasts[i]);
            }
        }

        return end;
    }

    private void Run(FittedForecastScorer fitted, int start, int count)
    {
        // A single window runs twice: the kernels sum a single row in another order than several, and Detect never runs one alone.
        int slots = Math.Max(2, count), window = fitted.Window, width = fitted.OutputWidth;
        int needed = window * slots * fitted.InputWidth;
        if (!_engines.TryGetValue(fitted, out (NetworkWorkspace Workspace, float[] Windows) engine) || engine.Windows.Length < needed)
        {
            // Sized for the most windows one product will take, so that steady steps allocate nothing.
            int most = Math.Max(slots, Math.Min(WindowsPerProduct, Math.Max(2, _forecasts.Capacity)));
            engine = (engine.Workspace ?? fitted.Network.CreateWorkspace(), new float[window * most * fitted.InputWidth]);
            _engines[fitted] = engine;
        }

        Span<float> windows = engine.Windows.AsSpan(0, needed);
        for (int slot = 0; slot < slots; slot++)
        {
            ForecastPointScorer forecast = _forecasts[start + Math.Min(slot, count - 1)];
            forecast.WriteWindow(forecast.History!, windows, slots, slot);
        }

        fitted.Network.Infer(fitted.Parameters, windows, window, slots, engine.Workspace);
        for (int i = 0; i < count; i++)
        {
            _forecasts[start + i].Provide(engine.Workspace.Outputs.Slice(i * width, width));
        }
    }
}
