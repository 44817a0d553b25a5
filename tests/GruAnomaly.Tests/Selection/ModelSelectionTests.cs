using System.Diagnostics;
using System.Reflection;
using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Selection;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Selection;

public sealed class ModelSelectionTests(ITestOutputHelper output)
{
    private const int Period = 6;

    private static readonly TrainerOptions Quick = new() { Epochs = 6, BatchSize = 32, LearningRate = 1e-2f, Seed = 3 };

    /// <summary>A forecast detector with a point loss, so the held-out loss is a plain mean squared error.</summary>
    private static AnomalyDetectorBuilder Builder(TrainerOptions? trainer = null, ListLogger? logger = null)
    {
        AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder()
            .WithScorer(Scorer.Forecast())
            .WithLoss(Loss.Mse)
            .WithTrainer(trainer ?? Quick)
            .WithThreshold(Threshold.MeanPlusSigma(4));
        return logger is null ? builder : builder.WithLogger(logger);
    }

    /// <summary>
    /// A seasonal autoregression at lag <see cref="Period"/>: x[t] = 0.9·x[t − Period] + ε. Points less than a period apart
    /// are independent, so a window shorter than the period holds nothing that predicts the next point, and a window of
    /// more than a period holds the point one period back, which explains 81% of the variance.
    /// </summary>
    private static float[] SeasonalSeries(int length, int seed)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (int t = 0; t < length; t++)
        {
            double noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            x[t] = (float)((t >= Period ? 0.9 * x[t - Period] : 0) + noise);
        }

        return x;
    }

    private static ModelSelectionOptions Options(int[] windows, int[] hidden, int folds = 2, SelectionSearch search = SelectionSearch.Grid) => new()
    {
        Windows = windows,
        HiddenSizes = hidden,
        Folds = folds,
        Search = search,
    };

    private void Print(ModelSelectionResult result)
    {
        output.WriteLine(result.ToString());
        output.WriteLine(result.Criterion);
        foreach (CandidateScore score in result.Candidates)
        {
            output.WriteLine($"  {score}  [{string.Join(", ", score.FoldLosses.Select(l => l.ToString("G4")))}] in {score.FitTime.TotalSeconds:F2} s");
        }
    }

    [Fact]
    public void Chooses_the_window_that_sees_the_period()
    {
        TimeSeries training = SeasonalSeries(1500, seed: 1);
        ModelSelectionResult result = ModelSelection.Select(Builder(Quick with { Epochs = 20 }), training, Options([3, 9], [8]));
        Print(result);

        Assert.Equal(9, result.Chosen.Window);
        Assert.Equal(SelectionStopReason.Completed, result.StopReason);
        Assert.Equal(4, result.FitsDone);
        CandidateScore blind = result.Candidates.Single(c => c.Candidate.Window == 3);
        CandidateScore seeing = result.Candidates.Single(c => c.Candidate.Window == 9);
        // The blind window cannot beat the variance of the series; the other one must have learned part of the lag.
        for (int fold = 0; fold < 2; fold++)
        {
            Assert.True(seeing.FoldLosses[fold] < 0.85 * blind.FoldLosses[fold],
                $"fold {fold + 1}: window 9 {seeing.FoldLosses[fold]:G4} against window 3 {blind.FoldLosses[fold]:G4}");
        }
    }

    [Fact]
    public void Respects_the_fit_budget_exactly_and_fits_cheapest_first()
    {
        TimeSeries training = SeasonalSeries(600, seed: 2);
        var reports = new List<SelectionProgress>();
        ModelSelectionOptions options = Options([4, 8], [3, 6]);
        options.MaxFits = 5;

        ModelSelectionResult result = ModelSelection.Select(Builder(), training, options, new SynchronousProgress<SelectionProgress>(reports.Add));
        Print(result);

        Assert.Equal(5, result.FitsDone);
        Assert.Equal(SelectionStopReason.FitBudget, result.StopReason);
        Assert.True(result.StoppedByBudget);
        Assert.Equal(5, result.Candidates.Sum(c => c.FoldLosses.Count));
        Assert.Equal([1, 2, 3, 4, 5], reports.Select(r => r.Fit));
        Assert.All(reports, r => Assert.Equal(5, r.PlannedFits));
        // Round one (every candidate on fold 1) by cost, window × parameters: (4, 3), (8, 3), (4, 6), (8, 6); then fold 2.
        Assert.Equal([(4, 3, 1), (8, 3, 1), (4, 6, 1), (8, 6, 1)], reports.Take(4).Select(r => (r.Candidate.Window, r.Candidate.HiddenSize, r.Fold)));
        Assert.Equal(2, reports[4].Fold);
        // Only fold 1 was completed by every candidate: the choice compares on it alone.
        Assert.Equal(1, result.ComparedFolds);
        Assert.Equal(result.Candidates.MinBy(c => c.FoldLosses[0])!.Candidate, result.Chosen);

        options.MaxFits = 100;
        ModelSelectionResult all = ModelSelection.Select(Builder(), training, options);
        Assert.Equal(8, all.FitsDone);
        Assert.Equal(SelectionStopReason.Completed, all.StopReason);
        Assert.Equal(2, all.ComparedFolds);
    }

    [Fact]
    public void Successive_halving_keeps_the_better_half_on_each_later_fold()
    {
        TimeSeries training = SeasonalSeries(800, seed: 4);
        var reports = new List<SelectionProgress>();
        ModelSelectionResult result = ModelSelection.Select(Builder(), training, Options([4, 12], [2, 4, 6], folds: 3, SelectionSearch.SuccessiveHalving),
            new SynchronousProgress<SelectionProgress>(reports.Add));
        Print(result);

        // 6 candidates on fold 1, the best 3 on fold 2, the best 2 of those on fold 3.
        Assert.Equal(6 + 3 + 2, result.FitsDone);
        Assert.All(reports, r => Assert.Equal(11, r.PlannedFits));
        Assert.Equal(SelectionStopReason.Completed, result.StopReason);
        CandidateScore[] byFold1 = [.. result.Candidates.OrderBy(c => c.FoldLosses[0])];
        Assert.All(byFold1.Take(3), c => Assert.True(c.FoldLosses.Count >= 2));
        Assert.All(byFold1.Skip(3), c => Assert.Single(c.FoldLosses));
        CandidateScore[] finalists = [.. result.Candidates.Where(c => c.FoldLosses.Count == 3)];
        Assert.Equal(2, finalists.Length);
        Assert.Equal(finalists.MinBy(c => c.MeanLoss)!.Candidate, result.Chosen);
        Assert.Equal(3, result.ComparedFolds);
    }

    [Fact]
    public void A_time_budget_stops_the_search_after_the_first_fit()
    {
        TimeSeries training = SeasonalSeries(600, seed: 5);
        ModelSelectionOptions options = Options([4, 8], [3, 6]);
        options.MaxTime = TimeSpan.FromTicks(1);

        ModelSelectionResult result = ModelSelection.Select(Builder(), training, options);
        Print(result);

        Assert.Equal(1, result.FitsDone);
        Assert.Equal(SelectionStopReason.TimeBudget, result.StopReason);
        Assert.Single(result.ChosenScore.FoldLosses);
        Assert.Equal((4, 3), (result.Chosen.Window, result.Chosen.HiddenSize));
    }

    [Fact]
    public void A_time_budget_stops_a_running_fit_and_leaves_it_out()
    {
        TimeSeries training = SeasonalSeries(3000, seed: 6);
        var logger = new ListLogger();
        // The second candidate would train for minutes; the first in about a second.
        ModelSelectionOptions options = Options([16], [2, 512]);
        options.MaxTime = TimeSpan.FromSeconds(4);
        var clock = Stopwatch.StartNew();

        ModelSelectionResult result = ModelSelection.Select(Builder(Quick with { Epochs = 20 }, logger), training, options);
        clock.Stop();
        Print(result);

        Assert.Equal(1, result.FitsDone);
        Assert.Equal(SelectionStopReason.TimeBudget, result.StopReason);
        Assert.Equal(2, result.Chosen.HiddenSize);
        // A second training started (event 1) and was stopped, not completed.
        Assert.Equal(2, logger.Events.Count(e => e.EventId == 1));
        Assert.Contains(logger.Events, e => e.EventId == 52);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Cancellation_between_fits_throws_and_leaves_the_builder_unchanged()
    {
        TimeSeries training = SeasonalSeries(600, seed: 7);
        IModelFactory model = Models.Gru(hiddenSize: 5);
        AnomalyDetectorBuilder builder = Builder().WithWindow(7, stride: 2).WithModel(model);
        using var cts = new CancellationTokenSource();
        int reports = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => ModelSelection.Select(builder, training, Options([4, 8], [3]),
            new SynchronousProgress<SelectionProgress>(_ =>
            {
                reports++;
                cts.Cancel();
            }), cts.Token));

        Assert.Equal(1, reports);
        AnomalyDetector detector = builder.Build();
        Assert.Equal(7, detector.Settings.Window);
        Assert.Equal(2, detector.Settings.Stride);
        Assert.Same(model, detector.Settings.Model);
    }

    [Fact]
    public void Cancellation_inside_a_fit_is_prompt()
    {
        TimeSeries training = SeasonalSeries(600, seed: 8);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            ModelSelection.Select(Builder(Quick with { Epochs = 200 }), training, Options([32], [256]), cancellationToken: cts.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_cancelled_token_stops_before_any_fit()
    {
        var logger = new ListLogger();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ModelSelection.Select(Builder(logger: logger), SeasonalSeries(600, seed: 9), Options([4], [3]), cancellationToken: new CancellationToken(canceled: true)));
        Assert.DoesNotContain(logger.Events, e => e.EventId == 1);
    }

    [Fact]
    public void The_same_seed_gives_the_same_table_and_another_seed_another()
    {
        TimeSeries training = SeasonalSeries(600, seed: 10);
        ModelSelectionOptions options = Options([4, 12], [3, 6]);
        options.Seed = 11;

        ModelSelectionResult first = ModelSelection.Select(Builder(), training, options);
        ModelSelectionResult second = ModelSelection.Select(Builder(), training, options);
        options.Seed = 12;
        ModelSelectionResult other = ModelSelection.Select(Builder(), training, options);

        // Each run creates its own model factories, so candidates are compared by what they are, not by reference.
        Assert.Equal(first.Chosen.ToString(), second.Chosen.ToString());
        Assert.Equal(first.Candidates.Select(c => $"{c.Candidate}: {string.Join(", ", c.FoldLosses.Select(l => l.ToString("R")))}"),
            second.Candidates.Select(c => $"{c.Candidate}: {string.Join(", ", c.FoldLosses.Select(l => l.ToString("R")))}"));
        // The seed reaches the fits: other initial weights give other losses.
        Assert.NotEqual(first.Candidates.SelectMany(c => c.FoldLosses), other.Candidates.SelectMany(c => c.FoldLosses));
    }

    [Fact]
    public void The_api_takes_no_labels()
    {
        // Model selection sees only what the public methods take: a builder, a series of values, options, progress and a
        // token. A TimeSeries holds values and timestamps, nothing else.
        Type[] allowed = [typeof(AnomalyDetectorBuilder), typeof(TimeSeries), typeof(ModelSelectionOptions), typeof(IProgress<SelectionProgress>), typeof(CancellationToken)];
        foreach (MethodInfo method in typeof(ModelSelection).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            Assert.All(method.GetParameters(), p => Assert.Contains(p.ParameterType, allowed));
        }

        Assert.All(typeof(TimeSeries).GetProperties(), p => Assert.DoesNotContain("label", p.Name, StringComparison.OrdinalIgnoreCase));
        Assert.All(typeof(ModelSelectionOptions).GetProperties(), p => Assert.DoesNotContain("label", p.Name, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ApplyTo_sets_the_chosen_window_stride_and_model()
    {
        TimeSeries training = SeasonalSeries(600, seed: 13);
        ModelSelectionResult result = ModelSelection.Select(Builder(), training, Options([4, 8], [3]));

        AnomalyDetector detector = result.ApplyTo(Builder()).Build();

        Assert.Equal(result.Chosen.Window, detector.Settings.Window);
        Assert.Equal(result.Stride, detector.Settings.Stride);
        Assert.Same(result.Chosen.Model, detector.Settings.Model);
        // No window on the builder: the automatic stride for 600 points is 1.
        Assert.Equal(1, result.Stride);
        FittedAnomalyDetector fitted = detector.Fit(training);
        Assert.Equal(result.Chosen.Window, fitted.Window);
    }

    [Fact]
    public void The_default_scorer_is_judged_by_its_forecast_and_the_automatic_windows_surround_the_builders()
    {
        TimeSeries training = SeasonalSeries(600, seed: 14);
        var logger = new ListLogger();
        AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder().WithTrainer(Quick).WithLoss(Loss.GaussianNll).WithWindow(12).WithLogger(logger);

        ModelSelectionResult result = ModelSelection.Select(builder, training, new ModelSelectionOptions { HiddenSizes = [4], Folds = 1 });
        Print(result);

        Assert.Equal([6, 12, 24], result.Candidates.Select(c => c.Candidate.Window));
        Assert.Contains("forecast", result.Criterion, StringComparison.Ordinal);
        Assert.Contains(Loss.GaussianNll.Name, result.Criterion, StringComparison.Ordinal);
        Assert.Contains(logger.Events, e => e.EventId == 50);
        Assert.Equal(3, logger.Events.Count(e => e.EventId == 51));
        Assert.Contains(logger.Events, e => e.EventId == 53);
        // A 1-fold split trains on the first half and is judged on the second.
        Assert.Equal((0, 300, 300, 300), (result.Folds[0].TrainStart, result.Folds[0].TrainLength, result.Folds[0].TestStart, result.Folds[0].TestLength));
    }

    [Fact]
    public void Null_arguments_are_refused_by_name()
    {
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ModelSelection.Select(null!, SeasonalSeries(100, 1))).ParamName);
        Assert.Equal("training", Assert.Throws<ArgumentNullException>(() => ModelSelection.Select(Builder(), null!)).ParamName);
    }

    [Fact]
    public void Invalid_options_are_listed_at_once()
    {
        var options = new ModelSelectionOptions
        {
            Windows = [],
            HiddenSizes = [0, 4, 4],
            ModelFamilies = [],
            Folds = 0,
            MaxFits = 0,
            MaxTime = TimeSpan.Zero,
            Search = (SelectionSearch)7,
        };

        var e = Assert.Throws<ArgumentException>(() => ModelSelection.Select(Builder(), SeasonalSeries(600, 1), options));

        Assert.Equal("options", e.ParamName);
        foreach (string part in new[]
        {
            "Windows must hold at least one value", "HiddenSizes must all be at least 1; got 0.", "HiddenSizes lists 4 more than once.",
            "ModelFamilies must hold at least one model family", "Folds must be at least 1; got 0.", "MaxFits must be at least 1",
            "MaxTime must be positive", "Search 7 is not one of",
        })
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_series_too_short_for_the_folds_and_windows_says_how_long_it_must_be()
    {
        // Window 16 with the forecast scorer needs 17 + 16 = 33 training steps; with 3 folds the first fold trains on
        // q + r of length 4q + r, so the series needs (33 − 1)·4 + 1 = 129.
        var e = Assert.Throws<ArgumentException>(() => ModelSelection.Select(Builder(), SeasonalSeries(128, 1), Options([4, 16], [3], folds: 3)));

        Assert.Equal("training", e.ParamName);
        Assert.Contains("has 128 time steps", e.Message, StringComparison.Ordinal);
        Assert.Contains("window 16 with the forecast scorer needs 33 training steps", e.Message, StringComparison.Ordinal);
        Assert.Contains("at least 129 time steps", e.Message, StringComparison.Ordinal);

        ModelSelectionOptions enough = Options([4, 16], [3], folds: 3);
        enough.MaxFits = 1;
        Assert.Equal(1, ModelSelection.Select(Builder(), SeasonalSeries(129, 1), enough).FitsDone);

        var tiny = Assert.Throws<ArgumentException>(() => ModelSelection.Select(Builder(), SeasonalSeries(3, 1), Options([2], [3], folds: 3)));
        Assert.Contains("3 folds need at least 4", tiny.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_candidates_and_builders_are_refused_precisely()
    {
        TimeSeries training = SeasonalSeries(600, 1);

        var stride = Assert.Throws<ArgumentException>(() => ModelSelection.Select(Builder().WithWindow(8, stride: 6), training, Options([4, 8], [3])));
        Assert.Contains("candidate window 4 is shorter than the stride 6", stride.Message, StringComparison.Ordinal);

        ModelSelectionOptions nullFamily = Options([4], [3]);
        nullFamily.ModelFamilies = [_ => null!];
        Assert.Contains("ModelFamilies[0] returned null for hidden size 3",
            Assert.Throws<ArgumentException>(() => ModelSelection.Select(Builder(), training, nullFamily)).Message, StringComparison.Ordinal);

        ModelSelectionOptions badFamily = Options([4], [3]);
        badFamily.ModelFamilies = [h => Models.Gru(hiddenSize: h), h => Models.Gru(hiddenSize: h, layers: 0)];
        Assert.Contains("ModelFamilies[1] with hidden size 3:",
            Assert.Throws<ArgumentException>(() => ModelSelection.Select(Builder(), training, badFamily)).Message, StringComparison.Ordinal);

        Assert.Contains("WithSmoothing", Assert.Throws<ArgumentException>(() =>
            ModelSelection.Select(Builder().WithSmoothing(0), training, Options([4], [3]))).Message, StringComparison.Ordinal);

        AnomalyDetectorBuilder used = Builder();
        used.Build();
        Assert.Throws<InvalidOperationException>(() => ModelSelection.Select(used, training, Options([4], [3])));
    }

    [Fact]
    public void Model_families_are_tried_with_every_hidden_size()
    {
        TimeSeries training = SeasonalSeries(600, 15);
        ModelSelectionOptions options = Options([6], [3, 5], folds: 1);
        options.ModelFamilies = [h => Models.Gru(hiddenSize: h), h => Models.Gru(hiddenSize: h, variant: GruVariant.ResetAfter)];

        ModelSelectionResult result = ModelSelection.Select(Builder(), training, options);

        Assert.Equal(["GRU(3)×1", "GRU-reset-after(3)×1", "GRU(5)×1", "GRU-reset-after(5)×1"], result.Candidates.Select(c => c.Candidate.Model.Name));
        Assert.Equal([0, 1, 0, 1], result.Candidates.Select(c => c.Candidate.Family));
        Assert.All(result.Candidates, c => Assert.True(double.IsFinite(c.MeanLoss)));
    }

    [Fact]
    public async Task SelectAsync_gives_what_Select_gives()
    {
        TimeSeries training = SeasonalSeries(600, 16);
        ModelSelectionResult sync = ModelSelection.Select(Builder(), training, Options([4, 8], [3], folds: 1));
        ModelSelectionResult async = await ModelSelection.SelectAsync(Builder(), training, Options([4, 8], [3], folds: 1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(sync.Candidates.Select(c => c.MeanLoss), async.Candidates.Select(c => c.MeanLoss));
        Assert.Equal(sync.Chosen.ToString(), async.Chosen.ToString());
    }

    [Fact]
    public void What_the_progress_callback_throws_reaches_the_caller_unchanged()
    {
        var boom = new InvalidOperationException("the caller's own failure");
        Exception thrown = Assert.Throws<InvalidOperationException>(() => ModelSelection.Select(Builder(), SeasonalSeries(600, 17), Options([4, 8], [3]),
            new SynchronousProgress<SelectionProgress>(_ => throw boom)));
        Assert.Same(boom, thrown);
    }

    /// <summary>Reports on the calling thread (<see cref="Progress{T}"/> posts to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
