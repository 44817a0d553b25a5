using GruAnomaly.Detection;
using GruAnomaly.Scoring;
using GruAnomaly.Selection;

namespace GruAnomaly.Quality;

/// <summary>The configurations the benchmark knows, by the names given on the command line.</summary>
internal static class Candidates
{
    /// <summary>What every user gets who sets nothing.</summary>
    public static Candidate Default { get; } = new("default", false, b => b);

    /// <summary>
    /// Cheap scorers through the same detector (scaling, normalization, threshold, alarms), so that only the score differs.
    /// The "repeat the last value" forecaster's error is the absolute first difference, so it is listed once.
    /// </summary>
    public static IReadOnlyList<Candidate> Baselines { get; } =
    [
        new("rolling z-score", true, b => b.WithScorer(Scorer.RollingZScore())),
        new("first difference", true, b => b.WithScorer(Scorer.Naive(lag: 1))),
        // NAB's windowed Gaussian reads a long window; 500 points fit into the shortest test split (926 points).
        new("windowed Gaussian", true, b => b.WithScorer(Scorer.WindowedGaussian(window: 500))),
        new("repeat last period", true, (b, training) => b.WithScorer(Scorer.Naive(lag: Period(training)))),
    ];

    /// <summary>The other scorers, losses and options, each otherwise at the defaults.</summary>
    public static IReadOnlyList<Candidate> Variants { get; } =
    [
        new("forecast only", false, b => b.WithScorer(Scorer.Forecast())),
        // The default until the five-part fusion calibrating points replaced it (quality-2026-12-03-default.md), with the
        // automatic threshold's risk it had then.
        // The default until the plain distance ran at three lengths (quality-2026-12-03-multi-length.md).
        new("default with one length", false, b => b.WithScorer(FivePartPerPoint(Scorer.WindowedGaussian(window: 500), 2000))),
        new("previous default", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore())).WithThreshold(Thresholds.Threshold.Automatic(3e-4, Thresholds.TailModel.GeneralizedPareto))),
        new("squared error", false, b => b.WithLoss(Losses.Loss.Mse)),
        new("reconstruction", false, b => b.WithLoss(Losses.Loss.Mse).WithScorer(Scorer.Reconstruction())),
        new("fusion with first difference", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.Naive(), Scorer.RollingZScore()))),
        new("fusion by rank", false, b => b.WithScorer(Scorer.Fusion(FusionMethod.Rank, Scorer.Forecast(), Scorer.RollingZScore()))),
        new("online adaptation", false, b => b.WithOnlineAdaptation(new OnlineAdaptation())),
        new("carried state", false, b => b.WithScorer(Scorer.CarriedStateForecast())),
        // The default with attention pooling in its forecaster: only the head's input differs.
        new("attention 16", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(attention: 16), Scorer.RollingZScore()))),
        // The default with LSTM layers of the width the automatic model gives the GRU (16/32/64 units by series length).
        new("LSTM", false, (b, training) => b.WithModel(Recurrent.Models.Lstm(AutomaticWidth(training)))),
        // The default's GRU behind a causal convolution (8 channels, kernel 3, dilation 2), sizes fixed before any run.
        new("convolution", false, (b, training) => b.WithModel(Recurrent.Models.WithConvolution(Recurrent.Models.Gru(AutomaticWidth(training)), 8, 3, 2))),
        // The nearest-neighbour (discord) distance alone: no model, the best single scorer on PR-AUC so far
        // (quality-2026-12-03-nearest-neighbour.md).
        new("nearest neighbour", false, b => b.WithScorer(Scorer.NearestNeighbour())),
    ];

    /// <summary>
    /// The default with one part of its score or decision layer changed, measured for issue 10's per-series target
    /// (<c>benchmarks/results/quality-2026-12-02-fusion.md</c>; none was adopted): the cheap component of the fusion, rank
    /// fusion, the score normalization and the smoothing span. Names with a comma are chosen through the group
    /// <c>fusion-variants</c>. "fusion by maximum" and the expanding z-scores of that file needed a library patch that was
    /// not kept (commit fc9763a); the maximum is now <see cref="FusionMethod.Maximum"/>.
    /// </summary>
    public static IReadOnlyList<Candidate> FusionVariants { get; } =
    [
        // A level component with a longer memory: the z-score over four automatic windows instead of one.
        new("fusion, z over 4 windows", false, (b, training) => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore(4 * AutomaticWindow(training))))),
        new("fusion with first difference for z", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.Naive()))),
        new("fusion with seasonal naive for z", false, (b, training) => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.Naive(lag: Period(training))))),
        new("fusion with seasonal naive", false, (b, training) => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore(), Scorer.Naive(lag: Period(training))))),
        new("no score normalization", false, b => b.WithScoreNormalization(ScoreNormalization.None)),
        new("robust z over 500 scores", false, b => b.WithScoreNormalization(ScoreNormalization.RobustZ(500))),
        new("robust z over 1000 scores", false, b => b.WithScoreNormalization(ScoreNormalization.RobustZ(1000))),
        new("ratio to median", false, b => b.WithScoreNormalization(ScoreNormalization.RatioToMedian())),
        // A history that keeps out what the threshold flagged (runs of flags longer than half the history aside):
        // benchmarks/results/quality-2026-12-02-history.md.
        new("robust z over 500 normal scores", false, b => b.WithScoreNormalization(ScoreNormalization.RobustZ(500, excludeFlagged: true))),
        new("robust z over 1000 normal scores", false, b => b.WithScoreNormalization(ScoreNormalization.RobustZ(1000, excludeFlagged: true))),
        new("robust z over 2000 normal scores", false, b => b.WithScoreNormalization(ScoreNormalization.RobustZ(2000, excludeFlagged: true))),
        new("smoothing over a window", false, (b, training) => b.WithSmoothing(AutomaticWindow(training))),
        new("smoothing over a quarter window", false, (b, training) => b.WithSmoothing(Math.Max(1, AutomaticWindow(training) / 4))),

        // The windowed Gaussian is the best baseline on PR-AUC on four of the series the default loses there (TEK14, TEK17,
        // ltstdb_20221, power demand): as a third component of the fusion, alone and with the flagged-excluding history.
        new("fusion with windowed Gaussian", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore(), Scorer.WindowedGaussian(window: 500)))),
        new("fusion with windowed Gaussian and 500 normal scores", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore(), Scorer.WindowedGaussian(window: 500)))
            .WithScoreNormalization(ScoreNormalization.RobustZ(500, excludeFlagged: true))),

        // The forecaster predicting several points per window (each point's expected value the mean of the predictions made
        // for it), as LSTM-AD predicts several steps ahead; otherwise the default.
        new("fusion with a 3-step forecast", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(horizon: 3), Scorer.RollingZScore()))),
        new("fusion with a 10-step forecast", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(horizon: 10), Scorer.RollingZScore()))),
        // The multi-step forecaster alone, without the fusion's rolling z-score: a throwaway probe of the PR-AUC it gave
        // outside the benchmark (mean 0.41 offline against the default's 0.37 at 5 steps).
        new("5-step forecast only", false, b => b.WithScorer(Scorer.Forecast(horizon: 5))),
        // An ensemble: the default's fusion with two and three forecasters trained from different seeds (their errors
        // averaged by the fusion's calibration like any other component's).
        new("ensemble of 2 forecasters", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), new SeededScorer(Scorer.Forecast(), 1), Scorer.RollingZScore()))),
        new("ensemble of 3 forecasters", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), new SeededScorer(Scorer.Forecast(), 1), new SeededScorer(Scorer.Forecast(), 2), Scorer.RollingZScore()))),
        // The best fixed rules of the score-layer probes (quality-2026-12-03-probes.md, PR-AUC only), built to see their alarms:
        // the 5-step forecaster with the rolling z-score and the windowed Gaussian, and that with the one-step forecaster too.
        new("fusion of 5-step forecast with z and windowed Gaussian", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(horizon: 5), Scorer.RollingZScore(), Scorer.WindowedGaussian(window: 500)))),
        new("fusion of both forecasts with z and windowed Gaussian", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.Forecast(horizon: 5), Scorer.RollingZScore(), Scorer.WindowedGaussian(window: 500)))),
        // Nearest-neighbour subsequence distances (Keogh's discords), a kind of score none of the above is: the probes of
        // discord_part.py found the plain and the z-normalised distance added to the default the first fixed rules to meet
        // the per-series PR-AUC target (quality-2026-12-03-nearest-neighbour.md).
        new("z-normalised nearest neighbour", false, b => b.WithScorer(Scorer.NearestNeighbour(normalize: true))),
        new("fusion with nearest neighbours", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore(),
            Scorer.NearestNeighbour(), Scorer.NearestNeighbour(normalize: true)))),
        // After the scorer learned to leave each training point's match with itself out of its calibration, the probe on the
        // library's own distances (K) found the maximum of the forecast's and the distance's surprises within the PR-AUC
        // target in both protocols, and the default with K added one series short of it.
        new("fusion with nearest neighbour", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore(), Scorer.NearestNeighbour()))),
        new("maximum of forecast and nearest neighbour", false, b => b.WithScorer(Scorer.Fusion(FusionMethod.Maximum, Scorer.Forecast(), Scorer.NearestNeighbour()))),
        new("maximum of forecast with z and nearest neighbour", false, b => b.WithScorer(Scorer.Fusion(FusionMethod.Maximum, Scorer.Forecast(), Scorer.RollingZScore(),
            Scorer.NearestNeighbour()))),
        new("fusion with nearest neighbours and windowed Gaussian", false, b => b.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.RollingZScore(),
            Scorer.WindowedGaussian(window: 500), Scorer.NearestNeighbour(), Scorer.NearestNeighbour(normalize: true)))),
        // Five seeds showed the default's alarms moving with the seed alone (quality-2026-12-03-seeds.md): the mean of three
        // forecasters from consecutive seeds, fused with the z-score as the default's one forecaster is.
        new("forecast with z and 3 bagged forecasters", false, b => b.WithScorer(Scorer.Fusion(new BaggedScorer(Scorer.Forecast(), 3), Scorer.RollingZScore()))),
        // The probes fuse each point's score, the library fused each feature's; FusionCalibration.PerPoint does what the probes do.
        new("forecast with z per point", false, b => b.WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(),
            Scorer.RollingZScore()))),
        new("fusion with nearest neighbours and windowed Gaussian per point", false,
            b => b.WithScorer(FivePartPerPoint(Scorer.WindowedGaussian(window: 500), NearestNeighbourScorer.MaximumReference))),
        // The same with the distances' reference cut to the last 2000 training steps is the default. With the windowed Gaussian's
        // own window (a multiple of the detector's) instead of 500 points:
        new("fusion with nearest neighbours and automatic windowed Gaussian per point over 2000", false,
            b => b.WithScorer(FivePartPerPoint(Scorer.WindowedGaussian(), reference: 2000))),
        // The automatic threshold's risk on the five-part default, around the 10⁻⁴ it took from this comparison. Most
        // streaming losses against a silent baseline are false alarms, hence the two below it. With the generalized Pareto
        // tail, the default then.
        new("risk 3e-4", false, b => b.WithThreshold(Thresholds.Threshold.Automatic(3e-4, Thresholds.TailModel.GeneralizedPareto))),
        new("risk 1e-3", false, b => b.WithThreshold(Thresholds.Threshold.Automatic(1e-3, Thresholds.TailModel.GeneralizedPareto))),
        new("risk 3e-5", false, b => b.WithThreshold(Thresholds.Threshold.Automatic(3e-5, Thresholds.TailModel.GeneralizedPareto))),
        new("risk 1e-5", false, b => b.WithThreshold(Thresholds.Threshold.Automatic(1e-5, Thresholds.TailModel.GeneralizedPareto))),
        // The automatic threshold is fitted once, on a few thousand calibration scores that smoothing makes far from independent;
        // the streaming tails keep refining it on the scores they judge.
        new("streaming POT", false, b => b.WithThreshold(Thresholds.Threshold.StreamingPeaksOverThreshold(Thresholds.AutomaticThresholdStrategy.DefaultRiskLevel))),
        // The automatic threshold's tail before it became exponential.
        new("generalized Pareto tail", false, b => b.WithThreshold(Thresholds.Threshold.Automatic(tail: Thresholds.TailModel.GeneralizedPareto))),
        // The automatic threshold's own fallback for few calibration scores: on robust-z scores it is close to one fixed value.
        new("median + MAD", false, b => b.WithThreshold(new Thresholds.AutomaticThresholdStrategy(Thresholds.AutomaticThresholdStrategy.DefaultRiskLevel).Fallback)),
        new("drifting POT", false, b => b.WithThreshold(Thresholds.Threshold.DriftingPeaksOverThreshold(depth: 50, Thresholds.AutomaticThresholdStrategy.DefaultRiskLevel))),
        // Long flagged runs re-alarm once a window after their labelled window ended; without repeats a run alarms once.
        new("alarms at onsets only", false, b => b.WithEventRules(new EventRules { RepeatAlarms = false })),
        // The default's parts with the largest surprise deciding: a part that alone finds a point unusual (the windowed
        // Gaussian on the space-shuttle valves) is not diluted by the others.
        new("maximum of the default's parts", false, b => b.WithScorer(FivePartPerPoint(Scorer.WindowedGaussian(window: 500), reference: 2000, FusionMethod.Maximum))),
        // Every series the default loses on streaming PR-AUC against the best-mean baseline but the two near ties is won by the
        // seasonal naive forecaster (repeat last period): its error as a sixth part, the lag the dominant period of the training part.
        new("default with seasonal naive", false, (b, training) => b.WithScorer(DefaultWith(Scorer.Naive(lag: Period(training))))),
        // The nearest-neighbour distance against a sliding reference (Scorer.SlidingNearestNeighbour): the best single score
        // on PR-AUC in the probes of dumped scores (quality-2026-12-03-sliding.md); alone, in place of the default's
        // distances, beside them, and with the windowed Gaussian only.
        new("sliding nearest neighbour", false, b => b.WithScorer(Scorer.SlidingNearestNeighbour())),
        // Its reference length: longer keeps more of a long training series in view, at a proportional cost per point.
        new("sliding nearest neighbour over 1000", false, b => b.WithScorer(Scorer.SlidingNearestNeighbour(reference: 1000))),
        new("sliding nearest neighbour over 5000", false, b => b.WithScorer(Scorer.SlidingNearestNeighbour(reference: 5000))),
        new("sliding nearest neighbour over 10000", false, b => b.WithScorer(Scorer.SlidingNearestNeighbour(reference: 10000))),
        new("default with sliding instead of plain distance", false, b => b.WithScorer(DefaultsFirstThreeWith(Scorer.SlidingNearestNeighbour(), Scorer.NearestNeighbour(normalize: true, reference: 2000)))),
        new("default with sliding nearest neighbour", false, b => b.WithScorer(DefaultWith(Scorer.SlidingNearestNeighbour()))),
        new("default with sliding instead of z-normalised distance", false, b => b.WithScorer(DefaultsFirstThreeWith(Scorer.NearestNeighbour(reference: 2000), Scorer.SlidingNearestNeighbour()))),
        new("default with sliding instead of both distances", false, b => b.WithScorer(DefaultsFirstThreeWith(Scorer.SlidingNearestNeighbour()))),
        // The GRU's forecast with the sliding distance and few other parts, so the sliding distance is not diluted by the
        // training-reference distances it replaces in streams.
        new("forecast with sliding nearest neighbour", false, b => b.WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint,
            Scorer.Forecast(), Scorer.SlidingNearestNeighbour()))),
        new("forecast with z and sliding nearest neighbour", false, b => b.WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint,
            Scorer.Forecast(), Scorer.RollingZScore(), Scorer.SlidingNearestNeighbour()))),
        // One memory of 2000 steps for the plain distance: the training series first, the series' own past in what it leaves.
        new("default with shared distance", false, b => b.WithScorer(DefaultsFirstThreeWith(new UnionNeighbourScorer(2000, budget: true), Scorer.NearestNeighbour(normalize: true, reference: 2000)))),
        // The plain distance at three lengths (now the default's, Scorer.MultiLengthNearestNeighbour) as three separate parts
        // of the sum instead of their largest RMS distance, where the training series fills the 2000-step reference.
        new("default with discords at three lengths as parts where the reference is full", false, (b, training) => b.WithScorer(training.Length >= 2000
            ? DefaultsFirstThreeWith(Scorer.NearestNeighbour(reference: 2000), Scorer.NearestNeighbour(Math.Max(4, AutomaticWindow(training) / 2), reference: 2000),
                Scorer.NearestNeighbour(Math.Min(2000, 2 * AutomaticWindow(training)), reference: 2000), Scorer.NearestNeighbour(normalize: true, reference: 2000))
            : Scorer.Default())),
        // The plain distance against the union of the training reference and the sliding one (UnionNeighbourScorer): the
        // probe of dumped scores gave it the best offline PR-AUC of the default's variants (0.474). Measured, not adopted.
        new("default with union distance", false, b => b.WithScorer(DefaultsFirstThreeWith(new UnionNeighbourScorer(2000), Scorer.NearestNeighbour(normalize: true, reference: 2000)))),
        new("union nearest neighbour", false, b => b.WithScorer(new UnionNeighbourScorer(2000))),
        new("sliding nearest neighbour with windowed Gaussian", false, b => b.WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint,
            Scorer.WindowedGaussian(window: 500), Scorer.SlidingNearestNeighbour()))),
        new("maximum of forecast and nearest neighbour per point", false, b => b.WithScorer(Scorer.Fusion(FusionMethod.Maximum, FusionCalibration.PerPoint,
            Scorer.Forecast(), Scorer.NearestNeighbour()))),
    ];

    /// <summary>
    /// The default with its window and GRU size chosen by <see cref="ModelSelection"/> on the series' fit part: half, once
    /// and twice the automatic window × 16 or 32 units, 3 expanding-window folds, successive halving (6 + 3 + 2 = 11 fits,
    /// a budget of 11 that never stops it early, so the run is reproducible). Not among "variants": it costs about ten fits per series.
    /// </summary>
    public static Candidate Selected { get; } = new("selected", false, (b, training) =>
        ModelSelection.Select(b, training, new ModelSelectionOptions { HiddenSizes = [16, 32], Folds = 3, MaxFits = 11, Seed = 0 }).ApplyTo(b));

    /// <summary>
    /// For series with values removed (<c>--missing</c>): the default GRU with gaps masked (its default policy) and
    /// interpolated, against GRU-D, which models the gaps; GRU-D takes the hidden size the default's automatic model takes.
    /// </summary>
    public static IReadOnlyList<Candidate> Missing { get; } =
    [
        new("GRU, mask", false, b => b.WithMissingValues(Preprocessing.MissingValuePolicy.Mask)),
        new("GRU, interpolate", false, b => b.WithMissingValues(Preprocessing.MissingValuePolicy.Interpolate)),
        new("GRU-D, mask", false, (b, training) => b.WithMissingValues(Preprocessing.MissingValuePolicy.Mask)
            .WithModel(Recurrent.Models.GruD(AutomaticWidth(training)))),
    ];

    /// <summary>As <see cref="Missing"/> with the forecast scorer alone: without the default fusion's other parts, whose
    /// share of the score is the same for all three, only the model and the policy differ.</summary>
    public static IReadOnlyList<Candidate> MissingForecastOnly { get; } =
        [.. Missing.Select(c => new Candidate(c.Name + " (forecast only)", false, (b, training) => c.Build(b, training).WithScorer(Scorer.Forecast())))];

    /// <summary>
    /// The forecast, rolling z-score, a windowed Gaussian and both nearest-neighbour distances over <paramref name="reference"/>
    /// training steps, fused by <paramref name="method"/> (tail probability unless given) with each point's errors calibrated.
    /// </summary>
    private static IAnomalyScorer FivePartPerPoint(IAnomalyScorer windowedGaussian, int reference, FusionMethod method = FusionMethod.TailProbability) =>
        Scorer.Fusion(method, FusionCalibration.PerPoint, Scorer.Forecast(), Scorer.RollingZScore(), windowedGaussian,
            Scorer.NearestNeighbour(reference: reference), Scorer.NearestNeighbour(normalize: true, reference: reference));

    /// <summary>
    /// The default's first three parts (the forecast, the rolling z-score and the windowed Gaussian over 500 points) with
    /// <paramref name="distances"/> in place of its two distances, fused as the default fuses them.
    /// </summary>
    private static IAnomalyScorer DefaultsFirstThreeWith(params IAnomalyScorer[] distances) =>
        Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, [Scorer.Forecast(), Scorer.RollingZScore(), Scorer.WindowedGaussian(window: 500), .. distances]);

    /// <summary>The default scorer's parts and <paramref name="part"/> as one more, fused as the default fuses its own.</summary>
    private static IAnomalyScorer DefaultWith(IAnomalyScorer part)
    {
        var fusion = (FusionScorer)Scorer.Default();
        return Scorer.Fusion(fusion.Method, fusion.Calibration, [.. fusion.Components, part]);
    }

    /// <summary>The hidden size the automatic model gives a series of this length (see FitChoices).</summary>
    private static int AutomaticWidth(TimeSeries training) => training.Length < 2000 ? 16 : training.Length < 20000 ? 32 : 64;

    /// <summary>The window the detector chooses for the series when none is set (the dominant period, bounded), before its cap for short series.</summary>
    internal static int AutomaticWindow(TimeSeries training) =>
        Math.Clamp(Preprocessing.Periodicity.Dominant(training.Values, training.Features, FitChoices.MaximumAutomaticWindow, out _) ?? FitChoices.AperiodicWindow,
            FitChoices.MinimumAutomaticWindow, FitChoices.MaximumAutomaticWindow);

    /// <summary>The dominant period of the training series (1 when it has none), as the detector's automatic window finds it.</summary>
    internal static int Period(TimeSeries training) =>
        Preprocessing.Periodicity.Dominant(training.Values, training.Features, FitChoices.MaximumAutomaticWindow, out _) ?? 1;

    public static IReadOnlyList<Candidate> Select(IEnumerable<string> names)
    {
        var all = new[] { Default, Selected, InjectionSelection.Candidate }.Concat(Baselines).Concat(Variants).Concat(FusionVariants).Concat(Missing).Concat(MissingForecastOnly).ToList();
        var chosen = new List<Candidate>();
        foreach (string name in names)
        {
            chosen.AddRange(name switch
            {
                "baselines" => Baselines,
                "variants" => Variants,
                "fusion-variants" => FusionVariants,
                "missing" => Missing,
                "missing-forecast" => MissingForecastOnly,
                _ => [all.Find(c => c.Name == name) ?? throw new ArgumentException(
                    $"Unknown candidate '{name}'; expected one of: baselines, variants, fusion-variants, missing, missing-forecast, {string.Join(", ", all.Select(c => c.Name))}.")],
            });
        }

        return chosen.Distinct().ToList();
    }
}
