using GruAnomaly.Data;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// Forecast-error scoring: a recurrent network reads <c>window</c> points and predicts the next
/// <see cref="Horizon"/> points; the error of a point is observed − expected, where the expected value is the mean of
/// every prediction made for that point (one per horizon step). With a likelihood loss (two predictions per value,
/// such as <see cref="Loss.GaussianNll"/>) the error is instead the loss of the observation, for example its negative
/// log-likelihood.
/// </summary>
/// <remarks>
/// <para>
/// <b>Sliding window, always.</b> Every point is judged by the network run afresh, from a zero state, over exactly the
/// <c>window</c> points before it, in batch detection and in a stream alike. Carrying the state through the series
/// instead (one step per point, as <see cref="CarriedStateForecastScorer"/> does, several times faster) is not an
/// option of this scorer: its network was trained only on windows read from a zero state, and a state that has read the
/// whole series before the window is an input it never saw in training, so its forecasts would change in ways nothing
/// bounds. The two agree only where the carried state has read nothing but the window: at the first scored point
/// (<c>window</c>), up to the order of the sums. Where a carried state is wanted, choose
/// <see cref="Scorer.CarriedStateForecast"/>, whose network is trained with the state carried through long sequences
/// and whose batch and stream give the same values.
/// </para>
/// </remarks>
public sealed class ForecastScorer : IAnomalyScorer
{
    /// <summary>Creates the scorer, optionally with attention pooling over the window's steps.</summary>
    /// <param name="horizon">Points predicted per window; positive.</param>
    /// <param name="attention">
    /// 0 for a head that reads the last step's top state; a positive size A for a head that reads the attention-pooled
    /// context of every step's top state (<see cref="AttentionPooling"/>, A units scoring each step).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public ForecastScorer(int horizon = 1, int attention = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        if (attention is < 0 or > MaximumAttention)
        {
            throw new ArgumentOutOfRangeException(nameof(attention), attention,
                $"The attention size must be 0 (no attention: the head reads the last step) or the width of the layer that scores each step, 1 to {MaximumAttention}.");
        }

        Horizon = horizon;
        Attention = attention;
    }

    /// <summary>The largest attention size (the widest layer a saved detector may hold).</summary>
    public const int MaximumAttention = Persistence.Limits.LayerWidth;

    /// <summary>Gets the number of points predicted from each window.</summary>
    /// <value>The default value is 1.</value>
    public int Horizon { get; }

    /// <summary>Gets the width of the attention pooling's scoring layer, or 0 when the head reads the last step only.</summary>
    /// <value>The default value is 0.</value>
    public int Attention { get; }

    /// <inheritdoc />
    public string Name => FittedForecastScorer.NameOf(Horizon, Attention);

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public int MinimumLength(int window) => window + 1;

    /// <inheritdoc />
    /// <value>Always <see langword="true"/>: <see cref="FittedForecastScorer"/> can be fine-tuned.</value>
    public bool IsAdaptable => true;

    /// <inheritdoc />
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        int features = context.Features, window = context.Window;
        ILoss loss = context.Trainer.Loss;
        IReadOnlyList<IRecurrentCell> layers;
        WindowedSeries data;
        if (context.Model is GruDModelFactory grud)
        {
            // GRU-D reads [x | m | δ | x_last]: built once for the whole series, so x_last and δ carry across windows.
            TimeSpan? unit = GapEncoding.UnitOf(context.Timestamps);
            layers = grud.CreateLayers(features, GapEncoding.Means(context.Observed.Span, features), unit);
            var encoding = new GapEncoding(features, unit);
            float[] encoded = encoding.Encode(context.Inputs.Span, context.Observed.Span, context.Timestamps);
            data = WindowedSeries.Encoded(encoded, encoding.Width, context.Observed.Span, features, window, Horizon, context.Stride);
        }
        else
        {
            layers = context.Model.CreateLayers(features);
            data = new WindowedSeries(context.Observed.Span, features, window, Horizon, context.Stride);
        }

        var head = new DenseHead(layers[^1].HiddenSize, Horizon * features * loss.PredictionsPerTarget);
        RecurrentNetwork network = Attention > 0
            ? new RecurrentNetwork(layers, head, new AttentionPooling(layers[^1].HiddenSize, Attention), context.MatrixProvider)
            : new RecurrentNetwork(layers, head, HeadPlacement.LastStep, context.MatrixProvider);
        TrainingResult result = ScorerTraining.Train(network, data, data.StartOf, data.Length, window + Horizon, context, progress, cancellationToken, out int heldOutFrom);
        return new FittedForecastScorer(network, result.Parameters.ToArray(), loss, features, window, Horizon, heldOutFrom, result.History);
    }
}

/// <summary>A trained <see cref="ForecastScorer"/>.</summary>
internal sealed class FittedForecastScorer : IAdaptableScorer, IStreamableScorer, ITimedScorer
{
    private const int WindowsPerBatch = 128;
    private readonly float[] _parameters;
    private readonly ILoss _loss;

    internal FittedForecastScorer(RecurrentNetwork network, float[] parameters, ILoss loss, int features, int window, int horizon,
        int heldOutFrom, TrainingHistory? history)
    {
        Network = network;
        _parameters = parameters;
        _loss = loss;
        Features = features;
        Window = window;
        Horizon = horizon;
        HeldOutFrom = heldOutFrom;
        History = history;
        TrainedNetwork = new TrainedNetwork(network, parameters);
        Encoding = GapEncoding.Of(network);
    }

    /// <summary>Gets how a GRU-D network's input rows are built from the series, or null when the network reads the inputs as they are.</summary>
    internal GapEncoding? Encoding { get; }

    /// <summary>Gets the width of a row the network reads: the features, or the GRU-D encoding's 4·features.</summary>
    internal int InputWidth => Network.InputSize;

    /// <summary>Gets the forecasting network (recurrent layers and a dense head on the last step).</summary>
    public RecurrentNetwork Network { get; }

    /// <inheritdoc />
    /// <value>The forecasting network and its trained weights (never null).</value>
    public TrainedNetwork TrainedNetwork { get; }

    /// <summary>Gets the trained weights (a copy is never needed: they are never written).</summary>
    public ReadOnlySpan<float> Parameters => _parameters;

    /// <summary>Gets the loss the network was trained with.</summary>
    public ILoss Loss => _loss;

    /// <summary>Gets the number of points predicted per window.</summary>
    public int Horizon { get; }

    /// <summary>Gets the width of the network's attention pooling, or 0 when its head reads the last step only.</summary>
    public int Attention => Network.Pooling?.AttentionSize ?? 0;

    /// <inheritdoc />
    public string Name => NameOf(Horizon, Attention);

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public int Features { get; }

    /// <inheritdoc />
    public int Window { get; }

    /// <inheritdoc />
    public bool ErrorsAreSigned => _loss.PredictionsPerTarget == 1;

    /// <inheritdoc />
    public int WarmUp => Window;

    /// <inheritdoc />
    public int HeldOutFrom { get; }

    /// <inheritdoc />
    public TrainingHistory? History { get; }

    /// <inheritdoc />
    /// <remarks>
    /// A GRU-D network (<see cref="Models.GruD"/>) reads each step as <c>[x | m | δ | x_last]</c>: x and x_last from
    /// <paramref name="inputs"/>, m from where <paramref name="observed"/> is NaN, and δ counted in steps (a detector's
    /// <c>Detect</c> counts it from the series' timestamps when the network was trained with them).
    /// </remarks>
    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors) =>
        Score(inputs, observed, timestamps: null, expected, errors);

    /// <inheritdoc />
    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected, Span<float> errors)
    {
        int length = ScoringArguments.Validate(inputs, observed, expected, errors, Features, Window + 1);
        int width = OutputWidth, windows = length - Window, rowWidth = InputWidth;
        ReadOnlySpan<float> rows = Encoding is null ? inputs : Encoding.Encode(inputs, observed, timestamps);
        expected.Fill(float.NaN);
        errors.Fill(float.NaN);
        var outputs = new float[windows * width];

        NetworkWorkspace workspace = Network.CreateWorkspace();
        int batchCapacity = Math.Min(WindowsPerBatch, windows);
        var batch = new float[Window * batchCapacity * rowWidth];
        for (int first = 0; first < windows; first += batchCapacity)
        {
            int size = Math.Min(batchCapacity, windows - first);
            WriteWindows(rows, first, size, batch);
            Network.Infer(_parameters, batch.AsSpan(0, Window * size * rowWidth), Window, size, workspace);
            workspace.Outputs[..(size * width)].CopyTo(outputs.AsSpan(first * width));
        }

        for (int time = Window; time < length; time++)
        {
            int count = ForecastsOf(time), start = time - Window - (count - 1);
            Judge(outputs.AsSpan(start * width, count * width), count, observed.Slice(time * Features, Features),
                expected.Slice(time * Features, Features), errors.Slice(time * Features, Features));
        }
    }

    PointScorer IStreamableScorer.CreatePointScorer() => new ForecastPointScorer(this);

    /// <inheritdoc />
    /// <value><see cref="IFittedScorer.Window"/> + <see cref="Horizon"/> − 1: the earliest forecast of a point is made by the window that ends <see cref="Horizon"/> steps before it.</value>
    public int Lookback => Window + Horizon - 1;

    /// <inheritdoc />
    public IAdaptableScorer Adapt(ScorerAdaptationContext context)
    {
        if (Encoding is not null)
        {
            throw new NotSupportedException("A GRU-D forecast scorer cannot be fine-tuned online yet; the detector builder refuses the combination.");
        }

        float[]? targets = ScorerTraining.AdaptationTargets(context, Features, firstTarget: Window, out int length);
        if (targets is null || length < Window + Horizon)
        {
            return this;
        }

        var data = WindowedSeries.WithTargets(context.Inputs.Span, targets, Features, Window, Horizon, context.Stride);
        TrainingResult result = ScorerTraining.Train(Network, _parameters, data, data.StartOf, data.Length, Window + Horizon, context.Trainer,
            context.Logger, progress: null, CancellationToken.None, out int heldOutFrom);
        return new FittedForecastScorer(Network, result.Parameters.ToArray(), context.Trainer.Loss, Features, Window, Horizon, heldOutFrom, result.History);
    }

    /// <inheritdoc />
    public int MaximumSaliencySteps => Window + Horizon - 1;

    /// <inheritdoc />
    /// <remarks>For a GRU-D network (δ counted in steps, as in <see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>) the saliency of a value is its gradient through x and x_last, the two columns the filled input feeds.</remarks>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps) =>
        Saliency(inputs, observed, timestamps: null, time, errorGradient, inputGradient, out steps);

    /// <inheritdoc />
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, int time,
        ReadOnlySpan<float> errorGradient, Span<float> inputGradient, out int steps)
    {
        ScoringArguments.ValidateSaliency(inputs, observed, Features, Window + 1, time, WarmUp, errorGradient, inputGradient, MaximumSaliencySteps);
        int rowWidth = InputWidth;
        ReadOnlySpan<float> rows = Encoding is null ? inputs : Encoding.Encode(inputs, observed, timestamps);

        // The expected value at `time` is the mean of `count` predictions, made h = 0 … count − 1 steps ahead of the
        // window that starts at time − Window − h; each window's share of the gradient lands on its own rows.
        int count = Math.Min(Horizon, time - Window + 1);
        int first = time - Window - (count - 1), width = Horizon * Features, predictions = _loss.PredictionsPerTarget;
        steps = Window + count - 1;
        inputGradient.Clear();
        NetworkWorkspace workspace = Network.CreateWorkspace();
        var window = new float[Window * rowWidth];
        var outputGradient = new float[width * predictions];
        var windowGradient = new float[Window * rowWidth];
        var parameterGradients = new float[_parameters.Length];
        var single = new float[width];
        var lossGradient = new float[width * predictions];
        ReadOnlySpan<float> target = observed.Slice(time * Features, Features);
        for (int h = 0; h < count; h++)
        {
            int start = time - Window - h;
            rows.Slice(start * rowWidth, Window * rowWidth).CopyTo(window);
            Network.Forward(_parameters, window, Window, 1, workspace);
            Array.Clear(outputGradient);
            for (int f = 0; f < Features; f++)
            {
                if (float.IsNaN(target[f]) || errorGradient[f] == 0f)
                {
                    continue;
                }

                if (predictions == 1)
                {
                    // error = observed − mean prediction: ∂error/∂prediction = −1/count.
                    outputGradient[(h * Features) + f] = -errorGradient[f] / count;
                    continue;
                }

                // With exactly one observed target the loss's gradient (of its mean) is that target's own gradient.
                single.AsSpan().Fill(float.NaN);
                single[(h * Features) + f] = target[f];
                _loss.Evaluate(workspace.Outputs, single, width, lossGradient);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(lossGradient, errorGradient[f] / count, outputGradient, outputGradient);
            }

            Array.Clear(windowGradient);
            Network.Backward(_parameters, workspace, outputGradient, parameterGradients, inputGradients: windowGradient);
            Span<float> gradientRows = inputGradient.Slice((start - first) * Features, Window * Features);
            if (Encoding is null)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(gradientRows, windowGradient, gradientRows);
                continue;
            }

            // The filled input is both x and x_last of its row: its gradient is the sum of theirs.
            for (int t = 0; t < Window; t++)
            {
                Span<float> sum = gradientRows.Slice(t * Features, Features);
                ReadOnlySpan<float> row = windowGradient.AsSpan(t * rowWidth, rowWidth);
                System.Numerics.Tensors.TensorPrimitives.Add(sum, row[..Features], sum);
                System.Numerics.Tensors.TensorPrimitives.Add(sum, row[(3 * Features)..], sum);
            }
        }

        return first;
    }

    /// <summary>The name of a forecast scorer: <c>forecast</c>, <c>forecast(3)</c>, <c>forecast(attention 16)</c>, <c>forecast(3, attention 16)</c>.</summary>
    internal static string NameOf(int horizon, int attention) => (horizon, attention) switch
    {
        (1, 0) => "forecast",
        (_, 0) => $"forecast({horizon})",
        (1, _) => $"forecast(attention {attention})",
        _ => $"forecast({horizon}, attention {attention})",
    };

    /// <summary>
    /// Writes how much the network's attention drew on each input step for the point at <paramref name="time"/>: the mean,
    /// over the windows that forecast it, of each window's attention weights, placed at the steps they read (so the
    /// values sum to 1). Returns the first step; <paramref name="steps"/> receives how many steps are covered (as for
    /// <see cref="Saliency(ReadOnlySpan{float}, ReadOnlySpan{float}, int, ReadOnlySpan{float}, Span{float}, out int)"/>).
    /// </summary>
    internal int AttentionWeights(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, int time,
        Span<float> weights, out int steps)
    {
        int count = ForecastsOf(time), first = time - Window - (count - 1);
        steps = Window + count - 1;
        weights[..steps].Clear();
        if (Network.Pooling is null)
        {
            return first;
        }

        int rowWidth = InputWidth;
        ReadOnlySpan<float> rows = Encoding is null ? inputs : Encoding.Encode(inputs, observed, timestamps);
        var batch = new float[Window * count * rowWidth];
        for (int slot = 0; slot < count; slot++)
        {
            TimeMajorBatch.WriteWindow(rows, rowWidth, first + slot, Window, batch, count, slot);
        }

        NetworkWorkspace workspace = Network.CreateWorkspace();
        Network.Infer(_parameters, batch, Window, count, workspace);
        ReadOnlySpan<float> alpha = workspace.AttentionWeights;
        for (int slot = 0; slot < count; slot++)
        {
            for (int t = 0; t < Window; t++)
            {
                weights[slot + t] += alpha[(t * count) + slot] / count;
            }
        }

        return first;
    }

    /// <summary>Gets the outputs of one window: every prediction of every horizon step and feature.</summary>
    internal int OutputWidth => Horizon * Features * _loss.PredictionsPerTarget;

    /// <summary>How many windows forecast <paramref name="time"/>: one per horizon step, once the series is that long.</summary>
    internal int ForecastsOf(long time) => (int)Math.Min(Horizon, time - Window + 1);

    /// <summary>
    /// The expected value and error of one point from the <paramref name="count"/> windows that forecast it, whose outputs
    /// are given oldest window first (the oldest forecast it <paramref name="count"/> − 1 steps ahead, the newest 0). Shared
    /// by <see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/> and the stream, so that both add the forecasts in the same order.
    /// </summary>
    internal void Judge(ReadOnlySpan<float> outputs, int count, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        int width = OutputWidth, predictions = _loss.PredictionsPerTarget;
        for (int f = 0; f < Features; f++)
        {
            float sum = 0f, loss = 0f, value = observed[f];
            for (int k = 0; k < count; k++)
            {
                int h = count - 1 - k;
                ReadOnlySpan<float> row = outputs.Slice(k * width, width);
                sum += row[(h * Features) + f];
                if (predictions > 1 && !float.IsNaN(value))
                {
                    loss += PointLoss(row, h, f, value);
                }
            }

            float mean = sum / count;
            expected[f] = mean;
            errors[f] = float.IsNaN(value) ? float.NaN
                : predictions > 1 ? loss / count
                : value - mean;
        }
    }

    /// <summary>The loss of one observation under one window's forecast of it, <paramref name="h"/> steps ahead.</summary>
    private float PointLoss(ReadOnlySpan<float> row, int h, int feature, float target)
    {
        // The loss lays a row out as all means, then all second predictions: pick this horizon step's pair for the feature.
        int width = Horizon * Features, predictions = _loss.PredictionsPerTarget;
        Span<float> pair = stackalloc float[predictions];
        for (int p = 0; p < predictions; p++)
        {
            pair[p] = row[(p * width) + (h * Features) + feature];
        }

        float loss = 0f;
        _loss.PointLosses(pair, new ReadOnlySpan<float>(in target), 1, new Span<float>(ref loss));
        return loss;
    }

    private void WriteWindows(ReadOnlySpan<float> inputs, int first, int size, Span<float> batch)
    {
        for (int slot = 0; slot < size; slot++)
        {
            TimeMajorBatch.WriteWindow(inputs, InputWidth, first + slot, Window, batch, size, slot);
        }
    }
}
