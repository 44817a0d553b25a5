using GruAnomaly.Diagnostics;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Evaluation;

/// <summary>
/// Compares analytic gradients with central finite differences, so that a cell, a stack of layers or a loss can be
/// proven right by a unit test. Public on purpose: users call it on their own <see cref="IRecurrentCell"/> variants.
/// </summary>
/// <remarks>
/// The network is evaluated in single precision and the loss accumulated in double; each numeric derivative is the
/// Richardson extrapolation of central differences at steps ε and ε/2. For a network the loss is
/// <c>L = Σ G ⊙ outputs + Σ F ⊙ final states</c> with fixed random G and F, so every output and every final state
/// carries gradient. Each entry's error is <c>|analytic − numeric| / max(|analytic|, |numeric|, floor)</c>, where the
/// floor (<see cref="GradientCheckOptions.RelativeFloor"/> times the largest numeric gradient of the check) keeps entries
/// that are zero up to rounding from dominating.
/// </remarks>
public static class GradientCheck
{
    /// <summary>Checks one cell as a single-layer network over random inputs, random initial state and random parameters.</summary>
    /// <param name="cell">The cell to check.</param>
    /// <param name="options">Sizes, seed, step and tolerance; defaults when null.</param>
    /// <returns>The worst error per parameter, inputs and initial state.</returns>
    public static GradientCheckReport Check(IRecurrentCell cell, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return Check(new RecurrentNetwork([cell]), options);
    }

    /// <summary>Checks a network with random parameters drawn uniformly from ±<see cref="GradientCheckOptions.ParameterScale"/>.</summary>
    /// <param name="network">The network to check.</param>
    /// <param name="options">Sizes, seed, step and tolerance; defaults when null.</param>
    /// <returns>The worst error per parameter, inputs and initial state.</returns>
    public static GradientCheckReport Check(RecurrentNetwork network, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new GradientCheckOptions();
        var random = new Random(options.Seed);
        var parameters = new float[network.ParameterCount];
        Fill(parameters, random, options.ParameterScale);
        return Check(network, parameters, options);
    }

    /// <summary>Checks a network at the given parameter values.</summary>
    /// <param name="network">The network to check.</param>
    /// <param name="parameters">Parameter values, length <see cref="RecurrentNetwork.ParameterCount"/>.</param>
    /// <param name="options">Sizes, seed, step and tolerance; defaults when null.</param>
    /// <returns>The worst error per parameter, inputs and initial state.</returns>
    public static GradientCheckReport Check(RecurrentNetwork network, ReadOnlySpan<float> parameters, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new GradientCheckOptions();
        options.Validate();
        Guard.Length(parameters.Length, network.ParameterCount, nameof(parameters), "the network's ParameterCount");

        return CheckNetwork(network, parameters.ToArray(), options, new LinearObjective(options.Seed + 2));
    }

    private static GradientCheckReport CheckNetwork(RecurrentNetwork network, float[] parameters, GradientCheckOptions options, Objective objective)
    {
        var problem = new NetworkProblem(network, parameters, options, objective);
        float[] point = problem.Point();
        float[] analytic = problem.AnalyticGradient();
        var groups = new List<(string Name, int Offset, int Length)>();
        groups.AddRange(network.ParameterSlots.Select(s => (s.Name, s.Offset, s.Length)));
        groups.Add(("inputs", problem.InputOffset, problem.InputLength));
        groups.Add(("initial_states", problem.StateOffset, problem.StateLength));
        return Compare(point, analytic, problem.Loss, groups, options);
    }

    /// <summary>
    /// Checks a network trained with <paramref name="loss"/>: random parameters, inputs and targets (about one target in
    /// five missing, to exercise the mask), the loss's own gradient fed to backpropagation.
    /// </summary>
    /// <param name="network">The network; its output width must be a multiple of the loss's predictions per target.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="options">Sizes, seed, step and tolerance; defaults when null.</param>
    /// <returns>The worst error per parameter, inputs and initial state.</returns>
    public static GradientCheckReport Check(RecurrentNetwork network, ILoss loss, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(loss);
        options ??= new GradientCheckOptions();
        options.Validate();
        if (network.OutputSize % loss.PredictionsPerTarget != 0)
        {
            throw new ArgumentException(
                $"The network outputs {network.OutputSize} values per row, not a multiple of the {loss.PredictionsPerTarget} predictions per target of {loss.Name}.", nameof(loss));
        }

        var random = new Random(options.Seed);
        var parameters = new float[network.ParameterCount];
        Fill(parameters, random, options.ParameterScale);
        return CheckNetwork(network, parameters, options, new LossObjective(loss, network.OutputSize / loss.PredictionsPerTarget, options.Seed + 2));
    }

    /// <summary>
    /// Checks any <see cref="ISequenceModel"/> (for example an <see cref="EncoderDecoderNetwork"/>) with random parameters
    /// drawn uniformly from ±<see cref="GradientCheckOptions.ParameterScale"/>: the gradients of every parameter and of the
    /// inputs, under <c>L = Σ G ⊙ outputs</c> with fixed random G.
    /// </summary>
    /// <param name="model">The model to check.</param>
    /// <param name="options">Sizes, seed, step and tolerance; defaults when null. Truncation is not supported here.</param>
    /// <returns>The worst error per parameter and over the inputs.</returns>
    /// <exception cref="ArgumentException">The options ask for truncated backpropagation.</exception>
    public static GradientCheckReport Check(ISequenceModel model, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new GradientCheckOptions();
        var parameters = new float[model.ParameterCount];
        Fill(parameters, new Random(options.Seed), options.ParameterScale);
        return Check(model, parameters, options);
    }

    /// <summary>Checks any <see cref="ISequenceModel"/> at the given parameter values (parameters and inputs).</summary>
    /// <param name="model">The model to check.</param>
    /// <param name="parameters">Parameter values, length <see cref="ISequenceModel.ParameterCount"/>.</param>
    /// <param name="options">Sizes, seed, step and tolerance; defaults when null. Truncation is not supported here.</param>
    /// <returns>The worst error per parameter and over the inputs.</returns>
    /// <exception cref="ArgumentException">The parameters have another length, or the options ask for truncated backpropagation.</exception>
    public static GradientCheckReport Check(ISequenceModel model, ReadOnlySpan<float> parameters, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options = ValidateForModel(options);
        Guard.Length(parameters.Length, model.ParameterCount, nameof(parameters), "the model's ParameterCount");
        return CheckModel(model, parameters.ToArray(), options, new LinearObjective(options.Seed + 2));
    }

    /// <summary>
    /// Checks any <see cref="ISequenceModel"/> trained with <paramref name="loss"/>: random parameters, inputs and targets
    /// (about one target in five missing), the loss's own gradient fed to backpropagation.
    /// </summary>
    /// <param name="model">The model; its output width must be a multiple of the loss's predictions per target.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="options">Sizes, seed, step and tolerance; defaults when null. Truncation is not supported here.</param>
    /// <returns>The worst error per parameter and over the inputs.</returns>
    /// <exception cref="ArgumentException">The model and loss do not fit together, or the options ask for truncated backpropagation.</exception>
    public static GradientCheckReport Check(ISequenceModel model, ILoss loss, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        options = ValidateForModel(options);
        if (model.OutputSize % loss.PredictionsPerTarget != 0)
        {
            throw new ArgumentException(
                $"The model outputs {model.OutputSize} values per row, not a multiple of the {loss.PredictionsPerTarget} predictions per target of {loss.Name}.", nameof(loss));
        }

        var parameters = new float[model.ParameterCount];
        Fill(parameters, new Random(options.Seed), options.ParameterScale);
        return CheckModel(model, parameters, options, new LossObjective(loss, model.OutputSize / loss.PredictionsPerTarget, options.Seed + 2));
    }

    private static GradientCheckOptions ValidateForModel(GradientCheckOptions? options)
    {
        options ??= new GradientCheckOptions();
        options.Validate();
        if (options.TruncationSteps != 0)
        {
            // Which function truncated backpropagation differentiates depends on the model's structure; only
            // RecurrentNetwork's chunked loss is known here.
            throw new ArgumentException(
                $"TruncationSteps is {options.TruncationSteps}; a check through ISequenceModel covers full backpropagation only (0). " +
                "Check a RecurrentNetwork directly to verify truncation.", nameof(options));
        }

        return options;
    }

    private static GradientCheckReport CheckModel(ISequenceModel model, float[] parameters, GradientCheckOptions options, Objective objective)
    {
        var problem = new ModelProblem(model, parameters, options, objective);
        var groups = new List<(string Name, int Offset, int Length)>();
        groups.AddRange(model.ParameterSlots.Select(s => (s.Name, s.Offset, s.Length)));
        groups.Add(("inputs", parameters.Length, problem.InputLength));
        return Compare(problem.Point(), problem.AnalyticGradient(), problem.Loss, groups, options);
    }

    /// <summary>
    /// Checks a loss by itself: its gradient with respect to random predictions, against random targets with one missing.
    /// </summary>
    /// <param name="loss">The loss.</param>
    /// <param name="targetWidth">Target values per row.</param>
    /// <param name="options">Rows (<see cref="GradientCheckOptions.BatchSize"/>), seed, step and tolerance; defaults when null.</param>
    /// <returns>The worst error over the predictions.</returns>
    public static GradientCheckReport Check(ILoss loss, int targetWidth = 3, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetWidth);
        options ??= new GradientCheckOptions();
        options.Validate();
        var random = new Random(options.Seed);
        var predictions = new float[options.BatchSize * targetWidth * loss.PredictionsPerTarget];
        var targets = new float[options.BatchSize * targetWidth];
        Fill(predictions, random, 1f);
        Fill(targets, random, 1f);
        targets[0] = float.NaN;
        var gradient = new float[predictions.Length];
        loss.Evaluate(predictions, targets, targetWidth, gradient);
        var scratch = new float[predictions.Length];
        return Compare(predictions, gradient, p => loss.Evaluate(p, targets, targetWidth, scratch).Mean,
            [("predictions", 0, predictions.Length)], options);
    }

    /// <summary>
    /// The general form: compares <paramref name="analyticGradient"/> with central differences of <paramref name="loss"/>
    /// around <paramref name="point"/>, entry by entry, and reports the worst error of each named group of entries.
    /// </summary>
    /// <param name="point">Where to differentiate.</param>
    /// <param name="analyticGradient">The gradient to verify, same length as the point.</param>
    /// <param name="loss">The scalar function; it receives a perturbed copy of the point and must not keep it.</param>
    /// <param name="groups">Named ranges of the point to report separately (for example one per parameter).</param>
    /// <param name="options">Step, tolerance and how many entries to sample; defaults when null.</param>
    /// <returns>The report.</returns>
    public static GradientCheckReport Compare(ReadOnlySpan<float> point, ReadOnlySpan<float> analyticGradient,
        Func<float[], double> loss, IReadOnlyList<(string Name, int Offset, int Length)> groups, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(groups);
        options ??= new GradientCheckOptions();
        options.Validate();
        Guard.Length(analyticGradient.Length, point.Length, nameof(analyticGradient), "the length of the point");

        float[] probe = point.ToArray();
        var numeric = new double[point.Length];
        var checkedEntries = new bool[point.Length];
        var sampler = new Random(options.Seed ^ 0x5eed);
        foreach ((string name, int offset, int length) in groups)
        {
            if (offset < 0 || length < 0 || offset + length > point.Length)
            {
                throw new ArgumentException($"Group '{name}' ({offset}, {length}) lies outside the point of length {point.Length}.", nameof(groups));
            }

            foreach (int index in SampleIndices(offset, length, options.MaxEntriesPerGroup, sampler))
            {
                numeric[index] = RichardsonDerivative(probe, index, options.Epsilon, loss);
                checkedEntries[index] = true;
            }
        }

        double scale = 0;
        for (int i = 0; i < numeric.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(numeric[i]));
        }

        double floor = Math.Max(options.RelativeFloor * scale, double.Epsilon);
        var results = new List<GradientCheckEntry>(groups.Count);
        foreach ((string name, int offset, int length) in groups)
        {
            double worst = 0;
            int worstIndex = -1, count = 0;
            for (int i = offset; i < offset + length; i++)
            {
                if (!checkedEntries[i])
                {
                    continue;
                }

                count++;
                double a = analyticGradient[i], n = numeric[i];
                double error = Math.Abs(a - n) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(n)), floor);
                if (double.IsNaN(error))
                {
                    error = double.PositiveInfinity;
                }

                if (worstIndex < 0 || error > worst)
                {
                    worst = error;
                    worstIndex = i;
                }
            }

            results.Add(worstIndex < 0
                ? new GradientCheckEntry(name, 0, 0, -1, 0, 0)
                : new GradientCheckEntry(name, count, worst, worstIndex - offset, analyticGradient[worstIndex], numeric[worstIndex]));
        }

        return new GradientCheckReport(results, options.Tolerance);
    }

    /// <summary>
    /// Central differences at steps ε and ε/2 combined as (4·D(ε/2) − D(ε)) / 3, which cancels the ε² error term; that
    /// allows a step large enough for single-precision rounding of the loss to stay small.
    /// </summary>
    private static double RichardsonDerivative(float[] probe, int index, float epsilon, Func<float[], double> loss)
    {
        float original = probe[index];
        float step = epsilon * Math.Max(1f, Math.Abs(original));
        double wide = CentralDifference(probe, index, step, loss);
        double narrow = CentralDifference(probe, index, step / 2, loss);
        probe[index] = original;
        return (4 * narrow - wide) / 3;
    }

    private static double CentralDifference(float[] probe, int index, float step, Func<float[], double> loss)
    {
        float original = probe[index];
        probe[index] = original + step;
        double plus = loss(probe);
        probe[index] = original - step;
        double minus = loss(probe);
        probe[index] = original;

        // The perturbation actually applied in float, not the one intended.
        return (plus - minus) / ((double)(original + step) - (original - step));
    }

    private static IEnumerable<int> SampleIndices(int offset, int length, int maximum, Random sampler)
    {
        if (maximum <= 0 || length <= maximum)
        {
            return Enumerable.Range(offset, length);
        }

        int[] all = [.. Enumerable.Range(offset, length)];
        sampler.Shuffle(all);
        return all.Take(maximum).Order();
    }

    private static void Fill(Span<float> values, Random random, float scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }
    }

    /// <summary>A scalar function of a network's outputs and final states, with its gradient.</summary>
    private abstract class Objective
    {
        public abstract void Prepare(int outputLength, int stateLength);

        public abstract double Value(ReadOnlySpan<float> outputs, ReadOnlySpan<float> finalStates);

        public abstract void Gradient(ReadOnlySpan<float> outputs, Span<float> outputGradients, Span<float> finalStateGradients);
    }

    /// <summary><c>Σ G ⊙ outputs + Σ F ⊙ final states</c> with fixed random G and F: every output and state carries gradient.</summary>
    private sealed class LinearObjective(int seed) : Objective
    {
        private float[] _outputWeights = [];
        private float[] _stateWeights = [];

        public override void Prepare(int outputLength, int stateLength)
        {
            var random = new Random(seed);
            _outputWeights = new float[outputLength];
            _stateWeights = new float[stateLength];
            Fill(_outputWeights, random, 1f);
            Fill(_stateWeights, random, 1f);
        }

        public override double Value(ReadOnlySpan<float> outputs, ReadOnlySpan<float> finalStates) =>
            Dot(outputs, _outputWeights) + Dot(finalStates, _stateWeights);

        public override void Gradient(ReadOnlySpan<float> outputs, Span<float> outputGradients, Span<float> finalStateGradients)
        {
            _outputWeights.CopyTo(outputGradients);
            _stateWeights.CopyTo(finalStateGradients);
        }

        private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            double sum = 0;
            for (int i = 0; i < a.Length; i++)
            {
                sum += (double)a[i] * b[i];
            }

            return sum;
        }
    }

    /// <summary>A user's loss against fixed random targets, about one in five missing.</summary>
    private sealed class LossObjective(ILoss loss, int targetWidth, int seed) : Objective
    {
        private float[] _targets = [];
        private float[] _scratch = [];

        public override void Prepare(int outputLength, int stateLength)
        {
            var random = new Random(seed);
            _targets = new float[outputLength / loss.PredictionsPerTarget];
            Fill(_targets, random, 1f);
            for (int i = 0; i < _targets.Length; i++)
            {
                if (random.NextDouble() < 0.2)
                {
                    _targets[i] = float.NaN;
                }
            }

            _scratch = new float[outputLength];
        }

        public override double Value(ReadOnlySpan<float> outputs, ReadOnlySpan<float> finalStates) =>
            loss.Evaluate(outputs, _targets, targetWidth, _scratch).Mean;

        public override void Gradient(ReadOnlySpan<float> outputs, Span<float> outputGradients, Span<float> finalStateGradients)
        {
            loss.Evaluate(outputs, _targets, targetWidth, outputGradients);
            finalStateGradients.Clear();
        }
    }

    /// <summary>
    /// The network, its inputs and initial states as one point, with an objective of its outputs. Under truncation
    /// every chunk starts from the state the unperturbed network reached there, so the objective is exactly the function
    /// whose gradient truncated backpropagation computes.
    /// </summary>
    private sealed class NetworkProblem
    {
        private readonly RecurrentNetwork _network;
        private readonly GradientCheckOptions _options;
        private readonly Objective _objective;
        private readonly float[] _parameters;
        private readonly float[] _inputs;
        private readonly float[] _initialStates;
        private readonly float[] _outputs;
        private readonly float[][] _chunkStartStates;
        private readonly NetworkWorkspace _workspace;
        private readonly int _steps;
        private readonly int _batch;
        private readonly int _chunk;

        public NetworkProblem(RecurrentNetwork network, float[] parameters, GradientCheckOptions options, Objective objective)
        {
            _network = network;
            _options = options;
            _objective = objective;
            _parameters = parameters;
            _steps = options.Steps;
            _batch = options.BatchSize;
            _chunk = options.TruncationSteps > 0 ? options.TruncationSteps : _steps;
            var random = new Random(options.Seed + 1);
            _inputs = new float[_steps * _batch * network.InputSize];
            _initialStates = new float[_batch * network.StateSize];
            Fill(_inputs, random, 1f);
            Fill(_initialStates, random, 0.5f);
            _workspace = network.CreateWorkspace();
            network.Infer(_parameters, _inputs, _steps, _batch, _workspace, _initialStates);
            _outputs = new float[_workspace.Outputs.Length];
            objective.Prepare(_outputs.Length, _initialStates.Length);

            int chunks = (_steps + _chunk - 1) / _chunk;
            _chunkStartStates = new float[chunks][];
            _chunkStartStates[0] = _initialStates;
            for (int c = 1; c < chunks; c++)
            {
                int start = c * _chunk;
                network.Infer(_parameters, _inputs.AsSpan(0, start * _batch * network.InputSize), start, _batch, _workspace, _initialStates);
                _chunkStartStates[c] = FinalStates(_workspace);
            }
        }

        public int InputOffset => _parameters.Length;

        public int InputLength => _inputs.Length;

        public int StateOffset => _parameters.Length + _inputs.Length;

        public int StateLength => _initialStates.Length;

        public float[] Point() => [.. _parameters, .. _inputs, .. _initialStates];

        public float[] AnalyticGradient()
        {
            var gradient = new float[StateOffset + StateLength];
            var outputGradients = new float[_outputs.Length];
            var finalStateGradients = new float[_initialStates.Length];
            _network.Forward(_parameters, _inputs, _steps, _batch, _workspace, _initialStates);
            _objective.Gradient(_workspace.Outputs, outputGradients, finalStateGradients);
            _network.Backward(_parameters, _workspace, outputGradients, gradient.AsSpan(0, _parameters.Length),
                finalStateGradients, gradient.AsSpan(InputOffset, InputLength), gradient.AsSpan(StateOffset, StateLength),
                _options.TruncationSteps);
            return gradient;
        }

        public double Loss(float[] point)
        {
            ReadOnlySpan<float> parameters = point.AsSpan(0, _parameters.Length);
            ReadOnlySpan<float> inputs = point.AsSpan(InputOffset, InputLength);
            int inputWidth = _batch * _network.InputSize;
            bool lastStepOnly = _network.Head is not null && _network.HeadPlacement == HeadPlacement.LastStep;
            int outputWidth = _batch * _network.OutputSize;
            for (int c = 0; c < _chunkStartStates.Length; c++)
            {
                int start = c * _chunk, length = Math.Min(_chunk, _steps - start);
                ReadOnlySpan<float> startStates = c == 0 ? point.AsSpan(StateOffset, StateLength) : _chunkStartStates[c];
                _network.Infer(parameters, inputs.Slice(start * inputWidth, length * inputWidth), length, _batch, _workspace, startStates);
                if (!lastStepOnly)
                {
                    _workspace.Outputs.CopyTo(_outputs.AsSpan(start * outputWidth));
                }
            }

            // The workspace now holds the last chunk: its final states, and the head's output when it reads the last step.
            if (lastStepOnly)
            {
                _workspace.Outputs.CopyTo(_outputs);
            }

            return _objective.Value(_outputs, FinalStates(_workspace));
        }

        private float[] FinalStates(NetworkWorkspace workspace)
        {
            var states = new float[_initialStates.Length];
            workspace.CopyFinalStates(states);
            return states;
        }
    }

    /// <summary>A model's parameters and inputs as one point, with an objective of its outputs.</summary>
    private sealed class ModelProblem
    {
        private readonly ISequenceModel _model;
        private readonly Objective _objective;
        private readonly float[] _parameters;
        private readonly float[] _inputs;
        private readonly ISequenceWorkspace _workspace;
        private readonly int _steps;
        private readonly int _batch;

        public ModelProblem(ISequenceModel model, float[] parameters, GradientCheckOptions options, Objective objective)
        {
            _model = model;
            _objective = objective;
            _parameters = parameters;
            _steps = options.Steps;
            _batch = options.BatchSize;
            _inputs = new float[_steps * _batch * model.InputSize];
            Fill(_inputs, new Random(options.Seed + 1), 1f);
            _workspace = model.CreateWorkspace();
            model.Infer(_parameters, _inputs, _steps, _batch, _workspace);
            objective.Prepare(_workspace.Outputs.Length, 0);
        }

        public int InputLength => _inputs.Length;

        public float[] Point() => [.. _parameters, .. _inputs];

        public float[] AnalyticGradient()
        {
            var gradient = new float[_parameters.Length + _inputs.Length];
            _model.Forward(_parameters, _inputs, _steps, _batch, _workspace);
            var outputGradients = new float[_workspace.Outputs.Length];
            _objective.Gradient(_workspace.Outputs, outputGradients, default);
            _model.Backward(_parameters, _workspace, outputGradients, gradient.AsSpan(0, _parameters.Length),
                gradient.AsSpan(_parameters.Length));
            return gradient;
        }

        public double Loss(float[] point)
        {
            _model.Infer(point.AsSpan(0, _parameters.Length), point.AsSpan(_parameters.Length), _steps, _batch, _workspace);
            return _objective.Value(_workspace.Outputs, default);
        }
    }
}
