using GruAnomaly.Diagnostics;

namespace GruAnomaly.Training.Schedules;

/// <summary>
/// Reduces the learning rate when the monitored loss stops improving, like PyTorch's <c>ReduceLROnPlateau</c> in
/// mode <c>'min'</c> with relative threshold.
/// </summary>
/// <remarks>
/// After each epoch: the loss is an improvement if it is below <c>best·(1 − threshold)</c>, which resets the count
/// of bad epochs, otherwise the count grows; during a cool-down the count is held at 0. When the count exceeds
/// <see cref="Patience"/>, the rate becomes <c>max(rate·factor, minimum)</c> (changes smaller than 1e-8 are
/// ignored), the cool-down starts and the count resets. A NaN loss counts as a bad epoch.
/// </remarks>
public sealed class ReduceOnPlateauSchedule : ILearningRateSchedule
{
    // PyTorch skips reductions smaller than this, so the rate stops changing once it sits at the minimum.
    private const double NegligibleChange = 1e-8;

    private readonly double _factor;
    private readonly double _threshold;
    private readonly double _minimumLearningRate;

    /// <summary>Creates a reduce-on-plateau schedule.</summary>
    /// <param name="factor">The factor applied at each reduction; in (0, 1).</param>
    /// <param name="patience">The number of bad epochs tolerated before a reduction; non-negative.</param>
    /// <param name="threshold">The relative improvement that counts; in [0, 1).</param>
    /// <param name="cooldown">The number of epochs after a reduction during which bad epochs are not counted; non-negative.</param>
    /// <param name="minimumLearningRate">The rate below which no reduction goes; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An argument is out of range; the message lists every problem and <see cref="ArgumentException.ParamName"/> names the first.
    /// </exception>
    public ReduceOnPlateauSchedule(float factor = 0.1f, int patience = 10, float threshold = 1e-4f, int cooldown = 0, float minimumLearningRate = 0f)
    {
        ArgumentProblems problems = new();
        if (!(factor > 0f && factor < 1f))
        {
            problems.Add(nameof(factor), factor, $"factor must be in (0, 1); got {factor}.");
        }

        if (patience < 0)
        {
            problems.Add(nameof(patience), patience, $"patience must be non-negative; got {patience}.");
        }

        if (!(threshold >= 0f && threshold < 1f))
        {
            problems.Add(nameof(threshold), threshold, $"threshold must be in [0, 1); got {threshold}.");
        }

        if (cooldown < 0)
        {
            problems.Add(nameof(cooldown), cooldown, $"cooldown must be non-negative; got {cooldown}.");
        }

        if (!ScheduleArguments.IsFiniteNonNegative(minimumLearningRate))
        {
            problems.Add(nameof(minimumLearningRate), minimumLearningRate, $"minimumLearningRate must be finite and non-negative; got {minimumLearningRate}.");
        }

        problems.ThrowIfAny();
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        Cooldown = cooldown;
        MinimumLearningRate = minimumLearningRate;
        _factor = ShortestDecimal.ToDouble(factor);
        _threshold = ShortestDecimal.ToDouble(threshold);
        _minimumLearningRate = ShortestDecimal.ToDouble(minimumLearningRate);
    }

    /// <summary>The factor applied at each reduction.</summary>
    /// <value>The default value is 0.1.</value>
    public float Factor { get; }

    /// <summary>The number of bad epochs tolerated before a reduction.</summary>
    /// <value>The default value is 10.</value>
    public int Patience { get; }

    /// <summary>The relative improvement that counts: a loss must fall below <c>best·(1 − threshold)</c>.</summary>
    /// <value>The default value is 1e-4.</value>
    public float Threshold { get; }

    /// <summary>The number of epochs after a reduction during which bad epochs are not counted.</summary>
    /// <value>The default value is 0.</value>
    public int Cooldown { get; }

    /// <summary>The rate below which no reduction goes.</summary>
    /// <value>The default value is 0.</value>
    public float MinimumLearningRate { get; }

    /// <inheritdoc/>
    public ILearningRateScheduler Start(float initialLearningRate)
    {
        ScheduleArguments.ValidateInitialLearningRate(initialLearningRate);
        return new Scheduler(this, ShortestDecimal.ToDouble(initialLearningRate));
    }

    private sealed class Scheduler(ReduceOnPlateauSchedule schedule, double initialLearningRate) : ILearningRateScheduler
    {
        private double _learningRate = initialLearningRate;
        private double _best = double.PositiveInfinity;
        private int _completedEpochs;
        private int _badEpochs;
        private int _cooldownRemaining;

        public float LearningRate => (float)_learningRate;

        public void OnEpochEnd(int completedEpochs, double monitoredLoss)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(completedEpochs);
            _completedEpochs = completedEpochs;

            if (monitoredLoss < _best * (1 - schedule._threshold))
            {
                _best = monitoredLoss;
                _badEpochs = 0;
            }
            else
            {
                _badEpochs++;
            }

            if (_cooldownRemaining > 0)
            {
                _cooldownRemaining--;
                _badEpochs = 0;
            }

            if (_badEpochs > schedule.Patience)
            {
                double reduced = Math.Max(_learningRate * schedule._factor, schedule._minimumLearningRate);
                if (_learningRate - reduced > NegligibleChange)
                {
                    _learningRate = reduced;
                }

                _cooldownRemaining = schedule.Cooldown;
                _badEpochs = 0;
            }
        }

        public SchedulerSnapshot Snapshot()
        {
            return new SchedulerSnapshot(_completedEpochs, _learningRate)
            {
                BestMonitoredLoss = _best,
                BadEpochs = _badEpochs,
                CooldownRemaining = _cooldownRemaining,
            };
        }

        public void Restore(SchedulerSnapshot snapshot)
        {
            ArgumentNullException.ThrowIfNull(snapshot);
            snapshot.Validate();
            _completedEpochs = snapshot.CompletedEpochs;
            _learningRate = snapshot.LearningRate;
            _best = snapshot.BestMonitoredLoss;
            _badEpochs = snapshot.BadEpochs;
            _cooldownRemaining = snapshot.CooldownRemaining;
        }
    }
}