using System.Numerics.Tensors;

using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// A trained <see cref="CarriedStateForecastScorer"/>: runs its network once over a series from a zero state, one step per
/// point, and judges each point by the prediction made after the point before it.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Score"/> and the stream (<c>FittedAnomalyDetector.CreateStream</c>) advance the network with the same
/// <see cref="NetworkStreamer"/> arithmetic, so a stream's expected values and errors equal <see cref="Score"/>'s to the last
/// bit: <see cref="Score"/> runs chunks of points layer by layer with kernels that keep the one-point step's order of
/// summation (the batch path of <see cref="RecurrentNetwork.Infer"/> would sum the input projection of many rows in
/// another order than a single row). The first <see cref="IFittedScorer.Window"/> points are the warm-up, as in training.
/// </para>
/// <para>Immutable and thread-safe: each call of <see cref="Score"/> and each stream carries its own state.</para>
/// </remarks>
internal sealed class FittedCarriedStateForecastScorer : IFittedScorer, IStreamableScorer
{
    private readonly float[] _parameters;
    private readonly ILoss _loss;

    internal FittedCarriedStateForecastScorer(RecurrentNetwork network, float[] parameters, ILoss loss, int features, int window,
        int sequenceSteps, int truncationSteps, int heldOutFrom, TrainingHistory? history)
    {
        Network = network;
        _parameters = parameters;
        _loss = loss;
        Features = features;
        Window = window;
        SequenceSteps = sequenceSteps;
        TruncationSteps = truncationSteps;
        HeldOutFrom = heldOutFrom;
        History = history;
        TrainedNetwork = new TrainedNetwork(network, parameters);
        Streamer = network.CreateStreamer(parameters);
    }

    /// <summary>Gets the forecasting network (recurrent layers and a dense head on every step).</summary>
    public RecurrentNetwork Network { get; }

    /// <inheritdoc />
    /// <value>The forecasting network and its trained weights (never null).</value>
    public TrainedNetwork TrainedNetwork { get; }

    /// <summary>Gets the trained weights (never written).</summary>
    public ReadOnlySpan<float> Parameters => _parameters;

    /// <summary>Gets the loss the network was trained with.</summary>
    public ILoss Loss => _loss;

    /// <summary>Gets the length of the training sequences, in steps (their first window masked as burn-in).</summary>
    public int SequenceSteps { get; }

    /// <summary>Gets the truncation of backpropagation in training, in steps.</summary>
    public int TruncationSteps { get; }

    /// <inheritdoc />
    public string Name => "carried-state forecast";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    public int Features { get; }

    /// <inheritdoc />
    /// <value>The burn-in: the points of a series before the first one scored, and the span <see cref="Saliency"/> covers.</value>
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
    /// <value><see cref="IFittedScorer.Window"/>: the saliency stops at the window before the point (see <see cref="Saliency"/>).</value>
    public int MaximumSaliencySteps => Window;

    /// <summary>Gets the one-step engine shared by <see cref="Score"/> and the streams (immutable, thread-safe).</summary>
    internal NetworkStreamer Streamer { get; }

    /// <summary>Gets the outputs of one step: every prediction of every feature.</summary>
    internal int OutputWidth => Features * _loss.PredictionsPerTarget;

    /// <inheritdoc />
    /// <remarks>
    /// One step of each recurrent layer and of the head per point, from a zero state; causal. The points run in chunks
    /// through <see cref="NetworkStreamer"/>'s batch path (each layer's input side and the head over a whole chunk at once,
    /// the recurrence point by point), which gives the one-point step's values to the last bit.
    /// </remarks>
    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        int length = ScoringArguments.Validate(inputs, observed, expected, errors, Features, Window + 1);
        int features = Features, width = OutputWidth, window = Window;
        expected.Fill(float.NaN);
        errors.Fill(float.NaN);
        StreamState state = Streamer.CreateState();
        NetworkStreamer.AdvanceBuffers run = Streamer.CreateAdvanceBuffers();
        var outputs = new float[NetworkStreamer.AdvanceChunk * width];

        // The output of point `time` is the forecast of point time + 1; the last point forecasts nothing.
        for (int start = 0; start < length - 1; start += NetworkStreamer.AdvanceChunk)
        {
            int count = Math.Min(NetworkStreamer.AdvanceChunk, length - 1 - start);
            Streamer.Advance(state, inputs.Slice(start * features, count * features), outputs.AsSpan(0, count * width), run);
            for (int point = 0; point < count; point++)
            {
                int next = start + point + 1;
                if (next >= window)
                {
                    Judge(outputs.AsSpan(point * width, width), observed.Slice(next * features, features),
                        expected.Slice(next * features, features), errors.Slice(next * features, features));
                }
            }
        }
    }

    PointScorer IStreamableScorer.CreatePointScorer() => new CarriedStatePointScorer(this);

    /// <inheritdoc />
    /// <remarks>
    /// The gradient is backpropagated through the <see cref="IFittedScorer.Window"/> inputs before <paramref name="time"/>
    /// only: the state the network carried into them (from every earlier input) is held fixed, so earlier inputs, which do
    /// move the score a little through it, get no saliency. Within the window the gradient is exact. Reaching that state
    /// costs one cell step per point before the window.
    /// </remarks>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps)
    {
        ScoringArguments.ValidateSaliency(inputs, observed, Features, Window + 1, time, WarmUp, errorGradient, inputGradient, MaximumSaliencySteps);
        int features = Features, window = Window, width = OutputWidth, first = time - window;
        steps = window;
        inputGradient.Clear();

        StreamState state = Streamer.CreateState();
        var output = new float[width];
        for (int t = 0; t < first; t++)
        {
            Streamer.Step(state, inputs.Slice(t * features, features), output);
        }

        var initial = new float[Network.StateSize];
        state.CopyTo(initial);
        NetworkWorkspace workspace = Network.CreateWorkspace();
        Network.Forward(_parameters, inputs.Slice(first * features, window * features), window, 1, workspace, initial);

        // Only the last step's prediction (of `time`) is judged.
        var outputGradient = new float[window * width];
        Span<float> last = outputGradient.AsSpan((window - 1) * width, width);
        ReadOnlySpan<float> prediction = workspace.Outputs.Slice((window - 1) * width, width);
        ReadOnlySpan<float> target = observed.Slice(time * features, features);
        var single = new float[features];
        var lossGradient = new float[width];
        for (int f = 0; f < features; f++)
        {
            if (float.IsNaN(target[f]) || errorGradient[f] == 0f)
            {
                continue;
            }

            if (_loss.PredictionsPerTarget == 1)
            {
                // error = observed − prediction.
                last[f] -= errorGradient[f];
                continue;
            }

            // With exactly one observed target the gradient of the loss's mean is that target's own gradient.
            Array.Fill(single, float.NaN);
            single[f] = target[f];
            _loss.Evaluate(prediction, single, features, lossGradient);
            TensorPrimitives.MultiplyAdd(lossGradient, errorGradient[f], last, last);
        }

        Network.Backward(_parameters, workspace, outputGradient, new float[Network.ParameterCount],
            inputGradients: inputGradient[..(window * features)]);
        return first;
    }

    /// <summary>
    /// The expected value and error of one point from the step's <paramref name="output"/> (made after the point before it).
    /// Shared by <see cref="Score"/> and the stream. Allocates nothing.
    /// </summary>
    internal void Judge(ReadOnlySpan<float> output, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        int features = Features;
        output[..features].CopyTo(expected);
        if (_loss.PredictionsPerTarget > 1)
        {
            // The loss lays a row out as all means, then all second predictions; a missing observation gets a NaN loss.
            _loss.PointLosses(output, observed, features, errors);
            return;
        }

        for (int f = 0; f < features; f++)
        {
            errors[f] = float.IsNaN(observed[f]) ? float.NaN : observed[f] - output[f];
        }
    }
}
