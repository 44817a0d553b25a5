namespace GruAnomaly.Evaluation;

/// <summary>
/// The weights of <see cref="AnomalyMetrics.EarlyAlarm"/>: what an early detection earns, what a false alarm and a missed
/// window cost. The three presets are the application profiles of the Numenta Anomaly Benchmark (Lavin and Ahmad, 2015).
/// </summary>
/// <remarks>
/// Every weight must be finite and positive; setting one otherwise (also through <c>with</c>) throws
/// <see cref="ArgumentOutOfRangeException"/>, so a profile that exists is always valid.
/// </remarks>
public sealed record EarlyAlarmProfile
{
    /// <summary>Gets the standard profile: true positive weight 1, false positive weight 0.11, false negative weight 1.</summary>
    public static EarlyAlarmProfile Standard { get; } = new();

    /// <summary>Gets the profile for applications where false alarms are expensive: false positive weight 0.22, the others 1.</summary>
    public static EarlyAlarmProfile LowFalsePositives { get; } = new() { FalsePositiveWeight = 0.22 };

    /// <summary>Gets the profile for applications where a missed anomaly is expensive: false negative weight 2, false positive weight 0.11.</summary>
    public static EarlyAlarmProfile LowFalseNegatives { get; } = new() { FalseNegativeWeight = 2 };

    /// <summary>Gets the weight A_TP of a detection: the first alarm in a window earns A_TP·σ(y), at most A_TP·tanh(2.5) ≈ 0.987·A_TP.</summary>
    /// <value>The default value is 1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite and positive.</exception>
    public double TruePositiveWeight { get; init => field = Positive(value, nameof(TruePositiveWeight)); } = 1;

    /// <summary>Gets the weight A_FP of a false alarm: one costs up to A_FP, less the closer it follows a window.</summary>
    /// <value>The default value is 0.11.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite and positive.</exception>
    public double FalsePositiveWeight { get; init => field = Positive(value, nameof(FalsePositiveWeight)); } = 0.11;

    /// <summary>Gets the weight A_FN of a missed window: each window without an alarm costs A_FN.</summary>
    /// <value>The default value is 1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite and positive.</exception>
    public double FalseNegativeWeight { get; init => field = Positive(value, nameof(FalseNegativeWeight)); } = 1;

    private static double Positive(double value, string name)
    {
        // A zero or negative weight would turn a cost into a reward (or the normalisation into 0/0).
        if (!(double.IsFinite(value) && value > 0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and positive; got {value}.");
        }

        return value;
    }
}
