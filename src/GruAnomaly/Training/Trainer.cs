using System.Diagnostics;
using GruAnomaly.Data;
using GruAnomaly.Diagnostics;
using GruAnomaly.Losses;
using GruAnomaly.Numerics.Kernels;
using GruAnomaly.Recurrent;
using GruAnomaly.Training.Optimizers;
using GruAnomaly.Training.Schedules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GruAnomaly.Training;

/// <summary>
/// Fits an <see cref="ISequenceModel"/> (a <see cref="RecurrentNetwork"/>, an <see cref="EncoderDecoderNetwork"/>, or
/// a model of your own) to an <see cref="ISequenceDataset"/> with mini-batches, a validation split
/// taken from the end, early stopping, learning-rate schedules, gradient clipping and cancellation between mini-batches.
/// </summary>
/// <remarks>
/// The trainer never writes into the caller's parameters: it trains a private copy and returns the chosen weights in a
/// <see cref="TrainingResult"/>, so a failed or cancelled fit can never leave a model half-updated. Buffers are sized
/// once per fit, so mini-batch steps allocate nothing. A mini-batch of 32 examples or more is cut into shards that run
/// on up to <see cref="TrainerOptions.MaxDegreeOfParallelism"/> threads; the cut and the order in which the shards'
/// gradients are added depend on the batch size alone. Deterministic: the same seed, data and options give bit-identical
/// weights on the same machine and SIMD level, on any number of threads (see <see cref="TrainerOptions.Seed"/> for what
/// differs across SIMD levels). The model's passes run concurrently on separate workspaces, as
/// <see cref="ISequenceModel"/> allows; a model of your own must treat the examples of a batch independently.
/// </remarks>
public sealed class Trainer
{
    private readonly ILogger _logger;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">The settings; defaults when null.</param>
    /// <param name="logger">
    /// Receives structured training events; none when null. An exception thrown by the logger is caught and dropped:
    /// logging never aborts training.
    /// </param>
    /// <exception cref="ArgumentException">An option is out of range (every problem is listed).</exception>
    public Trainer(TrainerOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new TrainerOptions();
        Options.Validate();
        _logger = ForgivingLogger.Wrap(logger ?? NullLogger.Instance);
    }

    /// <summary>Gets the settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Trains on a background thread; see <see cref="Fit"/>.</summary>
    /// <param name="network">The model: a <see cref="RecurrentNetwork"/>, an <see cref="EncoderDecoderNetwork"/> or your own.</param>
    /// <param name="initialParameters">Starting weights (not modified).</param>
    /// <param name="data">The examples, in time order.</param>
    /// <param name="progress">Receives a report after every mini-batch.</param>
    /// <param name="cancellationToken">Stops training between mini-batches.</param>
    /// <returns>The trained weights and the history.</returns>
    public Task<TrainingResult> FitAsync(ISequenceModel network, ReadOnlyMemory<float> initialParameters, ISequenceDataset data,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Fit(network, initialParameters.Span, data, progress, cancellationToken), CancellationToken.None);

    /// <summary>
    /// Trains <paramref name="network"/> starting from <paramref name="initialParameters"/>. On cancellation it stops
    /// between mini-batches and returns normally with <see cref="StopReason.Cancelled"/>, the weights of the last completed
    /// step (or of the best epoch when <see cref="TrainerOptions.RestoreBestWeights"/> is set and an epoch completed), and
    /// how many batches of the interrupted epoch ran.
    /// </summary>
    /// <param name="network">The model: a <see cref="RecurrentNetwork"/>, an <see cref="EncoderDecoderNetwork"/> or your own.</param>
    /// <param name="initialParameters">Starting weights (not modified).</param>
    /// <param name="data">The examples, in time order.</param>
    /// <param name="progress">Receives a report after every mini-batch.</param>
    /// <param name="cancellationToken">Stops training between mini-batches.</param>
    /// <returns>The trained weights and the history.</returns>
    /// <exception cref="ArgumentException">The data, the network and the loss do not fit together, or the weights are not finite.</exception>
    /// <exception cref="NotFiniteNumberException">The loss or gradient became NaN or infinite and the options say to stop.</exception>
    public TrainingResult Fit(ISequenceModel network, ReadOnlySpan<float> initialParameters, ISequenceDataset data,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        Guard.Length(initialParameters.Length, network.ParameterCount, nameof(initialParameters), "the network's ParameterCount");
        Guard.Finite(initialParameters, nameof(initialParameters), "initial weights");
        (int trainCount, int validationCount) = Split(network, data);
        using var run = new Run(this, network, initialParameters, data, trainCount, validationCount);
        return run.Execute(progress, cancellationToken);
    }

    private (int Train, int Validation) Split(ISequenceModel network, ISequenceDataset data)
    {
        ILoss loss = Options.Loss;
        if (data.InputSize != network.InputSize)
        {
            throw new ArgumentException($"The data has {data.InputSize} input features but the network expects {network.InputSize}.", nameof(data));
        }

        int expectedOutputs = data.TargetSize * loss.PredictionsPerTarget;
        if (network.OutputSize != expectedOutputs)
        {
            throw new ArgumentException(
                $"The network outputs {network.OutputSize} values per step but the loss {loss.Name} needs {expectedOutputs} " +
                $"({data.TargetSize} targets × {loss.PredictionsPerTarget} predictions per target).", nameof(network));
        }

        int expectedTargetSteps = network.OutputsEveryStep ? data.Steps : 1;
        if (data.TargetSteps != expectedTargetSteps)
        {
            throw new ArgumentException(
                $"The data has targets for {data.TargetSteps} steps but the network predicts {expectedTargetSteps} " +
                "(one per step, or one per sequence for a head on the last step).", nameof(data));
        }

        int validation = ValidationSplit.Count(data.Count, Options.ValidationFraction);
        int train = data.Count - validation;
        if (train < 1)
        {
            throw new ArgumentException(
                $"The data has {data.Count} examples: too few for a validation fraction of {Options.ValidationFraction} and at least one training example.", nameof(data));
        }

        return (train, validation);
    }

    /// <summary>What the shards of a mini-batch run in one parallel phase.</summary>
    private enum Phase
    {
        Forward,
        Infer,
        Backward,
    }

    /// <summary>One shard's buffers, sized once per fit for the most examples the shard ever holds.</summary>
    private sealed class Shard(ISequenceWorkspace workspace, float[] inputs, float[] outputGradients, float[] gradients)
    {
        public ISequenceWorkspace Workspace { get; } = workspace;

        /// <summary>The shard's inputs, steps×rows×InputSize.</summary>
        public float[] Inputs { get; } = inputs;

        /// <summary>The shard's part of the loss gradient (unused when the batch is one shard).</summary>
        public float[] OutputGradients { get; } = outputGradients;

        /// <summary>The shard's parameter gradient (shard 0 writes the run's gradient directly and has none).</summary>
        public float[] Gradients { get; } = gradients;

        public int Start { get; set; }

        public int Rows { get; set; }
    }

    /// <summary>The state of one fit: buffers sized once, then reused by every mini-batch.</summary>
    private sealed class Run : IShardWork, IDisposable
    {
        private readonly Trainer _trainer;
        private readonly TrainerOptions _options;
        private readonly ISequenceModel _network;
        private readonly ISequenceDataset _data;
        private readonly int _trainCount;
        private readonly int _validationCount;
        private readonly float[] _parameters;
        private readonly float[] _best;
        private readonly float[] _gradients;
        private readonly float[] _targets;
        private readonly float[] _outputs;
        private readonly float[] _predictionGradients;
        private readonly int[] _order;
        private readonly int[] _validationIndices;
        private readonly Shard[] _shards;
        private readonly ShardWorkers? _workers;
        private readonly int _targetRowsPerExample;
        private int _batchSize;
        private int _shardCount;
        private Phase _phase;
        private readonly IOptimizerState _optimizer;
        private readonly ILearningRateScheduler _scheduler;
        private readonly Random _random;
        private readonly Stopwatch _clock = new();

        public Run(Trainer trainer, ISequenceModel network, ReadOnlySpan<float> initialParameters, ISequenceDataset data, int trainCount, int validationCount)
        {
            _trainer = trainer;
            _options = trainer.Options;
            _network = network;
            _data = data;
            _trainCount = trainCount;
            _validationCount = validationCount;
            _parameters = initialParameters.ToArray();
            _best = new float[_parameters.Length];
            _gradients = new float[_parameters.Length];
            int batch = _options.BatchSize;
            // Window, batch size and features all come from the caller: a mini-batch that no array can hold is refused by
            // name instead of overflowing an int product.
            _ = Guard.ArraySize(nameof(data), "a mini-batch's inputs, steps × BatchSize × InputSize", data.Steps, batch, data.InputSize);
            _targets = new float[Guard.ArraySize(nameof(data), "a mini-batch's targets, target steps × BatchSize × TargetSize", data.TargetSteps, batch, data.TargetSize)];
            _predictionGradients = new float[Guard.ArraySize(nameof(data), "a mini-batch's predictions", _targets.Length, _options.Loss.PredictionsPerTarget)];
            _outputs = BatchShards.Count(batch) > 1 ? new float[_predictionGradients.Length] : [];
            _order = [.. Enumerable.Range(0, trainCount)];
            _validationIndices = new int[batch];
            _targetRowsPerExample = data.TargetSteps;
            _shards = new Shard[BatchShards.Count(batch)];
            for (int s = 0; s < _shards.Length; s++)
            {
                int rows = BatchShards.MaximumRows(batch, s);
                ISequenceWorkspace workspace = network is IReusesWorkspaces reuse ? reuse.RentWorkspace() : network.CreateWorkspace();
                _shards[s] = new Shard(workspace, new float[data.Steps * rows * data.InputSize],
                    _shards.Length > 1 ? new float[data.TargetSteps * rows * network.OutputSize] : [],
                    s > 0 ? new float[_parameters.Length] : []);
            }

            _optimizer = _options.Optimizer.CreateState(_parameters.Length);
            _scheduler = _options.Schedule.Start(_options.LearningRate);
            _random = new Random(_options.Seed);

            // Last, so that nothing after it can throw and leave the threads without a Dispose.
            int threads = BatchShards.Threads(_options.MaxDegreeOfParallelism, batch, data.Steps, _parameters.Length);
            _workers = threads > 1 ? new ShardWorkers(threads, _shards.Length) : null;
        }

        private ILogger Logger => _trainer._logger;

        public void Dispose()
        {
            _workers?.Dispose();

            // Only once no worker thread can touch them: the next run on this model may take them.
            if (_network is IReusesWorkspaces reuse)
            {
                foreach (Shard shard in _shards)
                {
                    reuse.ReturnWorkspace(shard.Workspace);
                }
            }
        }

        public TrainingResult Execute(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
        {
            int batchSize = _options.BatchSize;
            int batches = (_trainCount + batchSize - 1) / batchSize;
            var epochs = new List<EpochSummary>();
            double bestLoss = double.PositiveInfinity, lastValidation = double.NaN;
            int bestEpoch = 0, sinceImprovement = 0, batchesDone = 0;
            StopReason reason = StopReason.Completed;
            Logger.TrainingStarted(_trainCount, _validationCount, _parameters.Length, _options.Epochs, batches);
            _clock.Start();

            for (int epoch = 1; epoch <= _options.Epochs && reason == StopReason.Completed; epoch++)
            {
                float learningRate = _scheduler.LearningRate;
                if (_options.Shuffle)
                {
                    _random.Shuffle(_order);
                }

                double lossSum = 0;
                long lossCount = 0;
                int skipped = 0;
                long examples = 0;
                TimeSpan epochStart = _clock.Elapsed;
                for (batchesDone = 0; batchesDone < batches; batchesDone++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        reason = StopReason.Cancelled;
                        Logger.TrainingCancelled(epoch, batchesDone);
                        break;
                    }

                    int start = batchesDone * batchSize, size = Math.Min(batchSize, _trainCount - start);
                    if (TrainBatch(epoch, batchesDone + 1, _order.AsSpan(start, size), learningRate, out LossValue value))
                    {
                        lossSum += value.Sum;
                        lossCount += value.Count;
                    }
                    else
                    {
                        skipped++;
                    }

                    examples += size;
                    progress?.Report(new TrainingProgress(epoch, _options.Epochs, batchesDone + 1, batches,
                        Mean(lossSum, lossCount), lastValidation, learningRate, _clock.Elapsed,
                        examples / Math.Max((_clock.Elapsed - epochStart).TotalSeconds, 1e-9)));
                }

                if (reason == StopReason.Cancelled)
                {
                    break;
                }

                double trainingLoss = Mean(lossSum, lossCount);
                lastValidation = _validationCount > 0 ? ValidationLoss() : double.NaN;
                double monitored = _validationCount > 0 ? lastValidation : trainingLoss;
                double throughput = examples / Math.Max((_clock.Elapsed - epochStart).TotalSeconds, 1e-9);
                epochs.Add(new EpochSummary(epoch, trainingLoss, lastValidation, learningRate, _clock.Elapsed, throughput, skipped));
                Logger.EpochCompleted(epoch, _options.Epochs, trainingLoss, lastValidation, learningRate, throughput);

                if (monitored < bestLoss - _options.EarlyStoppingMinDelta)
                {
                    bestLoss = monitored;
                    bestEpoch = epoch;
                    sinceImprovement = 0;
                    _parameters.CopyTo(_best, 0);
                }
                else if (_options.EarlyStoppingPatience > 0 && ++sinceImprovement >= _options.EarlyStoppingPatience)
                {
                    reason = StopReason.EarlyStopping;
                    Logger.EarlyStopped(epoch, _options.EarlyStoppingPatience, bestEpoch);
                }

                _scheduler.OnEpochEnd(epoch, monitored);
            }

            _clock.Stop();
            bool useBest = _options.RestoreBestWeights && bestEpoch > 0;
            float[] chosen = useBest ? _best : _parameters;
            var history = new TrainingHistory(epochs, reason, bestEpoch, reason == StopReason.Cancelled ? batchesDone : 0, _clock.Elapsed);
            Logger.TrainingFinished(reason.ToString(), epochs.Count, _clock.Elapsed, bestEpoch);
            return new TrainingResult([.. chosen], history);
        }

        /// <summary>One mini-batch step; false when the batch was skipped for a non-finite loss or gradient.</summary>
        private bool TrainBatch(int epoch, int batchNumber, ReadOnlySpan<int> examples, float learningRate, out LossValue value)
        {
            ReadOnlySpan<float> targets = Gather(examples);
            RunShards(Phase.Forward);
            ReadOnlySpan<float> outputs = BatchOutputs();
            Span<float> predictionGradients = _predictionGradients.AsSpan(0, outputs.Length);
            value = _options.Loss.Evaluate(outputs, targets, _data.TargetSize, predictionGradients);
            if (value.Count == 0)
            {
                // Every target of the batch is missing: nothing to learn from.
                return true;
            }

            // Each shard clears and fills its own gradient (shard 0 the run's), then they are added in shard order: the
            // same sums, in the same order, whichever threads ran the shards.
            RunShards(Phase.Backward);
            for (int s = 1; s < _shardCount; s++)
            {
                ElementwiseKernels.Add(_gradients, _shards[s].Gradients, _gradients);
            }

            float norm = GradientClipping.GlobalNorm(_gradients);
            if (!double.IsFinite(value.Mean) || !float.IsFinite(norm))
            {
                if (_options.NonFiniteBehavior == NonFiniteBehavior.SkipBatch)
                {
                    Logger.BatchSkipped(epoch, batchNumber, value.Mean, norm);
                    return false;
                }

                throw new NotFiniteNumberException(
                    $"Training diverged in epoch {epoch}, batch {batchNumber}: loss {value.Mean}, gradient norm {norm}. " +
                    "No weights were changed by this batch; lower the learning rate, clip gradients (GradientClipNorm) " +
                    "or set NonFiniteBehavior.SkipBatch.", value.Mean);
            }

            if (_options.GradientClipNorm is float clip)
            {
                GradientClipping.ClipByGlobalNorm(_gradients, clip);
            }

            _optimizer.Step(_parameters, _gradients, learningRate);
            if (!Guard.AllFinite(_parameters))
            {
                // The optimizer's moments are now suspect too, so skipping is not safe: stop.
                throw new NotFiniteNumberException(
                    $"The optimizer step of epoch {epoch}, batch {batchNumber} produced non-finite weights (learning rate {learningRate}). " +
                    "The returned weights are unchanged; lower the learning rate or clip gradients.");
            }

            return true;
        }

        private double ValidationLoss()
        {
            double sum = 0;
            long count = 0;
            int batchSize = _options.BatchSize;
            for (int start = 0; start < _validationCount; start += batchSize)
            {
                int size = Math.Min(batchSize, _validationCount - start);
                Span<int> indices = _validationIndices.AsSpan(0, size);
                for (int slot = 0; slot < size; slot++)
                {
                    indices[slot] = _trainCount + start + slot;
                }

                ReadOnlySpan<float> targets = Gather(indices);
                RunShards(Phase.Infer);
                ReadOnlySpan<float> outputs = BatchOutputs();
                LossValue value = _options.Loss.Evaluate(outputs, targets, _data.TargetSize, _predictionGradients.AsSpan(0, outputs.Length));
                sum += value.Sum;
                count += value.Count;
            }

            return Mean(sum, count);
        }

        /// <summary>
        /// Cuts the batch into shards, writes each shard's inputs into its own buffer (on this thread: a dataset need not
        /// be thread-safe) and the whole batch's targets into one, and returns the targets.
        /// </summary>
        private ReadOnlySpan<float> Gather(ReadOnlySpan<int> examples)
        {
            int size = examples.Length;
            _batchSize = size;
            _shardCount = BatchShards.Count(size);
            Span<float> targets = _targets.AsSpan(0, _data.TargetSteps * size * _data.TargetSize);
            for (int s = 0; s < _shardCount; s++)
            {
                Shard shard = _shards[s];
                (shard.Start, shard.Rows) = BatchShards.Range(size, _shardCount, s);
                Span<float> inputs = shard.Inputs.AsSpan(0, _data.Steps * shard.Rows * _data.InputSize);
                for (int slot = 0; slot < shard.Rows; slot++)
                {
                    _data.WriteInputs(examples[shard.Start + slot], inputs, shard.Rows, slot);
                }
            }

            for (int slot = 0; slot < size; slot++)
            {
                _data.WriteTargets(examples[slot], targets, size, slot);
            }

            return targets;
        }

        private void RunShards(Phase phase)
        {
            _phase = phase;
            if (_workers is null || _shardCount == 1)
            {
                for (int s = 0; s < _shardCount; s++)
                {
                    RunShard(s);
                }
            }
            else
            {
                _workers.Run(this, _shardCount);
            }
        }

        /// <summary>Runs one shard of the current phase; touches nothing shared but read-only state and the shard's buffers.</summary>
        public void RunShard(int shard)
        {
            Shard own = _shards[shard];
            int rows = own.Rows;
            ReadOnlySpan<float> inputs = own.Inputs.AsSpan(0, _data.Steps * rows * _data.InputSize);
            switch (_phase)
            {
                case Phase.Forward:
                    _network.Forward(_parameters, inputs, _data.Steps, rows, own.Workspace);
                    break;
                case Phase.Infer:
                    _network.Infer(_parameters, inputs, _data.Steps, rows, own.Workspace);
                    break;
                default:
                    Span<float> gradients = shard == 0 ? _gradients : own.Gradients;
                    gradients.Clear();
                    ReadOnlySpan<float> outputGradients = _shardCount == 1
                        ? _predictionGradients.AsSpan(0, own.Workspace.Outputs.Length)
                        : ShardRows(_predictionGradients, own, own.OutputGradients);
                    _network.Backward(_parameters, own.Workspace, outputGradients, gradients, truncationSteps: _options.TruncationSteps);
                    break;
            }
        }

        /// <summary>The outputs of the whole batch: the one shard's, or every shard's copied into their rows of the batch.</summary>
        private ReadOnlySpan<float> BatchOutputs()
        {
            if (_shardCount == 1)
            {
                return _shards[0].Workspace.Outputs;
            }

            int width = _network.OutputSize, batchWidth = _batchSize * width;
            for (int s = 0; s < _shardCount; s++)
            {
                Shard shard = _shards[s];
                ReadOnlySpan<float> outputs = shard.Workspace.Outputs;
                int shardWidth = shard.Rows * width;
                for (int t = 0; t < _targetRowsPerExample; t++)
                {
                    outputs.Slice(t * shardWidth, shardWidth).CopyTo(_outputs.AsSpan((t * batchWidth) + (shard.Start * width), shardWidth));
                }
            }

            return _outputs.AsSpan(0, _targetRowsPerExample * batchWidth);
        }

        /// <summary>Copies a shard's rows of a batch-shaped buffer (target steps×batch×outputs) into <paramref name="destination"/>.</summary>
        private ReadOnlySpan<float> ShardRows(float[] batch, Shard shard, float[] destination)
        {
            int width = _network.OutputSize, batchWidth = _batchSize * width, shardWidth = shard.Rows * width;
            for (int t = 0; t < _targetRowsPerExample; t++)
            {
                batch.AsSpan((t * batchWidth) + (shard.Start * width), shardWidth).CopyTo(destination.AsSpan(t * shardWidth, shardWidth));
            }

            return destination.AsSpan(0, _targetRowsPerExample * shardWidth);
        }

        private static double Mean(double sum, long count) => count == 0 ? double.NaN : sum / count;
    }
}
