using System.Diagnostics.Metrics;
using GruAnomaly.Diagnostics;
using GruAnomaly.Losses;
using GruAnomaly.Numerics;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GruAnomaly.Detection;

/// <summary>
/// Collects the choices of a detector; <see cref="Build"/> checks them all at once and returns an immutable
/// <see cref="AnomalyDetector"/>. A builder builds once.
/// </summary>
public sealed class AnomalyDetectorBuilder
{
    /// <summary>The risk level of the default threshold: the share of normal scores expected above it.</summary>
    public const double DefaultRiskLevel = AutomaticThresholdStrategy.DefaultRiskLevel;

    private int? _window;
    private int? _stride;
    private IModelFactory? _model;
    private bool _modelGiven;
    private IAnomalyScorer _scorer = Scoring.Scorer.Default();
    private TrainerOptions? _trainer;
    private bool _trainerGiven;
    private ILoss? _loss;
    private IScalerStrategy _scaler = Preprocessing.Scaler.Standard();
    private MissingValuePolicy _missingValues = MissingValuePolicy.Mask;
    private IErrorCombination _combination = ErrorCombination.Mean;
    private int? _smoothingSpan;
    private IScoreNormalization _normalization = ScoreNormalization.RobustZ();
    private IThresholdStrategy _threshold = Thresholds.Threshold.Automatic(riskLevel: DefaultRiskLevel);
    private EventRules? _eventRules;
    private IMatrixProvider _matrixProvider = ManagedMatrixProvider.Instance;
    private ILogger _logger = NullLogger.Instance;
    private IMeterFactory? _meterFactory;
    private bool _meterFactoryGiven;
    private OnlineAdaptation? _adaptation;
    private bool _adaptationGiven;
    private int? _seed;
    private bool _built;

    internal AnomalyDetectorBuilder()
    {
    }

    /// <summary>Sets the context length and the distance between training windows.</summary>
    /// <param name="window">Points of context the model reads; by default it is chosen from the training series' dominant period (see <see cref="FitChoices"/>).</param>
    /// <param name="stride">Distance between the starts of training windows, 1 to <paramref name="window"/>; the default is 1.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithWindow(int window, int stride = 1)
    {
        ThrowIfBuilt();
        _window = window;
        _stride = stride;
        return this;
    }

    /// <summary>Sets which recurrent layers to build, for example <c>Models.Gru(hiddenSize: 64, layers: 2)</c> or a custom cell.</summary>
    /// <param name="model">The model strategy; by default a one-layer GRU of 16, 32 or 64 units by the length of the training series.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithModel(IModelFactory model)
    {
        ThrowIfBuilt();
        _model = model;
        _modelGiven = true;
        return this;
    }

    /// <summary>Sets how a window becomes an error: <c>Scorer.Forecast()</c>, <c>Scorer.Reconstruction()</c>, a fusion, a baseline, or your own.</summary>
    /// <param name="scorer">The scoring strategy; the default is <see cref="Scoring.Scorer.Default"/> (the GRU's one-step forecast fused with a rolling z-score, a windowed Gaussian and two nearest-neighbour distances).</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithScorer(IAnomalyScorer scorer)
    {
        ThrowIfBuilt();
        _scorer = scorer;
        return this;
    }

    /// <summary>
    /// Sets the trainer options (epochs, batch size, optimizer, early stopping, seed, …). By default the epochs are chosen
    /// from the series length (10 to 50) with early stopping on the validation tail.
    /// </summary>
    /// <param name="options">The options; their <see cref="TrainerOptions.Loss"/> is replaced by <see cref="WithLoss"/> when that is called.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithTrainer(TrainerOptions options)
    {
        ThrowIfBuilt();
        _trainer = options;
        _trainerGiven = true;
        return this;
    }

    /// <summary>Adjusts the trainer options, starting from the current ones (or <c>new TrainerOptions()</c>): <c>t => t with { Epochs = 20 }</c>.</summary>
    /// <param name="configure">Returns the new options.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithTrainer(Func<TrainerOptions, TrainerOptions> configure)
    {
        ThrowIfBuilt();
        ArgumentNullException.ThrowIfNull(configure);
        _trainer = configure(_trainer ?? new TrainerOptions());
        _trainerGiven = true;
        return this;
    }

    /// <summary>
    /// Sets the seed of every random choice of the fit (the initial weights and the shuffling), and keeps every other
    /// choice as it is: the automatic trainer options stay automatic. Trainer options given to <see cref="WithTrainer(TrainerOptions)"/>
    /// have their <see cref="TrainerOptions.Seed"/> replaced, as <see cref="WithLoss"/> replaces their loss. The same seed, series
    /// and choices give the same fitted detector.
    /// </summary>
    /// <param name="seed">Any value; without this call the seed is the trainer options' (0 for the automatic ones).</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithSeed(int seed)
    {
        ThrowIfBuilt();
        _seed = seed;
        return this;
    }

    /// <summary>Sets the training loss; a likelihood loss such as <see cref="Loss.GaussianNll"/> makes the score a negative log-likelihood.</summary>
    /// <param name="loss">The loss; the default is the trainer options' loss when they are given, otherwise <see cref="Loss.GaussianNll"/> (the score is then a negative log-likelihood).</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithLoss(ILoss loss)
    {
        ThrowIfBuilt();
        _loss = loss;
        return this;
    }

    /// <summary>Sets how each feature is scaled, fitted on the training series only.</summary>
    /// <param name="scaler">The scaler; the default is standardization (z-score).</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithScaler(IScalerStrategy scaler)
    {
        ThrowIfBuilt();
        _scaler = scaler;
        return this;
    }

    /// <summary>Sets what happens to missing values (NaN).</summary>
    /// <param name="policy">The policy; the default masks them (not scored, skipped in the loss, the model reads the last value).</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithMissingValues(MissingValuePolicy policy)
    {
        ThrowIfBuilt();
        _missingValues = policy;
        return this;
    }

    /// <summary>Sets how the per-feature errors of a time step become one score.</summary>
    /// <param name="combination">The combination; the default is the mean.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithErrorCombination(IErrorCombination combination)
    {
        ThrowIfBuilt();
        _combination = combination;
        return this;
    }

    /// <summary>Smooths scores with an exponentially weighted moving average before thresholding, as telemanom does.</summary>
    /// <param name="span">The span in time steps, at least 1 (1 means no smoothing); by default half the window.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithSmoothing(int span)
    {
        ThrowIfBuilt();
        _smoothingSpan = span;
        return this;
    }

    /// <summary>
    /// Sets how raw scores are put on the scale of recent scores before the threshold sees them, so that a lasting change
    /// in the level of normal error does not fire an alarm at every point.
    /// </summary>
    /// <param name="normalization">The normalization; the default is <see cref="ScoreNormalization.RobustZ"/> over the last 2000 scores.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithScoreNormalization(IScoreNormalization normalization)
    {
        ThrowIfBuilt();
        _normalization = normalization;
        return this;
    }

    /// <summary>Sets the threshold strategy, fitted on held-out training scores.</summary>
    /// <param name="threshold">The strategy; the default is <see cref="Threshold.Automatic"/> at <see cref="DefaultRiskLevel"/> (peaks-over-threshold with an exponential tail where the calibration scores allow).</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithThreshold(IThresholdStrategy threshold)
    {
        ThrowIfBuilt();
        _threshold = threshold;
        return this;
    }

    /// <summary>Sets how flagged points become events (merging, minimum length, suppression, pruning).</summary>
    /// <param name="rules">
    /// The rules; the default prunes weak events as telemanom does (minimum percent decrease 0.13) when scores are
    /// errors, and keeps every run of flagged points when they are negative log-likelihoods (which can be negative).
    /// </param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithEventRules(EventRules rules)
    {
        ThrowIfBuilt();
        ArgumentNullException.ThrowIfNull(rules);
        _eventRules = rules;
        return this;
    }

    /// <summary>
    /// Sets what computes the models' matrix products, for example <c>MatrixProviders.TryUseNativeMkl(logger, out var provider)</c>
    /// or a <see cref="NativeBlasMatrixProvider"/>.
    /// </summary>
    /// <param name="provider">The provider; the default is the managed SIMD kernel.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithMatrixProvider(IMatrixProvider provider)
    {
        ThrowIfBuilt();
        _matrixProvider = provider;
        return this;
    }

    /// <summary>
    /// Fine-tunes the model while a series is scored, so that the detector follows a slow drift of normal behaviour: every
    /// <see cref="OnlineAdaptation.Every"/> points it learns from the recent points that were not flagged. The fitted
    /// detector itself never changes; each call of <see cref="FittedAnomalyDetector.Detect"/> starts from the fitted weights.
    /// </summary>
    /// <param name="options">The settings, for example <c>new OnlineAdaptation { Every = 500 }</c>; by default there is no adaptation.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithOnlineAdaptation(OnlineAdaptation options)
    {
        ThrowIfBuilt();
        _adaptation = options;
        _adaptationGiven = true;
        return this;
    }

    /// <summary>
    /// Sets where fitting reports go. Logging never aborts the detector's work: an exception thrown by the logger (by
    /// <c>Log</c>, <c>IsEnabled</c> or <c>BeginScope</c>) is caught and dropped, and that event is lost. To stop a fit
    /// from the outside, use the progress callback or the cancellation token of <see cref="AnomalyDetector.Fit"/>.
    /// </summary>
    /// <param name="logger">The logger; the default discards.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithLogger(ILogger logger)
    {
        ThrowIfBuilt();
        _logger = logger;
        return this;
    }

    /// <summary>
    /// Sets what creates the detector's meter (see <see cref="Diagnostics.Telemetry"/> for the meter, its instruments and
    /// the activity source), for example the dependency-injection container's <see cref="IMeterFactory"/>. The factory
    /// shares one meter among all detectors and disposes it with itself.
    /// </summary>
    /// <param name="meterFactory">The factory; by default the detector creates a meter of its own, which the detectors it fits and their streams share.</param>
    /// <returns>This builder.</returns>
    public AnomalyDetectorBuilder WithMeterFactory(IMeterFactory meterFactory)
    {
        ThrowIfBuilt();
        _meterFactory = meterFactory;
        _meterFactoryGiven = true;
        return this;
    }

    /// <summary>
    /// Checks every choice and creates the detector. Every invalid choice is listed at once, including the invalid
    /// arguments of the built-in factories (<c>Models.Gru(hiddenSize: -1)</c>, <c>Threshold.Quantile(1.5)</c>, …), which
    /// record them instead of throwing; a custom strategy joins in through its <c>Validate</c> member.
    /// </summary>
    /// <returns>The immutable, unfitted detector.</returns>
    /// <exception cref="ArgumentException">Some choices are invalid; the message lists all of them with the allowed ranges.</exception>
    /// <exception cref="InvalidOperationException">This builder has already built a detector.</exception>
    public AnomalyDetector Build()
    {
        ThrowIfBuilt();
        DetectorSettings settings = ValidatedSettings();
        _built = true;
        return new AnomalyDetector(settings, _logger, DetectorTelemetry.Create(_meterFactory));
    }

    /// <summary>Gets where fitting reports go (model selection reports there too).</summary>
    internal ILogger Logger => _logger;

    /// <summary>
    /// Checks every choice, as <see cref="Build"/> does, and returns them without using up the builder: model selection
    /// reads the choices this way and leaves the builder as it was.
    /// </summary>
    /// <exception cref="ArgumentException">Some choices are invalid; the message lists all of them.</exception>
    /// <exception cref="InvalidOperationException">This builder has already built a detector.</exception>
    internal DetectorSettings ValidatedSettings()
    {
        ThrowIfBuilt();
        var errors = new List<string>();
        if (_window < 1) errors.Add($"WithWindow: window must be at least 1; got {_window}.");
        if (_window is int window && window >= 1 && _scorer is not null)
        {
            // Computed in 64 bits: near int.MaxValue the int sum wraps negative and would pass any length check.
            long minimum = (long)_scorer.MinimumLength(window) + window;
            if (_scorer.MinimumLength(window) < 1 || minimum > Array.MaxLength)
            {
                errors.Add($"WithWindow: window {window} needs a training series of more than Array.MaxLength = {Array.MaxLength} time steps (scorer {_scorer.Name}); window must be at most {Array.MaxLength / 2 - 64}.");
            }

            if (window > _scorer.MaximumWindow)
            {
                errors.Add($"WithWindow: window {window} is longer than the {_scorer.MaximumWindow} steps the scorer {_scorer.Name} can take " +
                    $"(its MaximumWindow; a nearest-neighbour distance without a length searches that many training steps); use a window of at most " +
                    $"{_scorer.MaximumWindow}, or a scorer that takes it, such as one whose Scorer.NearestNeighbour(reference: …) keeps at least the window.");
            }
        }

        if (_stride < 1 || _stride > Math.Max(_window ?? 1, 1)) errors.Add($"WithWindow: stride must be in [1, window = {_window}]; got {_stride}.");
        if (_modelGiven && _model is null) errors.Add("WithModel: the model must not be null.");
        if (_trainerGiven && _trainer is null) errors.Add("WithTrainer: the options must not be null.");
        if (_scorer is null) errors.Add("WithScorer: the scorer must not be null.");
        if (_scaler is null) errors.Add("WithScaler: the scaler must not be null.");
        if (_combination is null) errors.Add("WithErrorCombination: the combination must not be null.");
        if (_threshold is null) errors.Add("WithThreshold: the threshold must not be null.");
        if (_normalization is null) errors.Add("WithScoreNormalization: the normalization must not be null.");
        if (_logger is null) errors.Add("WithLogger: the logger must not be null.");
        if (_matrixProvider is null) errors.Add("WithMatrixProvider: the provider must not be null.");
        if (_meterFactoryGiven && _meterFactory is null) errors.Add("WithMeterFactory: the factory must not be null (leave it out for a meter of the detector's own).");
        // The factories (Model.*, Threshold.*, Scorer.*, ScoreNormalization.*, Scaler.*) record invalid arguments instead of
        // throwing, so that they are listed here with everything else.
        var strategyProblems = new List<string>();
        _model?.Validate(strategyProblems);
        errors.AddRange(strategyProblems.Select(e => "WithModel: " + e));
        strategyProblems.Clear();
        _threshold?.Validate(strategyProblems);
        errors.AddRange(strategyProblems.Select(e => "WithThreshold: " + e));
        if (_normalization is IInvalidChoice badNormalization) errors.Add("WithScoreNormalization: " + badNormalization.Problem);
        if (_scaler is IInvalidChoice badScaler) errors.Add("WithScaler: " + badScaler.Problem);
        if (!Enum.IsDefined(_missingValues)) errors.Add($"WithMissingValues: {_missingValues} is not one of Mask, Interpolate, ForwardFill.");
        if (_smoothingSpan < 1) errors.Add($"WithSmoothing: span must be at least 1 (1 = none); got {_smoothingSpan}.");
        TrainerOptions? given = _trainer is null || _loss is null ? _trainer : _trainer with { Loss = _loss };
        given = given is null || _seed is not int seed ? given : given with { Seed = seed };
        // Left alone, the detector forecasts a mean and a variance: the score is then the negative log-likelihood of the
        // observation, which judges an error against the noise the model expects at that point (quality benchmark, issue 10).
        ILoss loss = _loss ?? _trainer?.Loss ?? Losses.Loss.GaussianNll;

        // Automatic trainer options are checked as the defaults they start from, with the loss in force.
        TrainerOptions trainer = given ?? new TrainerOptions { Loss = loss };
        var trainerErrors = new List<string>();
        trainer.Validate(trainerErrors);
        errors.AddRange(trainerErrors.Select(e => "WithTrainer: " + e));
        if (_scorer is not null)
        {
            var scorerErrors = new List<string>();
            _scorer.Validate(trainer, scorerErrors);
            errors.AddRange(scorerErrors.Select(e => "WithScorer: " + e));
        }

        if (trainer.Loss is ILoss { PredictionsPerTarget: > 1 } likelihood && _eventRules?.MinimumPercentDecrease is not null)
        {
            errors.Add($"WithEventRules: pruning by minimum percent decrease needs non-negative scores, but the loss {likelihood.Name} " +
                "makes the score a negative log-likelihood, which can be negative; leave MinimumPercentDecrease null.");
        }
        else if (_normalization is RunningScoreNormalization { Kind: RunningScoreNormalization.Statistic.RobustZ } robust
            && _eventRules?.MinimumPercentDecrease is not null)
        {
            errors.Add($"WithEventRules: pruning by minimum percent decrease needs non-negative scores, but the normalization {robust.Name} " +
                "gives negative ones below the median; use ScoreNormalization.RatioToMedian() or ScoreNormalization.None, or leave MinimumPercentDecrease null.");
        }

        if (_normalization is RunningScoreNormalization { ExcludeFlagged: true } gated && _threshold is DynamicThresholdStrategy)
        {
            errors.Add($"WithScoreNormalization: {gated.Name} keeps flagged scores out of its history, which needs each score judged " +
                "before the next is normalized, but the dynamic threshold judges a score only once the scores after it are seen; " +
                "use a threshold that moves causally, or a normalization with excludeFlagged: false.");
        }

        if (_adaptationGiven)
        {
            ValidateAdaptation(errors);
        }

        if (_model is GruDModelFactory)
        {
            ValidateGruD(errors);
        }

        if (_combination is { RequiresSignedErrors: true } && loss.PredictionsPerTarget > 1)
        {
            errors.Add($"WithErrorCombination: {_combination.Name} needs signed residuals, but the loss {loss.Name} makes the scorer " +
                "report per-feature likelihood losses (the default loss is Gaussian NLL); use ErrorCombination.Mean or a point loss such as WithLoss(Loss.Mse).");
        }

        if (_combination is { RequiresSignedErrors: true } && _scorer is FusionScorer)
        {
            errors.Add($"WithErrorCombination: {_combination.Name} needs signed residuals, but the scorer {_scorer.Name} fuses calibrated " +
                "surprises (the default scorer is such a fusion); use ErrorCombination.Mean, or WithScorer(Scorer.Forecast()) with a point loss such as WithLoss(Loss.Mse).");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid detector configuration: " + string.Join(" ", errors));
        }

        EventRules rules = _eventRules ?? new EventRules();
        return new DetectorSettings(_window, _window is null ? _stride : _stride ?? 1, _model, _scorer!, given, loss, _scaler!,
            _missingValues, _combination!, _smoothingSpan, _normalization!, _threshold!, rules, _matrixProvider!, _adaptation, _seed);
    }

    /// <summary>GRU-D models the gaps itself: it needs them left open, and a scorer that builds its input rows.</summary>
    private void ValidateGruD(List<string> errors)
    {
        if (_missingValues != MissingValuePolicy.Mask && Enum.IsDefined(_missingValues))
        {
            errors.Add($"WithModel: {_model!.Name} reads which values are missing and learns how to fill them, so it needs " +
                $"WithMissingValues(MissingValuePolicy.Mask); {_missingValues} fills the gaps before the model could see them.");
        }

        // The forecast scorer builds GRU-D's rows; the baselines train no model. Any other scorer would feed the cell the bare series.
        static bool Serves(IAnomalyScorer scorer) =>
            scorer is ForecastScorer or NaiveScorer or RollingZScoreScorer or WindowedGaussianScorer or NearestNeighbourScorer or SlidingNearestNeighbourScorer
                or MultiLengthNearestNeighbourScorer;
        bool forecasts = _scorer is ForecastScorer || (_scorer is FusionScorer fusion && fusion.Components.All(Serves));
        if (_scorer is not null && !forecasts)
        {
            errors.Add($"WithModel: {_model!.Name} builds its input rows only in the forecast scorer; use WithScorer(Scorer.Forecast()) " +
                $"(or the default fusion of it with a baseline) instead of {_scorer.Name}.");
        }

        if (_adaptationGiven && _adaptation is not null)
        {
            errors.Add($"WithOnlineAdaptation: {_model!.Name} cannot be fine-tuned online yet; leave online adaptation off, or use Models.Gru.");
        }
    }

    private void ValidateAdaptation(List<string> errors)
    {
        if (_adaptation is null)
        {
            errors.Add("WithOnlineAdaptation: the options must not be null (online adaptation is off unless this is called).");
            return;
        }

        var adaptationErrors = new List<string>();
        _adaptation.Validate(adaptationErrors);
        errors.AddRange(adaptationErrors.Select(e => "WithOnlineAdaptation: " + e));
        if (_scorer is { IsAdaptable: false })
        {
            errors.Add($"WithOnlineAdaptation: the scorer {_scorer.Name} cannot be fine-tuned (its fitted scorers are not IAdaptableScorer); " +
                "use Scorer.Forecast() or Scorer.Reconstruction(), or leave online adaptation off.");
        }

        int? minimum = _window is int window && window >= 1 && _scorer is not null ? _scorer.MinimumLength(window) : null;
        if (_adaptation.Recent < minimum)
        {
            errors.Add($"WithOnlineAdaptation: Recent must be at least the {minimum} points that scorer {_scorer!.Name} needs with window {_window} (fewer teach the model nothing); got {_adaptation.Recent}.");
        }
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("This builder has already built a detector; create a new one with AnomalyDetector.CreateBuilder().");
        }
    }
}
