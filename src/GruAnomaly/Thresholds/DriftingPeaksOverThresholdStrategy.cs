using System.Globalization;
using GruAnomaly.Diagnostics;
using GruAnomaly.Persistence;

namespace GruAnomaly.Thresholds;

/// <summary>
/// DSPOT (Siffer et al., KDD 2017, Algorithm 2): streaming SPOT on the drift-free residual
/// <c>Xᵢ − Mᵢ</c>, where <c>Mᵢ</c> is the mean of the last <see cref="Depth"/> normal scores. The threshold in force at
/// a step, in score units, is <c>Mᵢ + z_q</c>.
/// </summary>
/// <remarks>
/// During calibration every score counts as normal: the residuals are <c>Xᵢ − mean(X_{i−d}, …, X_{i−1})</c> for
/// <c>i ≥ d</c>, and the tail is fitted on them. During <c>Apply</c> alarms are neither added to the tail nor to the
/// moving window. Needs more than <see cref="Depth"/> calibration scores and at least
/// <see cref="PeaksOverThresholdTail.MinimumPeaks"/> residuals above the initial threshold, that is about
/// <c>Depth + 10/(1 − InitialQuantile)</c> scores.
/// </remarks>
public sealed class DriftingPeaksOverThresholdStrategy : IThresholdStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="depth">The number of recent normal scores averaged to estimate the drift; at least 1.</param>
    /// <param name="riskLevel">q; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of the initial threshold on the residuals; in (0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public DriftingPeaksOverThresholdStrategy(int depth, double riskLevel, double initialQuantile = 0.98)
        : this(depth, riskLevel, initialQuantile, deferChecks: false)
    {
    }

    internal DriftingPeaksOverThresholdStrategy(int depth, double riskLevel, double initialQuantile, bool deferChecks)
    {
        _problem = DeferredArguments.Check(deferChecks, "Threshold.DriftingPeaksOverThreshold", () =>
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
            PeaksOverThresholdStrategy.ValidateLevels(riskLevel, initialQuantile);
        });
        Depth = depth;
        RiskLevel = riskLevel;
        InitialQuantile = initialQuantile;
    }

    private readonly string? _problem;

    /// <summary>The number of recent normal scores in the moving average.</summary>
    public int Depth { get; }

    /// <summary>q, the probability that a normal residual exceeds the threshold.</summary>
    public double RiskLevel { get; }

    /// <summary>The quantile level of the initial threshold on the residuals.</summary>
    /// <value>The default value is 0.98.</value>
    public double InitialQuantile { get; }

    /// <inheritdoc/>
    public string Name => FittedDriftingPeaksOverThreshold.MakeName(Depth, RiskLevel, InitialQuantile);

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc/>
    /// <value><see cref="Depth"/> plus the fewest residuals with <see cref="PeaksOverThresholdTail.MinimumPeaks"/> above the initial quantile.</value>
    public int MinimumCalibrationScores => (int)Math.Min(int.MaxValue, (long)Depth + PeaksOverThresholdTail.MinimumScores(InitialQuantile));

    /// <inheritdoc/>
    public void Validate(ICollection<string> problems) => DeferredArguments.Report(_problem, problems);

    /// <inheritdoc/>
    public IFittedThreshold Fit(ReadOnlySpan<double> calibrationScores)
    {
        DeferredArguments.ThrowIfInvalid(_problem);
        ScoreChecks.Calibration(calibrationScores, Depth + PeaksOverThresholdTail.MinimumPeaks + 1, Name);
        double[] residuals = new double[calibrationScores.Length - Depth];
        double windowSum = 0;
        for (int i = 0; i < Depth; i++)
        {
            windowSum += calibrationScores[i];
        }

        for (int i = Depth; i < calibrationScores.Length; i++)
        {
            residuals[i - Depth] = calibrationScores[i] - (windowSum / Depth);
            windowSum += calibrationScores[i] - calibrationScores[i - Depth];
        }

        var residualDistribution = new EmpiricalDistribution(residuals);
        PeaksOverThresholdTail tail = PeaksOverThresholdTail.Fit(residualDistribution, InitialQuantile);
        return new FittedDriftingPeaksOverThreshold(
            Depth, RiskLevel, InitialQuantile, residualDistribution, tail, calibrationScores[^Depth..]);
    }
}

/// <summary>DSPOT fitted on calibration scores; <see cref="Apply"/> runs on a private copy of the state.</summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class FittedDriftingPeaksOverThreshold : IFittedThreshold, IStreamableThreshold
{
    private readonly double[] _recentNormalScores;

    /// <summary>Creates the fitted threshold from its state (for example, read back from storage).</summary>
    /// <param name="depth">The moving-average depth; at least 1.</param>
    /// <param name="riskLevel">q; in (0, 1 − initialQuantile).</param>
    /// <param name="initialQuantile">The level of t; in (0, 1).</param>
    /// <param name="residuals">The calibration residuals (score minus moving average).</param>
    /// <param name="tail">The tail fitted on <paramref name="residuals"/>.</param>
    /// <param name="recentNormalScores">The last <paramref name="depth"/> normal scores, oldest first; finite.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    /// <exception cref="ArgumentException">Lengths or counts do not match.</exception>
    public FittedDriftingPeaksOverThreshold(
        int depth,
        double riskLevel,
        double initialQuantile,
        EmpiricalDistribution residuals,
        PeaksOverThresholdTail tail,
        ReadOnlySpan<double> recentNormalScores)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        PeaksOverThresholdStrategy.ValidateLevels(riskLevel, initialQuantile);
        ArgumentNullException.ThrowIfNull(residuals);
        ArgumentNullException.ThrowIfNull(tail);
        FittedStreamingPeaksOverThreshold.CheckTailMatches(residuals, tail);
        if (recentNormalScores.Length != depth)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"recentNormalScores has {recentNormalScores.Length} values; expected {depth} (depth)."),
                nameof(recentNormalScores));
        }

        ScoreChecks.Finite(recentNormalScores, nameof(recentNormalScores));
        Depth = depth;
        RiskLevel = riskLevel;
        InitialQuantile = initialQuantile;
        Residuals = residuals;
        Tail = tail;
        _recentNormalScores = recentNormalScores.ToArray();
        double sum = 0;
        foreach (double score in _recentNormalScores)
        {
            sum += score;
        }

        MovingAverage = sum / depth;
        Value = MovingAverage + tail.ThresholdAt(riskLevel);
    }

    /// <inheritdoc/>
    public string Name => MakeName(Depth, RiskLevel, InitialQuantile);

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>The number of recent normal scores in the moving average.</summary>
    public int Depth { get; }

    /// <summary>q, the probability that a normal residual exceeds the threshold.</summary>
    public double RiskLevel { get; }

    /// <summary>The quantile level of the initial threshold on the residuals.</summary>
    public double InitialQuantile { get; }

    /// <summary>The calibration residuals, score minus the moving average of the previous <see cref="Depth"/> scores.</summary>
    public EmpiricalDistribution Residuals { get; }

    /// <summary>The tail fitted on the residuals.</summary>
    public PeaksOverThresholdTail Tail { get; }

    /// <summary>The last <see cref="Depth"/> calibration scores, oldest first.</summary>
    public ReadOnlySpan<double> RecentNormalScores => _recentNormalScores;

    /// <summary>The mean of <see cref="RecentNormalScores"/>, the drift estimate right after fitting.</summary>
    public double MovingAverage { get; }

    /// <inheritdoc/>
    public double Value { get; }

    /// <inheritdoc/>
    public void Apply(ReadOnlySpan<double> scores, Span<double> thresholds)
    {
        ScoreChecks.Apply(scores, thresholds);
        new State(this).Run(scores, thresholds);
    }

    ThresholdState IStreamableThreshold.CreateState() => new State(this);

    /// <summary>
    /// <c>P(S ≥ score)</c> for a score compared with the moving average right after fitting: the tail probability of
    /// the residual <c>score − <see cref="MovingAverage"/></c>.
    /// </summary>
    /// <param name="score">The score.</param>
    /// <returns>A probability in [0, 1].</returns>
    public double TailProbability(double score) => CalibratedTail.Probability(Residuals, Tail, score - MovingAverage);

    /// <inheritdoc/>
    public double Surprise(double score) => CalibratedTail.Surprise(Residuals, Tail, score - MovingAverage);

    internal static string MakeName(int depth, double riskLevel, double initialQuantile) =>
        string.Create(CultureInfo.InvariantCulture, $"DriftingPeaksOverThreshold(depth={depth}, {StrategyNames.Risk(riskLevel, initialQuantile)})");

    /// <summary>
    /// Streaming SPOT on the residuals of one series, and its window of the last <see cref="Depth"/> normal scores:
    /// the threshold in force is their mean plus the tail's z_q; an alarm joins neither the tail nor the window.
    /// </summary>
    private sealed class State : ThresholdState
    {
        private readonly StreamingTail _tail;
        private readonly double[] _window;
        private int _oldest;
        private double _sum;

        public State(FittedDriftingPeaksOverThreshold fitted)
        {
            _tail = new StreamingTail(fitted.Tail, fitted.Residuals, fitted.RiskLevel);
            _window = (double[])fitted._recentNormalScores.Clone();
            foreach (double score in _window)
            {
                _sum += score;
            }
        }

        public override double Threshold => Average + _tail.Threshold;

        private double Average => _sum / _window.Length;

        public override void WriteState(FieldWriter writer)
        {
            _tail.WriteState(writer);
            writer.Doubles(_window);
            writer.I32(_oldest);
            writer.F64(_sum);
        }

        public override void ReadState(FieldReader reader)
        {
            _tail.ReadState(reader);
            double[] window = reader.Doubles("recent normal scores", _window.Length, "the depth");
            _oldest = reader.I32("oldest recent score", 0, _window.Length - 1);
            _sum = reader.FiniteF64("sum of recent scores");
            window.CopyTo(_window, 0);
        }

        public override void Advance(double score)
        {
            if (!_tail.Observe(score - Average))
            {
                _sum += score - _window[_oldest];
                _window[_oldest] = score;
                _oldest = (_oldest + 1) % _window.Length;
            }
        }
    }
}
