using GruAnomaly.Data;
using GruAnomaly.Diagnostics;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// One-step forecast-error scoring with a carried state: the recurrent network reads a series once, from a zero state, and
/// after each point predicts the next one. Every point costs one step of each recurrent layer, in batch detection and in a
/// stream alike, where <see cref="ForecastScorer"/> reruns the network over a window of <c>window</c> points for every point.
/// The context is then everything before the point, not a window of it.
/// </summary>
/// <remarks>
/// <para>
/// <b>Training.</b> The network (a head on every step) is trained with truncated backpropagation through time on long
/// sequences cut from the training series: <see cref="WindowsPerSequence"/> windows each (fewer when a window is longer
/// than a quarter of <see cref="MaximumSequenceSteps"/>, never fewer than two, and fewer still when the series cannot give
/// the trainer a training and a validation sequence). The target of every step is the next point's observation. A target
/// that has fewer than <c>window</c> inputs of its own sequence before it is masked (the burn-in: the state has not yet
/// absorbed the context it has when a whole series is scored; the same points are the warm-up of
/// <see cref="IFittedScorer.Score"/>). Consecutive sequences overlap by their burn-in, so each training target is learned
/// once per epoch. The state is carried through the whole sequence in the forward pass; the gradient stops every
/// <see cref="TrainerOptions.TruncationSteps"/> steps, which is the window unless that option is set.
/// </para>
/// <para>
/// The detector's training stride (<see cref="ScorerFitContext.Stride"/>) is not used: the sequences already teach each
/// target once. <see cref="TrainerOptions.BatchSize"/> counts targets, as it does for the sliding window (one per window): a
/// mini-batch holds as many sequences as that many targets take, rounded up (one sequence with the defaults), so an
/// epoch makes about as many optimizer steps per target as the sliding window's. An epoch costs about
/// <c>L/(L − window + 1)</c> cell steps per training point for sequences of L steps (1.33 at four windows) against
/// <c>window / stride</c> for the sliding window, though at small batches, whose matrix products run slower per row.
/// </para>
/// <para>
/// With a likelihood loss (two predictions per value, such as <see cref="Loss.GaussianNll"/>, the detector's default) the
/// error of a point is the loss of its observation; with a point loss it is observed − expected.
/// </para>
/// <para>
/// The fitted scorer cannot be fine-tuned online (<see cref="IAnomalyScorer.IsAdaptable"/> is false): online adaptation scores a series
/// in chunks that each start <see cref="IAdaptableScorer.Lookback"/> points before their first point, and a carried state
/// has no finite lookback that reproduces the whole series' scores.
/// </para>
/// </remarks>
public sealed class CarriedStateForecastScorer : IAnomalyScorer
{
    /// <summary>The longest training sequence, in steps, unless two windows are longer.</summary>
    public const int MaximumSequenceSteps = 1024;

    /// <summary>Creates the scorer.</summary>
    /// <param name="windowsPerSequence">Length of a training sequence in windows (the first window is its burn-in); positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="windowsPerSequence"/> is not positive.</exception>
    public CarriedStateForecastScorer(int windowsPerSequence = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowsPerSequence);
        WindowsPerSequence = windowsPerSequence;
    }

    /// <summary>
    /// Gets the length of a training sequence in windows: the first window is the burn-in, so a sequence of k windows learns
    /// from (k − 1)·window + 1 targets. 1 trains on one target per window, as the sliding window does.
    /// </summary>
    /// <value>The default value is 4.</value>
    public int WindowsPerSequence { get; }

    /// <inheritdoc />
    public string Name => "carried-state forecast";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public int MinimumLength(int window) => window + 1;

    /// <inheritdoc />
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(context.Trainer);
        ArgumentNullException.ThrowIfNull(context.Model);
        ArgumentNullException.ThrowIfNull(context.Logger);
        int features = context.Features, window = context.Window;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ReadOnlySpan<float> inputs = context.Inputs.Span;
        if (inputs.Length % features != 0)
        {
            throw new ArgumentException($"The inputs hold {inputs.Length} values, not a whole number of time steps of {features} features.", nameof(context));
        }

        Guard.Length(context.Observed.Length, inputs.Length, "context.Observed", "one per input value");
        int length = inputs.Length / features;
        TrainerOptions trainer = context.Trainer.TruncationSteps > 0 ? context.Trainer : context.Trainer with { TruncationSteps = window };
        int steps = SequenceSteps(length, window, WindowsPerSequence, trainer.ValidationFraction);
        if (steps == 0)
        {
            int minimum = window + MinimumSequences(trainer.ValidationFraction);
            throw new ArgumentException(
                $"The series has {length} time steps; the {Name} with window {window} needs at least {minimum} to cut a training " +
                $"and a validation sequence (validation fraction {trainer.ValidationFraction}).", nameof(context));
        }

        ILoss loss = trainer.Loss;
        IReadOnlyList<IRecurrentCell> layers = context.Model.CreateLayers(features);
        var head = new DenseHead(layers[^1].HiddenSize, features * loss.PredictionsPerTarget);
        var network = new RecurrentNetwork(layers, head, HeadPlacement.EveryStep, context.MatrixProvider);
        var data = new CarriedSequences(inputs, context.Observed.Span, features, window, steps);
        trainer = trainer with { BatchSize = SequencesPerBatch(trainer.BatchSize, data.Stride) };
        context.Logger.CarriedStateSequences(data.Count, steps, window, data.Stride, trainer.TruncationSteps, trainer.BatchSize);
        TrainingResult result = ScorerTraining.Train(network, network.CreateParameters(trainer.Seed), data, data.StartOf, length, steps + 1,
            trainer, context.Logger, progress, cancellationToken, out int heldOutFrom);
        return new FittedCarriedStateForecastScorer(network, result.Parameters.ToArray(), loss, features, window, steps, trainer.TruncationSteps,
            heldOutFrom, result.History);
    }

    /// <summary>
    /// The length of the training sequences for a series: <paramref name="windowsPerSequence"/> windows, fewer when that
    /// exceeds <see cref="MaximumSequenceSteps"/> (but not fewer than two), shortened so that the series gives at least the
    /// sequences the validation split needs; 0 when even sequences of one window (one target each) are too many.
    /// </summary>
    internal static int SequenceSteps(int length, int window, int windowsPerSequence, double validationFraction)
    {
        int multiple = Math.Max(Math.Min(windowsPerSequence, MaximumSequenceSteps / window), Math.Min(windowsPerSequence, 2));
        long wanted = (long)window * multiple;
        int sequences = MinimumSequences(validationFraction);

        // c sequences of L steps, each starting L − window + 1 after the last, need L + 1 + (c − 1)(L − window + 1) points.
        long fits = (length - 1 + ((long)(sequences - 1) * (window - 1))) / sequences;
        long steps = Math.Min(wanted, fits);
        return steps >= window ? (int)steps : 0;
    }

    /// <summary>
    /// The sequences per mini-batch: enough for <paramref name="batchSize"/> targets, the size of a sliding-window
    /// mini-batch, so that an epoch makes as many optimizer steps per target (a sequence teaches <paramref name="targetsPerSequence"/>).
    /// </summary>
    internal static int SequencesPerBatch(int batchSize, int targetsPerSequence) =>
        (batchSize + targetsPerSequence - 1) / targetsPerSequence;

    /// <summary>The fewest sequences that leave the trainer one training sequence besides its validation split.</summary>
    internal static int MinimumSequences(double validationFraction)
    {
        int count = 1;
        while (count - ValidationSplit.Count(count, validationFraction) < 1)
        {
            count++;
        }

        return count;
    }
}
