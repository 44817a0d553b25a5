using System.Globalization;
using GruAnomaly.Persistence;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Scoring;

/// <summary>
/// Normalizes each score against the median and interquartile range of the scores before it, over a bounded history.
/// Made by <see cref="ScoreNormalization.RobustZ"/> and <see cref="ScoreNormalization.RatioToMedian"/>.
/// </summary>
/// <remarks>
/// The history holds every score, anomalous or not: the median and quartiles move little while an anomaly is shorter than
/// a quarter of the history, and a lasting change of level is learned within about half of it. Until the history holds
/// <see cref="MinimumHistory"/> scores, the statistics of the first calibration scores stand in (when calibration itself
/// is that short, and at the very start of calibration).
/// </remarks>
public sealed class RunningScoreNormalization : IScoreNormalization
{
    /// <summary>The default history length.</summary>
    public const int DefaultHistory = 2000;

    /// <summary>The fewest scores the running statistics are taken over.</summary>
    public const int MinimumHistory = 16;

    /// <summary>The interquartile range of a standard normal distribution.</summary>
    internal const double NormalInterquartileRange = 1.3489795003921634;

    internal RunningScoreNormalization(int history, Statistic statistic)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(history, MinimumHistory);
        History = history;
        Kind = statistic;
    }

    /// <summary>What a score is compared with.</summary>
    public enum Statistic
    {
        /// <summary><c>(s − median) / (IQR / 1.349)</c>.</summary>
        RobustZ = 0,

        /// <summary><c>s / median</c>.</summary>
        RatioToMedian = 1,
    }

    /// <summary>Gets how many past scores the statistics are taken over.</summary>
    public int History { get; }

    /// <summary>Gets what a score is compared with.</summary>
    public Statistic Kind { get; }

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{Kind}(history={History})");

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public IFittedScoreNormalization Fit(ReadOnlySpan<double> calibrationScores, Span<double> normalized)
    {
        ScoreChecks.Calibration(calibrationScores, 1, Name);
        Diagnostics.Guard.Length(normalized.Length, calibrationScores.Length, nameof(normalized), "one value per calibration score");
        var first = new EmpiricalDistribution(calibrationScores[..Math.Min(calibrationScores.Length, History)]);
        var fitted = new FittedRunningScoreNormalization(this, first, []);
        var window = new RunningWindow(History);
        fitted.Run(window, calibrationScores, normalized);
        return new FittedRunningScoreNormalization(this, first, window.InTimeOrder());
    }
}

/// <summary>A fitted <see cref="RunningScoreNormalization"/>: the stand-in statistics and the history at the end of calibration.</summary>
internal sealed class FittedRunningScoreNormalization : IFittedScoreNormalization, IStreamableScoreNormalization
{
    private readonly double[] _history;
    private readonly double _fallbackCenter;
    private readonly double _fallbackSpread;
    private readonly double _floor;

    internal FittedRunningScoreNormalization(RunningScoreNormalization strategy, EmpiricalDistribution first, double[] history)
        : this(strategy, first.Quantile(0.5),
            strategy.Kind == RunningScoreNormalization.Statistic.RobustZ ? Spread(first.Quantile(0.25), first.Quantile(0.75)) : first.Quantile(0.5),
            // A spread of exactly zero (constant scores) would turn the least change into an infinite score; the floor keeps
            // the scale finite and relative to the size of the scores themselves.
            Math.Max(1e-12, 1e-6 * Math.Max(Math.Abs(first.Mean), first.StandardDeviation)),
            history)
    {
    }

    /// <summary>A fitted normalization from its state, for example read back from a file.</summary>
    internal FittedRunningScoreNormalization(RunningScoreNormalization strategy, double fallbackCenter, double fallbackSpread, double floor, double[] history)
    {
        Strategy = strategy;
        _history = history;
        _fallbackCenter = fallbackCenter;
        _fallbackSpread = fallbackSpread;
        _floor = floor;
    }

    /// <summary>Gets the center used until the history holds <see cref="RunningScoreNormalization.MinimumHistory"/> scores.</summary>
    internal double FallbackCenter => _fallbackCenter;

    /// <summary>Gets the spread used until the history holds <see cref="RunningScoreNormalization.MinimumHistory"/> scores.</summary>
    internal double FallbackSpread => _fallbackSpread;

    /// <summary>Gets the smallest spread a score is divided by.</summary>
    internal double Floor => _floor;

    /// <summary>Gets the strategy this was fitted from.</summary>
    public RunningScoreNormalization Strategy { get; }

    /// <inheritdoc />
    public string Name => Strategy.Name;

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>Gets the scores the history holds at the end of calibration, oldest first.</summary>
    public ReadOnlySpan<double> History => _history;

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<double> scores, Span<double> normalized)
    {
        Diagnostics.Guard.Length(normalized.Length, scores.Length, nameof(normalized), "one value per score");
        ScoreChecks.Finite(scores, nameof(scores));
        new State(this, CalibrationWindow()).Run(scores, normalized);
    }

    ScoreNormalizationState IStreamableScoreNormalization.CreateState() => new State(this, CalibrationWindow());

    /// <summary>Normalizes calibration scores from an empty history, as <see cref="RunningScoreNormalization.Fit"/> does.</summary>
    internal void Run(RunningWindow window, ReadOnlySpan<double> scores, Span<double> normalized) =>
        new State(this, window).Run(scores, normalized);

    /// <summary>A new history holding what calibration left in it.</summary>
    private RunningWindow CalibrationWindow()
    {
        var window = new RunningWindow(Strategy.History);
        foreach (double score in _history)
        {
            window.Add(score);
        }

        return window;
    }

    /// <summary>Normalizes <paramref name="score"/> against <paramref name="window"/>, then adds it to the window.</summary>
    private double Normalize(RunningWindow window, double score)
    {
        double center = _fallbackCenter, spread = _fallbackSpread;
        bool robust = Strategy.Kind == RunningScoreNormalization.Statistic.RobustZ;
        if (window.Count >= RunningScoreNormalization.MinimumHistory)
        {
            center = window.Quantile(0.5);
            spread = robust ? Spread(window.Quantile(0.25), window.Quantile(0.75)) : center;
        }

        window.Add(score);
        return robust
            ? (score - center) / Math.Max(spread, _floor)
            : score / Math.Max(spread, _floor);
    }

    private static double Spread(double lowerQuartile, double upperQuartile) =>
        (upperQuartile - lowerQuartile) / RunningScoreNormalization.NormalInterquartileRange;

    /// <summary>The history of one series and the fitted statistics it falls back on.</summary>
    private sealed class State : ScoreNormalizationState
    {
        private readonly FittedRunningScoreNormalization _fitted;
        private readonly RunningWindow _window;

        public State(FittedRunningScoreNormalization fitted, RunningWindow window)
        {
            _fitted = fitted;
            _window = window;
        }

        public override double Normalize(double score) => _fitted.Normalize(_window, score);

        public override void WriteState(FieldWriter writer) => _window.WriteState(writer);

        public override void ReadState(FieldReader reader) => _window.ReadState(reader);
    }
}
