using GruAnomaly.Losses;
using GruAnomaly.Training.Optimizers;
using GruAnomaly.Training.Schedules;

namespace GruAnomaly.Training;

/// <summary>What the trainer does when a loss or gradient is NaN or infinite.</summary>
public enum NonFiniteBehavior
{
    /// <summary>Stop with a <see cref="NotFiniteNumberException"/>; the weights stay at the last good step.</summary>
    Throw = 0,

    /// <summary>Skip the mini-batch (no update), log a warning and count it in the history.</summary>
    SkipBatch = 1,
}

/// <summary>Settings of a <see cref="Trainer"/>. Validated, with every problem listed, when the trainer is created.</summary>
public sealed record TrainerOptions
{
    /// <summary>Maximum number of passes over the training examples.</summary>
    /// <value>The default value is 50.</value>
    public int Epochs { get; init; } = 50;

    /// <summary>Examples per mini-batch (the last batch of an epoch may be smaller).</summary>
    /// <value>The default value is 32.</value>
    public int BatchSize { get; init; } = 32;

    /// <summary>Initial learning rate, handed to the schedule.</summary>
    /// <value>The default value is 0.001.</value>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>The update rule.</summary>
    /// <value>The default value is <see cref="Adam"/> with PyTorch's defaults.</value>
    public IOptimizer Optimizer { get; init; } = new Adam();

    /// <summary>How the learning rate changes from epoch to epoch.</summary>
    /// <value>The default value is a constant rate.</value>
    public ILearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>The loss to minimize.</summary>
    /// <value>The default value is mean squared error.</value>
    public ILoss Loss { get; init; } = Losses.Loss.Mse;

    /// <summary>Fraction of the examples, taken from the end (the latest in time), held out for validation.</summary>
    /// <value>The default value is 0.2; 0 trains on everything and disables early stopping.</value>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Stop after this many epochs without improvement of the validation loss; 0 never stops early.</summary>
    /// <value>The default value is 0.</value>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>Smallest decrease of the validation loss that counts as an improvement.</summary>
    /// <value>The default value is 0.</value>
    public double EarlyStoppingMinDelta { get; init; }

    /// <summary>Whether the result holds the weights of the best validation epoch rather than the last.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Truncated backpropagation chunk length; 0 backpropagates through the whole window.</summary>
    /// <value>The default value is 0.</value>
    public int TruncationSteps { get; init; }

    /// <summary>Largest global gradient norm; larger gradients are scaled down. Null disables clipping.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public float? GradientClipNorm { get; init; }

    /// <summary>Whether training examples are shuffled each epoch (seeded); validation is never shuffled.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffling (and, in a detector, of the initial weights).</summary>
    /// <remarks>
    /// What is promised: with the same seed, data, options and initial weights, on the same machine and SIMD level, training
    /// gives bit-identical weights, run after run and process after process, and whatever <see cref="MaxDegreeOfParallelism"/>
    /// (the cut of a batch into shards and the order in which their gradients are added depend on the batch size alone, and
    /// training has no other source of randomness). What is not: bit-identical weights across SIMD levels (AVX-512, AVX2, 128-bit, scalar, for
    /// example with <c>DOTNET_EnableAVX2=0</c>) or processor families, since fused multiply-adds and the summation order of
    /// wider vectors round differently; there the weights agree to about 1e-6 after a short training (the tests hold them
    /// within 1e-5 after 3 epochs), and the difference grows with the length of training. Nor across matrix providers
    /// (managed, MathNet, native BLAS).
    /// </remarks>
    /// <value>The default value is 0.</value>
    public int Seed { get; init; }

    /// <summary>
    /// The most threads one mini-batch step uses, the calling thread included; -1 (the .NET convention) for one per
    /// processor. It changes how fast training runs, never the weights.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every mini-batch is cut into shards of consecutive examples by its size alone: ⌊batch size / 16⌋ shards, at least
    /// 1 and at most 16, whose sizes differ by at most one. Each shard runs its forward and backward pass into buffers of
    /// its own, kept for the whole fit; the loss is evaluated once over the outputs of the whole batch (so its mean over the
    /// observed targets, and the missing targets it ignores, are those of an uncut batch); and the shards' gradients are
    /// added in shard order. 1, 2 or 16 threads therefore compute the same shards the same way and give bit-identical
    /// weights.
    /// </para>
    /// <para>
    /// The rule for threads: a step uses min(this option, shards) threads, and only one when a shard's pass is too small
    /// to gain from another thread (steps × examples per shard × parameter count below 2²², about 4 million multiply-adds).
    /// So batches under 32 examples always train on the calling thread.
    /// </para>
    /// <para>Not saved with a detector: a loaded detector's trainer options carry the default.</para>
    /// </remarks>
    /// <value>The default value is -1: one thread per processor, for batches large enough to gain.</value>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>What to do with a NaN or infinite loss or gradient.</summary>
    /// <value>The default value is <see cref="NonFiniteBehavior.Throw"/>.</value>
    public NonFiniteBehavior NonFiniteBehavior { get; init; } = NonFiniteBehavior.Throw;

    internal void Validate()
    {
        var errors = new List<string>();
        Validate(errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid trainer options: " + string.Join(" ", errors));
        }
    }

    /// <summary>Adds one message per invalid option, so a builder can report them with its own.</summary>
    internal void Validate(List<string> errors)
    {
        if (Epochs <= 0) errors.Add($"Epochs must be positive; got {Epochs}.");
        if (BatchSize <= 0) errors.Add($"BatchSize must be positive; got {BatchSize}.");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) errors.Add($"LearningRate must be positive and finite; got {LearningRate}.");
        if (Optimizer is null) errors.Add("Optimizer must not be null.");
        if (Schedule is null) errors.Add("Schedule must not be null.");
        if (Loss is null) errors.Add("Loss must not be null.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) errors.Add($"ValidationFraction must be in [0, 1); got {ValidationFraction}.");
        if (EarlyStoppingPatience < 0) errors.Add($"EarlyStoppingPatience must be 0 (off) or positive; got {EarlyStoppingPatience}.");
        if (EarlyStoppingPatience > 0 && ValidationFraction == 0) errors.Add("EarlyStoppingPatience needs a validation split (ValidationFraction > 0).");
        if (!(EarlyStoppingMinDelta >= 0)) errors.Add($"EarlyStoppingMinDelta must be 0 or positive; got {EarlyStoppingMinDelta}.");
        if (TruncationSteps < 0) errors.Add($"TruncationSteps must be 0 (full) or positive; got {TruncationSteps}.");
        if (GradientClipNorm is float clip && !(clip > 0 && float.IsFinite(clip))) errors.Add($"GradientClipNorm must be positive and finite; got {clip}.");
        if (MaxDegreeOfParallelism is 0 or < -1) errors.Add($"MaxDegreeOfParallelism must be positive, or -1 for one thread per processor; got {MaxDegreeOfParallelism}.");
        if (!Enum.IsDefined(NonFiniteBehavior)) errors.Add($"NonFiniteBehavior {NonFiniteBehavior} is not defined.");
    }
}
