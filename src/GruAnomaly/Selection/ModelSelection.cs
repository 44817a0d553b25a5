using System.Diagnostics;
using System.Globalization;
using GruAnomaly.Detection;
using GruAnomaly.Diagnostics;
using GruAnomaly.Evaluation;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Selection;

/// <summary>
/// Chooses a detector's window length and model (hidden size, and optionally the model family) by expanding-window
/// time-series cross-validation on the training series alone: no labels are involved.
/// </summary>
/// <remarks>
/// <para>
/// Each fit trains the detector's own scorer, with the builder's trainer, loss, scaler and missing-value policy, on a
/// fold's training part, and measures its loss on the next block of the series: the mean per-value loss of the detector's
/// own forecast or reconstruction (for the default fused scorer, that of its forecast component; see
/// <see cref="ModelSelectionResult.Criterion"/>). Every candidate is judged on the same points, so windows of different
/// lengths compare fairly. The candidates of the last round compared are ranked by their mean over its folds; ties go
/// to the cheaper candidate (window × parameters).
/// </para>
/// <para>
/// Fits run cheapest first, in the order of <see cref="ModelSelectionOptions.Search"/>. With the same options, series,
/// builder and seed, the choice and every loss are the same run after run on one machine (training is deterministic,
/// see <c>TrainerOptions.Seed</c>), unless <see cref="ModelSelectionOptions.MaxTime"/> ended the search: how far a time
/// budget gets depends on the machine and its load.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// AnomalyDetectorBuilder Configure() => AnomalyDetector.CreateBuilder().WithLogger(logger);
/// ModelSelectionResult selection = ModelSelection.Select(Configure(), training,
///     new ModelSelectionOptions { Windows = [16, 32, 64], HiddenSizes = [16, 32], MaxFits = 12 });
/// AnomalyDetector detector = selection.ApplyTo(Configure()).Build();
/// </code>
/// </example>
public static class ModelSelection
{
    /// <summary>Runs the selection on a background thread; see <see cref="Select"/>.</summary>
    /// <param name="builder">The detector's other choices; read, never changed.</param>
    /// <param name="training">The training series (mostly normal data): the folds are cut from it.</param>
    /// <param name="options">The candidates, folds, search and budget; null for the defaults.</param>
    /// <param name="progress">Receives a report after every fit; may be null.</param>
    /// <param name="cancellationToken">Cancels the selection; nothing is kept.</param>
    /// <returns>The choice and every candidate's losses.</returns>
    public static Task<ModelSelectionResult> SelectAsync(AnomalyDetectorBuilder builder, TimeSeries training, ModelSelectionOptions? options = null,
        IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(training);
        return Task.Run(() => Select(builder, training, options, progress, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Fits every candidate the search reaches on the folds of <paramref name="training"/> and chooses the one with the
    /// lowest mean held-out loss. The builder is read (its choices checked as <c>Build</c> checks them) but never changed
    /// nor used up: apply the choice with <see cref="ModelSelectionResult.ApplyTo"/>.
    /// </summary>
    /// <param name="builder">The detector's other choices (scorer, loss, trainer, scaler, …); its window and model are replaced by the candidates'.</param>
    /// <param name="training">The training series (mostly normal data): the folds are cut from it.</param>
    /// <param name="options">The candidates, folds, search and budget; null for the defaults.</param>
    /// <param name="progress">
    /// Receives a report after every fit, on the selecting thread; may be null. What it throws stops the selection and
    /// reaches the caller unchanged.
    /// </param>
    /// <param name="cancellationToken">Cancels the selection, between fits and inside a fit (between its mini-batches); nothing is kept.</param>
    /// <returns>The choice and every candidate's losses.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="training"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// An option is invalid (all are listed), a builder choice is invalid, a model family returns null or an invalid model,
    /// or the series is too short for the folds and windows asked (the message says how long it must be).
    /// </exception>
    /// <exception cref="InvalidOperationException">The builder has already built a detector.</exception>
    /// <exception cref="OperationCanceledException">The selection was cancelled.</exception>
    public static ModelSelectionResult Select(AnomalyDetectorBuilder builder, TimeSeries training, ModelSelectionOptions? options = null,
        IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(training);
        Plan plan = Plan.Create(builder, training, options ?? new ModelSelectionOptions());
        cancellationToken.ThrowIfCancellationRequested();
        return new Search(plan, progress, cancellationToken).Run();
    }

    /// <summary>The checked options, the candidates in the cheapest-first order, and their strides.</summary>
    private sealed class Plan
    {
        public required FoldEvaluator Evaluator { get; init; }

        public required SelectionCandidate[] Candidates { get; init; }

        public required int[] Strides { get; init; }

        /// <summary>The candidates' indices, cheapest first (window × parameters; ties by index).</summary>
        public required int[] CostOrder { get; init; }

        public required SelectionSearch SearchKind { get; init; }

        public required int? MaxFits { get; init; }

        public required TimeSpan? MaxTime { get; init; }

        public required ILogger Logger { get; init; }

        public required int Length { get; init; }

        public static Plan Create(AnomalyDetectorBuilder builder, TimeSeries training, ModelSelectionOptions options)
        {
            var errors = new List<string>();
            options.Validate(errors);
            if (errors.Count > 0)
            {
                throw new ArgumentException("Invalid model selection options: " + string.Join(" ", errors), nameof(options));
            }

            // Copied so that a caller changing the options during the run changes nothing.
            int folds = options.Folds;
            int[]? windows = options.Windows?.ToArray();
            int[] hiddenSizes = [.. options.HiddenSizes];
            Func<int, IModelFactory>[] families = [.. options.ModelFamilies];
            DetectorSettings settings = builder.ValidatedSettings();
            IAnomalyScorer judged = FoldEvaluator.JudgedScorer(settings.Scorer);
            int length = training.Length, features = training.Features;

            int block = length / (folds + 1);
            if (block == 0)
            {
                throw new ArgumentException(
                    $"The training series has {length} time steps; {folds} folds need at least {folds + 1} (one block per fold and one to train on), and far more to train a model.",
                    nameof(training));
            }

            int firstTrain = length - (folds * block);
            // The builder's fit needs the scorer's minimum length plus one window (see AnomalyDetector.MinimumTrainingLength).
            long Needed(int window) => (long)judged.MinimumLength(window) + window;
            int? givenStride = settings.Window is null ? null : settings.Stride;
            windows ??= AutomaticWindows(settings, training, givenStride, w => Needed(w) <= firstTrain);
            if (windows.Length == 0)
            {
                throw new ArgumentException(TooShort(training, folds, firstTrain, judged, AutomaticBase(settings, training), Needed), nameof(training));
            }

            if (windows.Any(w => Needed(w) > firstTrain))
            {
                throw new ArgumentException(TooShort(training, folds, firstTrain, judged, windows.Where(w => Needed(w) > firstTrain).Min(), Needed), nameof(training));
            }

            foreach (int w in windows.Where(w => givenStride > w))
            {
                errors.Add($"Windows: candidate window {w} is shorter than the stride {givenStride} set with WithWindow; a stride must be at most the window.");
            }

            var candidates = new List<SelectionCandidate>();
            foreach (int window in windows)
            {
                foreach (int hidden in hiddenSizes)
                {
                    for (int f = 0; f < families.Length; f++)
                    {
                        IModelFactory? model = families[f](hidden);
                        if (model is null)
                        {
                            errors.Add($"ModelFamilies[{f}] returned null for hidden size {hidden}.");
                            continue;
                        }

                        var problems = new List<string>();
                        model.Validate(problems);
                        errors.AddRange(problems.Select(p => $"ModelFamilies[{f}] with hidden size {hidden}: {p}"));
                        candidates.Add(new SelectionCandidate(window, hidden, f, model));
                    }
                }
            }

            if (errors.Count > 0)
            {
                throw new ArgumentException("Invalid model selection candidates: " + string.Join(" ", errors.Distinct()), nameof(options));
            }

            int[] strides = [.. candidates.Select(c => givenStride ?? AutomaticStride(c.Window, length))];
            long[] costs = [.. candidates.Select(c => Cost(c, features))];
            int[] order = [.. Enumerable.Range(0, candidates.Count).OrderBy(i => costs[i]).ThenBy(i => i)];
            return new Plan
            {
                Evaluator = new FoldEvaluator(settings, training, FoldEvaluator.Split(length, folds), options.Seed, ForgivingLogger.Wrap(builder.Logger)),
                Candidates = [.. candidates],
                Strides = strides,
                CostOrder = order,
                SearchKind = options.Search,
                MaxFits = options.MaxFits,
                MaxTime = options.MaxTime,
                Logger = ForgivingLogger.Wrap(builder.Logger),
                Length = length,
            };
        }

        /// <summary>Half, once and twice the detector's window, keeping those of at least 2 points (and the given stride) that the first fold trains.</summary>
        private static int[] AutomaticWindows(DetectorSettings settings, TimeSeries training, int? givenStride, Func<int, bool> fits)
        {
            int window = AutomaticBase(settings, training);
            return [.. new[] { window / 2, window, window * 2 }.Distinct().Where(w => w >= Math.Max(2, givenStride ?? 1) && fits(w))];
        }

        /// <summary>The builder's window, else the one a fit on the whole series would choose.</summary>
        private static int AutomaticBase(DetectorSettings settings, TimeSeries training)
        {
            if (settings.Window is int given)
            {
                return given;
            }

            FittedScaler scaler = settings.Scaler.Fit(training.Values, training.Features);
            SeriesPreparation.Prepare(training, scaler, settings.MissingValues, out float[] inputs, out _);
            return FitChoices.Resolve(settings, inputs, training.Length, training.Features).Window;
        }

        /// <summary>The detector's automatic stride for a window on the whole series (see <see cref="FitChoices"/>).</summary>
        private static int AutomaticStride(int window, int length)
        {
            int windows = Math.Max(1, length - window);
            return Math.Min(window, Math.Max(1, (windows + FitChoices.MaximumWindowsPerEpoch - 1) / FitChoices.MaximumWindowsPerEpoch));
        }

        /// <summary>Work per training window: one cell step per point of the window, each touching every parameter.</summary>
        private static long Cost(SelectionCandidate candidate, int features) =>
            candidate.Window * candidate.Model.CreateLayers(features).Sum(cell => cell.Parameters.Sum(p => (long)p.Length));

        private static string TooShort(TimeSeries training, int folds, int firstTrain, IAnomalyScorer judged, int window, Func<int, long> needed)
        {
            long steps = needed(window);
            // The first fold trains on q + r steps of length = q·(folds + 1) + r (0 ≤ r ≤ folds); from (steps − 1)·(folds + 1) + 1 on, every length gives it enough.
            long length = ((steps - 1) * (folds + 1)) + 1;
            return string.Create(CultureInfo.InvariantCulture,
                $"The training series has {training.Length} time steps; with {folds} fold{(folds == 1 ? string.Empty : "s")} the first fold trains on its first {firstTrain} " +
                $"(length − folds × ⌊length / (folds + 1)⌋), but window {window} with the {judged.Name} scorer needs {steps} training steps, so the series needs at least " +
                $"{length} time steps. Use fewer folds, shorter windows or a longer series.");
        }
    }

    /// <summary>One run of the search: the rounds, the budget, the choice.</summary>
    private sealed class Search(Plan plan, IProgress<SelectionProgress>? progress, CancellationToken cancellationToken)
    {
        private readonly List<double>[] _losses = [.. plan.Candidates.Select(_ => new List<double>())];
        private readonly TimeSpan[] _times = new TimeSpan[plan.Candidates.Length];
        private readonly int[] _rank = Ranks(plan.CostOrder);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _fits;

        public ModelSelectionResult Run()
        {
            int folds = plan.Evaluator.Folds.Count;
            int planned = PlannedFits(plan.Candidates.Length, folds, plan.SearchKind);
            if (plan.MaxFits is int max)
            {
                planned = Math.Min(planned, max);
            }

            plan.Logger.SelectionStarted(plan.Candidates.Length, folds, plan.Length, plan.SearchKind.ToString(), planned);
            List<int> alive = [.. plan.CostOrder];
            List<int>? lastComplete = null;
            int completeRounds = 0;
            SelectionStopReason stop = SelectionStopReason.Completed;
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            for (int round = 0; round < folds && stop == SelectionStopReason.Completed; round++)
            {
                foreach (int i in alive)
                {
                    stop = RunFit(i, round, folds, planned, budget);
                    if (stop != SelectionStopReason.Completed)
                    {
                        break;
                    }
                }

                if (stop != SelectionStopReason.Completed)
                {
                    break;
                }

                lastComplete = alive;
                completeRounds = round + 1;
                if (plan.SearchKind == SelectionSearch.SuccessiveHalving)
                {
                    alive = Halve(alive, completeRounds);
                }
            }

            if (stop != SelectionStopReason.Completed)
            {
                plan.Logger.SelectionBudgetSpent(stop == SelectionStopReason.FitBudget ? "fit" : "time", _fits, _clock.Elapsed);
            }

            // Compared on the folds every candidate of the last complete round has; with none complete, on the first fold.
            int compared = Math.Max(1, completeRounds);
            List<int> pool = lastComplete ?? [.. plan.CostOrder.Where(i => _losses[i].Count > 0)];
            int chosen = Best(pool, compared);
            CandidateScore[] scores = [.. Enumerable.Range(0, plan.Candidates.Length).Select(i => new CandidateScore(plan.Candidates[i], _losses[i].AsReadOnly(), _times[i]))];
            string criterion = plan.Evaluator.Criterion ?? "none (no fit completed)";
            plan.Logger.SelectionChose(plan.Candidates[chosen].ToString(), plan.Strides[chosen], Mean(chosen, compared), compared, criterion, _fits, _clock.Elapsed);
            return new ModelSelectionResult(scores[chosen], plan.Strides[chosen], compared, scores, plan.Evaluator.Folds, plan.SearchKind, criterion,
                _fits, _clock.Elapsed, stop);
        }

        /// <summary>Runs one fit unless the budget is spent; returns why the search must stop, or Completed to go on.</summary>
        private SelectionStopReason RunFit(int candidate, int fold, int folds, int planned, CancellationTokenSource budget)
        {
            if (_fits >= plan.MaxFits)
            {
                return SelectionStopReason.FitBudget;
            }

            cancellationToken.ThrowIfCancellationRequested();
            CancellationToken token = cancellationToken;
            // The first fit always completes, so that there is something to choose; later ones stop when the time is up.
            if (_fits > 0 && plan.MaxTime is TimeSpan maxTime)
            {
                TimeSpan left = maxTime - _clock.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    return SelectionStopReason.TimeBudget;
                }

                budget.CancelAfter(left);
                token = budget.Token;
            }

            long started = Stopwatch.GetTimestamp();
            SelectionCandidate c = plan.Candidates[candidate];
            double? loss = plan.Evaluator.Evaluate(c, plan.Strides[candidate], fold, token);
            cancellationToken.ThrowIfCancellationRequested();
            if (loss is not double value)
            {
                return SelectionStopReason.TimeBudget;
            }

            _fits++;
            _losses[candidate].Add(value);
            _times[candidate] += Stopwatch.GetElapsedTime(started);
            plan.Logger.SelectionFit(_fits, planned, c.ToString(), fold + 1, folds, value, _clock.Elapsed);
            progress?.Report(new SelectionProgress(_fits, planned, c, fold + 1, folds, value, _clock.Elapsed));
            return SelectionStopReason.Completed;
        }

        /// <summary>Keeps the better half (at least two) by mean loss over the folds so far, in the cheapest-first order.</summary>
        private List<int> Halve(List<int> alive, int folds)
        {
            int keep = Math.Max(Math.Min(2, alive.Count), (alive.Count + 1) / 2);
            return [.. alive.OrderBy(i => Key(i, folds)).ThenBy(i => _rank[i]).Take(keep).OrderBy(i => _rank[i])];
        }

        private int Best(List<int> pool, int folds) => pool.OrderBy(i => Key(i, folds)).ThenBy(i => _rank[i]).First();

        /// <summary>The mean loss over the first folds; a diverged or unscored candidate ranks last.</summary>
        private double Key(int candidate, int folds)
        {
            double mean = Mean(candidate, folds);
            return double.IsFinite(mean) ? mean : double.PositiveInfinity;
        }

        private double Mean(int candidate, int folds) =>
            _losses[candidate].Count == 0 ? double.NaN : _losses[candidate].Take(folds).Average();

        private static int[] Ranks(int[] order)
        {
            var rank = new int[order.Length];
            for (int r = 0; r < order.Length; r++)
            {
                rank[order[r]] = r;
            }

            return rank;
        }

        /// <summary>The fits the search runs without a budget: every candidate on every fold, or halving (at least two stay).</summary>
        private static int PlannedFits(int candidates, int folds, SelectionSearch search)
        {
            if (search == SelectionSearch.Grid)
            {
                return candidates * folds;
            }

            int total = 0;
            for (int round = 0, alive = candidates; round < folds; round++)
            {
                total += alive;
                alive = Math.Max(Math.Min(2, alive), (alive + 1) / 2);
            }

            return total;
        }
    }
}
