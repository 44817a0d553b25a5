using System.Globalization;
using GruAnomaly.Persistence;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Scoring;

/// <summary>
/// Normalizes each score against the median and interquartile range of the scores before it, over a bounded history.
/// Made by <see cref="ScoreNormalization.RobustZ"/> and <see cref="ScoreNormalization.RatioToMedian"/>.
/// </summary>
/// <remarks>
/// By default the history holds every score, anomalous or not: the median and quartiles move little while an anomaly is
/// shorter than a quarter of the history, and a lasting change of level is learned within about half of it. With
/// <see cref="ExcludeFlagged"/> it holds only the scores the threshold did not flag, so a long anomaly is not absorbed. Until the history holds
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

    internal RunningScoreNormalization(int history, Statistic statistic, bool excludeFlagged = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(history, MinimumHistory);
        History = history;
        Kind = statistic;
        ExcludeFlagged = excludeFlagged;
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

    /// <summary>
    /// Gets whether a score the threshold flags stays out of the history: each score is normalized against the history,
    /// the threshold judges it, and only then does it join the history, if it was not flagged. Calibration scores all
    /// join it (there is no threshold yet, and calibration data is mostly normal). A run of flags longer than
    /// half the history joins it nevertheless, so that a lasting change of level is learned in the end.
    /// </summary>
    /// <remarks>
    /// Used alone (<see cref="IFittedScoreNormalization.Apply"/>, without a detector), nothing is flagged and every score
    /// joins the history.
    /// </remarks>
    public bool ExcludeFlagged { get; }

    /// <summary>
    /// The longest run of flagged scores kept out of the history: half of it. Without a bound, a lasting change of level
    /// that the threshold flags from its first step would never enter the history, so the normalization would never
    /// learn it and every later step would stay flagged. Half the history is where a history that takes every score
    /// has adopted such a change (its median is then at the new level): a gated one keeps out any anomaly the ungated
    /// one would still have judged against the old level, and learns a lasting change at most that much later.
    /// </summary>
    internal int ExclusionLimit => History / 2;

    /// <inheritdoc />
    public string Name => ExcludeFlagged
        ? string.Create(CultureInfo.InvariantCulture, $"{Kind}(history={History}, excludeFlagged)")
        : string.Create(CultureInfo.InvariantCulture, $"{Kind}(history={History})");

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

    bool IStreamableScoreNormalization.FollowsDecisions => Strategy.ExcludeFlagged;

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

    /// <summary>Normalizes <paramref name="score"/> against <paramref name="window"/>, which it leaves as it is.</summary>
    private double Normalize(RunningWindow window, double score)
    {
        double center = _fallbackCenter, spread = _fallbackSpread;
        bool robust = Strategy.Kind == RunningScoreNormalization.Statistic.RobustZ;
        if (window.Count >= RunningScoreNormalization.MinimumHistory)
        {
            center = window.Quantile(0.5);
            spread = robust ? Spread(window.Quantile(0.25), window.Quantile(0.75)) : center;
        }

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
        private readonly bool _gated;
        private readonly int _limit;

        /// <summary>The last score normalized, waiting for the threshold's decision (gated only).</summary>
        private double _pending = double.NaN;

        /// <summary>How many scores in a row up to the last decision were flagged (gated only).</summary>
        private int _flaggedRun;

        public State(FittedRunningScoreNormalization fitted, RunningWindow window)
        {
            _fitted = fitted;
            _window = window;
            _gated = fitted.Strategy.ExcludeFlagged;
            _limit = fitted.Strategy.ExclusionLimit;
        }

        public override double Normalize(double score)
        {
            double normalized = _fitted.Normalize(_window, score);
            if (_gated)
            {
                _pending = score;
            }
            else
            {
                _window.Add(score);
            }

            return normalized;
        }

        public override void Decided(bool flagged)
        {
            if (!_gated)
            {
                return;
            }

            _flaggedRun = flagged ? _flaggedRun + 1 : 0;
            if (_flaggedRun == 0 || _flaggedRun > _limit)
            {
                _window.Add(_pending);
            }

            _pending = double.NaN;
        }

        public override void WriteState(FieldWriter writer)
        {
            _window.WriteState(writer);
            if (_gated)
            {
                writer.I32(_flaggedRun);
            }
        }

        public override void ReadState(FieldReader reader)
        {
            _window.ReadState(reader);
            if (_gated)
            {
                _flaggedRun = reader.I32("flagged run", 0, int.MaxValue);
            }
        }
    }
}
