using System.Globalization;
using GruAnomaly.Detection;
using GruAnomaly.Evaluation;
using GruAnomaly.Losses;
using GruAnomaly.Preprocessing;
using GruAnomaly.Scoring;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Selection;

/// <summary>
/// Fits one candidate on one fold and measures its held-out loss: the scaler is fitted on the fold's training part, the
/// judged scorer is trained on it exactly as a detector's fit would train it, and the whole prefix up to the end of the
/// fold's block is scored, so every candidate is judged on the same points of the block whatever its window.
/// </summary>
internal sealed class FoldEvaluator
{
    private readonly DetectorSettings _settings;
    private readonly TimeSeries _training;
    private readonly int? _seed;
    private readonly ILogger _logger;
    private readonly (float[] Inputs, float[] Observed)?[] _prepared;

    public FoldEvaluator(DetectorSettings settings, TimeSeries training, IReadOnlyList<TimeSeriesFold> folds, int? seed, ILogger logger)
    {
        _settings = settings;
        _training = training;
        Folds = folds;
        _seed = seed;
        _logger = logger;
        _prepared = new (float[], float[])?[folds.Count];
        Judged = JudgedScorer(settings.Scorer);
    }

    /// <summary>Gets the folds, earliest block first.</summary>
    public IReadOnlyList<TimeSeriesFold> Folds { get; }

    /// <summary>
    /// Gets the scorer whose loss is measured: the detector's scorer, or the first component of a fusion (the one that gives
    /// the expected values). A fusion's own errors are surprises calibrated against each component's training errors, which
    /// calibrate a poor model's large errors away; its first component's loss tells models apart.
    /// </summary>
    public IAnomalyScorer Judged { get; }

    /// <summary>Gets what the losses are, once a fit has shown whether the judged scorer's errors are signed.</summary>
    public string? Criterion { get; private set; }

    /// <summary>The expanding-window folds: <paramref name="folds"/> blocks of ⌊length / (folds + 1)⌋ points at the end of the series.</summary>
    public static TimeSeriesFold[] Split(int length, int folds)
    {
        int block = length / (folds + 1);
        int first = length - (folds * block);
        var result = new TimeSeriesFold[folds];
        for (int k = 0; k < folds; k++)
        {
            int trainLength = first + (k * block);
            result[k] = new TimeSeriesFold(0, trainLength, trainLength, block);
        }

        return result;
    }

    /// <summary>The scorer whose loss is measured (see <see cref="Judged"/>).</summary>
    public static IAnomalyScorer JudgedScorer(IAnomalyScorer scorer) => scorer is FusionScorer fusion ? fusion.Components[0] : scorer;

    /// <summary>
    /// Fits <paramref name="candidate"/> on fold <paramref name="fold"/> and returns its mean held-out loss (+∞ when
    /// training diverged), or null when <paramref name="cancellationToken"/> fired during the fit: the fit is then left out.
    /// </summary>
    public double? Evaluate(SelectionCandidate candidate, int stride, int fold, CancellationToken cancellationToken)
    {
        TimeSeriesFold split = Folds[fold];
        (float[] inputs, float[] observed) = Prepare(fold);
        int features = _training.Features, trainLength = split.TrainLength;
        DetectorSettings settings = _settings with { Window = candidate.Window, Stride = stride, Model = candidate.Model };
        FitChoices choices = FitChoices.Resolve(settings, inputs.AsSpan(0, trainLength * features), trainLength, features);
        TrainerOptions trainer = _seed is int seed ? choices.Trainer with { Seed = seed } : choices.Trainer;
        IFittedScorer scorer;
        try
        {
            scorer = Judged.Fit(new ScorerFitContext
            {
                Inputs = inputs.AsMemory(0, trainLength * features),
                Observed = observed.AsMemory(0, trainLength * features),
                Features = features,
                Window = candidate.Window,
                Stride = choices.Stride,
                Model = choices.Model,
                Trainer = trainer,
                MatrixProvider = settings.MatrixProvider,
                Logger = _logger,
                Timestamps = _training.Timestamps?.Take(trainLength).ToArray(),
            }, progress: null, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (NotFiniteNumberException)
        {
            // A candidate whose training diverges is a poor candidate, not a reason to abandon the others.
            return double.PositiveInfinity;
        }
        catch (ArgumentException e) when (e is not (ArgumentNullException or ArgumentOutOfRangeException))
        {
            throw new ArgumentException(
                $"The training series ({_training.Length} time steps of {features} features) is not enough to fit {candidate} with the {Judged.Name} scorer " +
                $"on fold {fold + 1} of {Folds.Count}, which trains on its first {trainLength} time steps: {e.Message}", "training", e);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        int length = split.TestStart + split.TestLength;
        var expected = new float[length * features];
        var errors = new float[length * features];
        TimedScoring.Score(scorer, inputs, observed, _training.Timestamps, expected, errors);
        return HeldOutLoss(scorer, trainer.Loss, expected, errors, observed, split.TestStart * features, split.TestLength * features);
    }

    /// <summary>
    /// The mean per-value loss over the observed, scored values of the block: the loss in force on the expected value when
    /// the errors are signed residuals of a point loss; their square when they are residuals under another loss (a
    /// baseline beside a likelihood loss); the error itself when it already is a per-value loss (a negative log-likelihood).
    /// </summary>
    private double HeldOutLoss(IFittedScorer scorer, ILoss loss, float[] expected, float[] errors, float[] observed, int from, int count)
    {
        bool pointLoss = scorer.ErrorsAreSigned && loss.PredictionsPerTarget == 1;
        Criterion ??= scorer.ErrorsAreSigned
            ? string.Create(CultureInfo.InvariantCulture, $"mean held-out {(pointLoss ? loss.Name : "squared error")} of the {Judged.Name} scorer's expected values")
            : string.Create(CultureInfo.InvariantCulture, $"mean held-out error of the {Judged.Name} scorer ({loss.Name} per value)");
        float[]? losses = null;
        if (pointLoss)
        {
            losses = new float[count];
            loss.PointLosses(expected.AsSpan(from, count), observed.AsSpan(from, count), _training.Features, losses);
        }

        double sum = 0;
        long observedCount = 0;
        for (int i = 0; i < count; i++)
        {
            float error = errors[from + i];
            if (float.IsNaN(error) || float.IsNaN(observed[from + i]))
            {
                continue;
            }

            sum += losses is not null ? losses[i] : scorer.ErrorsAreSigned ? (double)error * error : error;
            observedCount++;
        }

        return observedCount == 0 ? double.NaN : sum / observedCount;
    }

    /// <summary>Scales the fold's prefix with a scaler fitted on its training part only, as a fit on that part would.</summary>
    private (float[] Inputs, float[] Observed) Prepare(int fold)
    {
        if (_prepared[fold] is { } prepared)
        {
            return prepared;
        }

        TimeSeriesFold split = Folds[fold];
        int features = _training.Features;
        ReadOnlySpan<float> values = _training.Values;
        FittedScaler scaler = _settings.Scaler.Fit(values[..(split.TrainLength * features)], features);
        var prefix = new TimeSeries(values[..((split.TestStart + split.TestLength) * features)], features);
        SeriesPreparation.Prepare(prefix, scaler, _settings.MissingValues, out float[] inputs, out float[] observed);
        _prepared[fold] = (inputs, observed);
        return (inputs, observed);
    }
}
