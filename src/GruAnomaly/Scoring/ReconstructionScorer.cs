using GruAnomaly.Data;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// Reconstruction-error scoring (EncDec-AD, Malhotra et al. 2016): a GRU encoder reads a window, a GRU decoder started
/// from the encoder's final states reconstructs it in reverse; the error of a point is observed − reconstructed. A
/// series is scored in consecutive windows (the last one aligned to the end), so every point is scored and there is no
/// warm-up. Needs a point loss (one prediction per value).
/// </summary>
public sealed class ReconstructionScorer : IAnomalyScorer
{
    /// <summary>Creates the scorer.</summary>
    /// <param name="decoderInput">
    /// What the decoder reads when scoring: the true previous value (teacher forcing, as in training) or its own previous
    /// reconstruction (autoregressive, as EncDec-AD scores). The default is teacher forcing.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">The decoder input is not defined.</exception>
    public ReconstructionScorer(DecoderInput decoderInput = DecoderInput.TeacherForcing)
    {
        if (!Enum.IsDefined(decoderInput))
        {
            throw new ArgumentOutOfRangeException(nameof(decoderInput), decoderInput, "Expected TeacherForcing or Autoregressive.");
        }

        DecoderInput = decoderInput;
    }

    /// <summary>Gets what the decoder reads when scoring.</summary>
    public DecoderInput DecoderInput { get; }

    /// <inheritdoc />
    public string Name => DecoderInput == DecoderInput.TeacherForcing ? "reconstruction" : "reconstruction(autoregressive)";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public int MinimumLength(int window) => window;

    /// <inheritdoc />
    /// <value>Always <see langword="true"/>: <see cref="FittedReconstructionScorer"/> can be fine-tuned.</value>
    public bool IsAdaptable => true;

    /// <inheritdoc />
    public void Validate(TrainerOptions trainer, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(problems);
        if (trainer.Loss is { PredictionsPerTarget: not 1 } loss)
        {
            problems.Add($"The reconstruction scorer needs a point loss (one prediction per value); {loss.Name} needs {loss.PredictionsPerTarget}.");
        }
    }

    /// <inheritdoc />
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ILoss loss = context.Trainer.Loss;
        if (loss.PredictionsPerTarget != 1)
        {
            throw new ArgumentException(
                $"The reconstruction scorer needs a point loss (one prediction per value); {loss.Name} needs {loss.PredictionsPerTarget}.", nameof(context));
        }

        int features = context.Features, window = context.Window;
        IReadOnlyList<IRecurrentCell> encoderLayers = context.Model.CreateLayers(features);
        IReadOnlyList<IRecurrentCell> decoderLayers = context.Model.CreateLayers(features);
        var network = new EncoderDecoderNetwork(
            new RecurrentNetwork(encoderLayers, matrixProvider: context.MatrixProvider),
            new RecurrentNetwork(decoderLayers, new DenseHead(decoderLayers[^1].HiddenSize, features), HeadPlacement.EveryStep, context.MatrixProvider));
        var data = new ReconstructionWindows(context.Observed.Span, features, window, context.Stride);
        TrainingResult result = ScorerTraining.Train(network, data, data.StartOf, data.Length, window, context, progress, cancellationToken, out int heldOutFrom);
        return new FittedReconstructionScorer(network, result.Parameters.ToArray(), DecoderInput, features, window, heldOutFrom, result.History);
    }
}

/// <summary>A trained <see cref="ReconstructionScorer"/>.</summary>
internal sealed class FittedReconstructionScorer : IAdaptableScorer
{
    private const int WindowsPerBatch = 64;
    private readonly float[] _parameters;

    internal FittedReconstructionScorer(EncoderDecoderNetwork network, float[] parameters, DecoderInput decoderInput, int features, int window,
        int heldOutFrom, TrainingHistory? history)
    {
        Network = network;
        _parameters = parameters;
        DecoderInput = decoderInput;
        Features = features;
        Window = window;
        HeldOutFrom = heldOutFrom;
        History = history;
    }

    /// <summary>Gets the encoder–decoder.</summary>
    public EncoderDecoderNetwork Network { get; }

    /// <summary>Gets the trained weights.</summary>
    public ReadOnlySpan<float> Parameters => _parameters;

    /// <summary>Gets what the decoder reads when scoring.</summary>
    public DecoderInput DecoderInput { get; }

    /// <inheritdoc />
    public string Name => DecoderInput == DecoderInput.TeacherForcing ? "reconstruction" : "reconstruction(autoregressive)";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public int Features { get; }

    /// <inheritdoc />
    public int Window { get; }

    /// <inheritdoc />
    public bool ErrorsAreSigned => true;

    /// <inheritdoc />
    public int WarmUp => 0;

    /// <inheritdoc />
    public int HeldOutFrom { get; }

    /// <inheritdoc />
    public TrainingHistory? History { get; }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        int length = ScoringArguments.Validate(inputs, observed, expected, errors, Features, Window);
        int windows = (length + Window - 1) / Window;
        var sums = new float[inputs.Length];
        var counts = new int[length];
        EncoderDecoderWorkspace workspace = Network.CreateWorkspace();
        int capacity = Math.Min(WindowsPerBatch, windows);
        var batch = new float[Window * capacity * Features];
        for (int first = 0; first < windows; first += capacity)
        {
            int size = Math.Min(capacity, windows - first);
            for (int slot = 0; slot < size; slot++)
            {
                TimeMajorBatch.WriteWindow(inputs, Features, StartOf(first + slot, length), Window, batch, size, slot);
            }

            Network.Infer(_parameters, batch.AsSpan(0, Window * size * Features), Window, size, workspace, DecoderInput);
            ReadOnlySpan<float> outputs = workspace.Outputs;
            for (int slot = 0; slot < size; slot++)
            {
                int start = StartOf(first + slot, length);
                for (int t = 0; t < Window; t++)
                {
                    counts[start + t]++;
                    for (int f = 0; f < Features; f++)
                    {
                        sums[((start + t) * Features) + f] += outputs[(((t * size) + slot) * Features) + f];
                    }
                }
            }
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            float mean = sums[i] / counts[i / Features];
            expected[i] = mean;
            errors[i] = observed[i] - mean;
        }
    }

    /// <inheritdoc />
    /// <value>Always 0: a slice is tiled from its own first point, so a chunk scored alone needs no earlier step.</value>
    public int Lookback => 0;

    /// <inheritdoc />
    /// <remarks>The trainer options' loss must be a point loss, as for the first fit.</remarks>
    public IAdaptableScorer Adapt(ScorerAdaptationContext context)
    {
        float[]? targets = ScorerTraining.AdaptationTargets(context, Features, firstTarget: 0, out int length);
        if (targets is null || length < Window)
        {
            return this;
        }

        var data = ReconstructionWindows.WithTargets(context.Inputs.Span, targets, Features, Window, context.Stride);
        TrainingResult result = ScorerTraining.Train(Network, _parameters, data, data.StartOf, data.Length, Window, context.Trainer,
            context.Logger, progress: null, CancellationToken.None, out int heldOutFrom);
        return new FittedReconstructionScorer(Network, result.Parameters.ToArray(), DecoderInput, Features, Window, heldOutFrom, result.History);
    }

    /// <inheritdoc />
    /// <remarks>Where the last window overlaps the one before it, a point is covered by both: up to 2·Window − 1 steps.</remarks>
    public int MaximumSaliencySteps => (2 * Window) - 1;

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">
    /// The scorer decodes autoregressively: its scores come from the fed-back decoder, which the recorded (teacher-forced)
    /// training pass cannot differentiate.
    /// </exception>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps)
    {
        if (DecoderInput != DecoderInput.TeacherForcing)
        {
            throw new NotSupportedException(
                "Saliency needs the teacher-forced reconstruction scorer; autoregressive scores are not differentiated here.");
        }

        int length = ScoringArguments.ValidateSaliency(inputs, observed, Features, Window, time, WarmUp, errorGradient, inputGradient, MaximumSaliencySteps);

        // Every window of the scoring tiling that contains `time` adds its share (1/count) of the mean reconstruction.
        int[] covering = [.. Enumerable.Range(0, (length + Window - 1) / Window).Select(w => StartOf(w, length))
            .Where(start => time >= start && time < start + Window).Distinct()];
        int first = covering.Min(), count = covering.Length;
        steps = covering.Max() + Window - first;
        inputGradient.Clear();
        EncoderDecoderWorkspace workspace = Network.CreateWorkspace();
        var window = new float[Window * Features];
        var outputGradient = new float[Window * Features];
        var windowGradient = new float[Window * Features];
        var parameterGradients = new float[_parameters.Length];
        ReadOnlySpan<float> target = observed.Slice(time * Features, Features);
        foreach (int start in covering)
        {
            inputs.Slice(start * Features, Window * Features).CopyTo(window);
            Network.Forward(_parameters, window, Window, 1, workspace);
            Array.Clear(outputGradient);
            for (int f = 0; f < Features; f++)
            {
                // error = observed − mean reconstruction: −1/count through this window's reconstruction.
                outputGradient[((time - start) * Features) + f] = float.IsNaN(target[f]) ? 0f : -errorGradient[f] / count;
            }

            Array.Clear(windowGradient);
            Network.Backward(_parameters, workspace, outputGradient, parameterGradients, windowGradient);
            Span<float> rows = inputGradient.Slice((start - first) * Features, Window * Features);
            System.Numerics.Tensors.TensorPrimitives.Add(rows, windowGradient, rows);
        }

        for (int f = 0; f < Features; f++)
        {
            // The observation itself is also an input of its own error.
            inputGradient[((time - first) * Features) + f] += float.IsNaN(target[f]) ? 0f : errorGradient[f];
        }

        return first;
    }

    private int StartOf(int windowIndex, int length) => Math.Min(windowIndex * Window, length - Window);
}
