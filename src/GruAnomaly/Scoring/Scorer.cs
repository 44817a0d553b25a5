namespace GruAnomaly.Scoring;

/// <summary>The built-in scoring strategies.</summary>
/// <remarks>
/// The factories never throw: for invalid arguments they return a placeholder that <c>AnomalyDetectorBuilder.Build</c>
/// reports with every other invalid choice (through <see cref="IAnomalyScorer.Validate"/>) and whose <c>Fit</c> throws an
/// <see cref="ArgumentException"/> naming the problem. The scorers' constructors still throw at once.
/// </remarks>
public static class Scorer
{
    /// <summary>
    /// The scorer a detector uses when none is chosen: the GRU's one-step forecast error fused by tail probability, point
    /// by point, with four scorers that train nothing: a rolling z-score of the value over the detector's window, a
    /// windowed Gaussian over the last 500 points, the plain distance of the last subsequence to its nearest training
    /// subsequence at three lengths (<see cref="MultiLengthNearestNeighbour"/>), and the z-normalised distance of the
    /// window's shape, both against the last 2000 training steps.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each part catches what the others forgive: the forecast, points the learned dynamics do not expect; the z-score and
    /// the windowed Gaussian, values far from the recent level, which a forecaster that follows the level quickly
    /// forgives; the distances, shapes never seen in training, at the window's length and at half and twice it.
    /// Calibrating each part's mean error over a point's features (<see cref="FusionCalibration.PerPoint"/>) counts a
    /// part that finds a point unusual once, however many features it averages. The parts with longer windows join once
    /// they have them (<see cref="FusionScorer"/>), so the default needs no longer a series than the forecast alone.
    /// </para>
    /// <para>
    /// On the quality benchmark (<c>benchmarks/results/quality-2026-12-03-multi-length.md</c>, means over five training
    /// seeds, with the default automatic threshold) it raised a mean early-alarm score of 47.8 offline and 48.5 streaming,
    /// event F1 0.24 / 0.24 and PR-AUC 0.45 / 0.33, against 46.9 / 48.3, 0.22 / 0.23 and 0.40 / 0.31 with the plain
    /// distance at the window's length alone, and 21.8 streaming false alarms against 28.4. A stream of it costs 1.35
    /// times the time per point of the one-length fusion and holds 231 kB per series of one feature, against 135 kB.
    /// </para>
    /// </remarks>
    /// <returns>A <see cref="FusionScorer"/> of those five scorers.</returns>
    public static IAnomalyScorer Default() => Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Forecast(), RollingZScore(),
        WindowedGaussian(window: DefaultWindowedGaussian), MultiLengthNearestNeighbour(reference: DefaultReference), NearestNeighbour(normalize: true, reference: DefaultReference));

    /// <summary>How many previous points the default's windowed Gaussian covers.</summary>
    private const int DefaultWindowedGaussian = 500;

    /// <summary>How many of the last training steps the default's nearest-neighbour distances search.</summary>
    private const int DefaultReference = 2000;

    /// <summary>Forecast-error scoring: predict the next <paramref name="horizon"/> points, score the prediction error.</summary>
    /// <param name="horizon">Points predicted per window; positive.</param>
    /// <param name="attention">
    /// 0 (the default) for a head that reads the last step's top state; a positive size, for example 16, for a head that
    /// reads an attention-weighted sum of every step's top state (<see cref="Recurrent.AttentionPooling"/>): which past
    /// steps the model looked at is then part of <c>FittedAnomalyDetector.Explain</c>.
    /// </param>
    /// <returns>A <see cref="ForecastScorer"/>.</returns>
    public static IAnomalyScorer Forecast(int horizon = 1, int attention = 0) =>
        InvalidScorer.Or("Scorer.Forecast", () => new ForecastScorer(horizon, attention));

    /// <summary>
    /// One-step forecast-error scoring with a carried state: the network reads a series once and predicts each point from
    /// everything before it, one cell step per point (in batch detection and in streams), instead of rerunning a window.
    /// </summary>
    /// <param name="windowsPerSequence">Length of a training sequence in windows, the first one its burn-in; positive.</param>
    /// <returns>A <see cref="CarriedStateForecastScorer"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="windowsPerSequence"/> is not positive.</exception>
    public static IAnomalyScorer CarriedStateForecast(int windowsPerSequence = 4) => new CarriedStateForecastScorer(windowsPerSequence);

    /// <summary>Reconstruction-error scoring with a GRU encoder–decoder (EncDec-AD).</summary>
    /// <param name="decoderInput">What the decoder reads when scoring; teacher forcing by default.</param>
    /// <returns>A <see cref="ReconstructionScorer"/>.</returns>
    public static IAnomalyScorer Reconstruction(Recurrent.DecoderInput decoderInput = Recurrent.DecoderInput.TeacherForcing) =>
        InvalidScorer.Or("Scorer.Reconstruction", () => new ReconstructionScorer(decoderInput));

    /// <summary>
    /// A baseline that trains nothing: the expected value is the input <paramref name="lag"/> steps back and the error
    /// observed − expected. Lag 1 scores the absolute first difference (with the mean combination); a lag equal to the
    /// period is the seasonal naive forecaster.
    /// </summary>
    /// <param name="lag">How many steps back; positive.</param>
    /// <returns>A <see cref="NaiveScorer"/>.</returns>
    public static IAnomalyScorer Naive(int lag = 1) => InvalidScorer.Or("Scorer.Naive", () => new NaiveScorer(lag));

    /// <summary>
    /// A baseline that trains nothing: the expected value is the mean of the previous <paramref name="window"/> inputs and
    /// the error the z-score of the observation under their mean and standard deviation.
    /// </summary>
    /// <param name="window">How many previous inputs; positive, or null for the detector's window.</param>
    /// <returns>A <see cref="RollingZScoreScorer"/>.</returns>
    public static IAnomalyScorer RollingZScore(int? window = null) => InvalidScorer.Or("Scorer.RollingZScore", () => new RollingZScoreScorer(window));

    /// <summary>
    /// A baseline that trains nothing (NAB's windowed Gaussian): the error is −log10 of the two-sided Gaussian tail
    /// probability of the observation under the mean and standard deviation of the previous <paramref name="window"/> inputs.
    /// </summary>
    /// <param name="window">How many previous inputs; positive, or null for ten times the detector's window.</param>
    /// <returns>A <see cref="WindowedGaussianScorer"/>.</returns>
    public static IAnomalyScorer WindowedGaussian(int? window = null) => InvalidScorer.Or("Scorer.WindowedGaussian", () => new WindowedGaussianScorer(window));

    /// <summary>
    /// A scorer that trains nothing: the error is the distance from the subsequence that ends at a point to its nearest
    /// subsequence of the training series (Keogh's discord distance), a shape never seen in training scoring high.
    /// </summary>
    /// <param name="length">The subsequence length; positive, or null for the detector's window.</param>
    /// <param name="normalize">Whether subsequences are z-normalised first, comparing shapes whatever their level and amplitude.</param>
    /// <param name="reference">The most training steps kept as the reference (the latest ones), up to <see cref="NearestNeighbourScorer.MaximumReference"/>: a stream keeps three rows of this length per feature.</param>
    /// <returns>A <see cref="NearestNeighbourScorer"/>.</returns>
    public static IAnomalyScorer NearestNeighbour(int? length = null, bool normalize = false, int reference = NearestNeighbourScorer.MaximumReference) =>
        InvalidScorer.Or("Scorer.NearestNeighbour", () => new NearestNeighbourScorer(length, normalize, reference));

    /// <summary>
    /// A scorer that trains nothing: the plain nearest-neighbour distance at the detector's window and at half and twice
    /// it, each divided by the square root of its length, the largest; at the window alone where the training series holds
    /// fewer than <paramref name="reference"/> steps.
    /// </summary>
    /// <param name="reference">The most training steps kept as the reference, and the fewest for three lengths; from 2 to <see cref="NearestNeighbourScorer.MaximumReference"/>.</param>
    /// <returns>A <see cref="MultiLengthNearestNeighbourScorer"/>.</returns>
    public static IAnomalyScorer MultiLengthNearestNeighbour(int reference = MultiLengthNearestNeighbourScorer.DefaultReference) =>
        InvalidScorer.Or("Scorer.MultiLengthNearestNeighbour", () => new MultiLengthNearestNeighbourScorer(reference));

    /// <summary>
    /// A scorer that trains nothing: the error is the distance from the subsequence that ends at a point to its nearest
    /// among the latest subsequences before it, of the training tail and then of the scored series itself, so that a
    /// shape is new only the first time the series shows it.
    /// </summary>
    /// <param name="length">The subsequence length; positive, or null for the detector's window.</param>
    /// <param name="reference">How many of the latest subsequences the reference holds, up to <see cref="SlidingNearestNeighbourScorer.MaximumReference"/>: a stream keeps 2·length + reference − 2 inputs.</param>
    /// <returns>A <see cref="SlidingNearestNeighbourScorer"/>.</returns>
    public static IAnomalyScorer SlidingNearestNeighbour(int? length = null, int reference = SlidingNearestNeighbourScorer.DefaultReference) =>
        InvalidScorer.Or("Scorer.SlidingNearestNeighbour", () => new SlidingNearestNeighbourScorer(length, reference));

    /// <summary>
    /// Fuses scorers that catch different anomalies, for example <c>Scorer.Fusion(Scorer.Forecast(), Scorer.Naive(), Scorer.RollingZScore())</c>:
    /// each one's errors are calibrated against its own training errors and combined by <paramref name="method"/>.
    /// </summary>
    /// <param name="method">How calibrated errors are combined.</param>
    /// <param name="components">Two or more scorers; the first gives the expected values.</param>
    /// <returns>A <see cref="FusionScorer"/>.</returns>
    public static IAnomalyScorer Fusion(FusionMethod method, params IAnomalyScorer[] components) =>
        InvalidScorer.Or("Scorer.Fusion", () => new FusionScorer(components, method));

    /// <summary>
    /// Fuses scorers as <see cref="Fusion(FusionMethod, IAnomalyScorer[])"/> does, calibrating each feature's errors or each
    /// point's (<see cref="FusionCalibration.PerPoint"/>: a component's errors of a point averaged over its features first).
    /// </summary>
    /// <param name="method">How calibrated errors are combined.</param>
    /// <param name="calibration">Whether each feature's errors or each point's are calibrated and fused.</param>
    /// <param name="components">Two or more scorers; the first gives the expected values.</param>
    /// <returns>A <see cref="FusionScorer"/>.</returns>
    public static IAnomalyScorer Fusion(FusionMethod method, FusionCalibration calibration, params IAnomalyScorer[] components) =>
        InvalidScorer.Or("Scorer.Fusion", () => new FusionScorer(components, method, calibration));

    /// <summary>Fuses scorers by tail probability (see <see cref="Fusion(FusionMethod, IAnomalyScorer[])"/>).</summary>
    /// <param name="components">Two or more scorers; the first gives the expected values.</param>
    /// <returns>A <see cref="FusionScorer"/>.</returns>
    public static IAnomalyScorer Fusion(params IAnomalyScorer[] components) => InvalidScorer.Or("Scorer.Fusion", () => new FusionScorer(components));
}

/// <summary>What a <see cref="Scorer"/> factory returns for invalid arguments: reported by <see cref="Validate"/>, refused by <see cref="Fit"/>.</summary>
internal sealed class InvalidScorer(string name, string problem) : IAnomalyScorer, Diagnostics.IInvalidChoice
{
    public string Name => name;

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    public string Problem => problem;

    /// <summary>Creates the scorer, or a placeholder that carries why its arguments were refused.</summary>
    public static IAnomalyScorer Or(string factory, Func<IAnomalyScorer> create) =>
        Diagnostics.DeferredArguments.TryCreate(factory, create, out string? problem) ?? new InvalidScorer($"{factory}(invalid)", problem!);

    // Large enough to keep the builder's other checks quiet: the real problem is reported by Validate.
    public int MinimumLength(int window) => Math.Max(1, window);

    public void Validate(Training.TrainerOptions trainer, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        problems.Add(problem);
    }

    public IFittedScorer Fit(ScorerFitContext context, IProgress<Training.TrainingProgress>? progress, CancellationToken cancellationToken) =>
        throw Diagnostics.DeferredArguments.Refusal(problem);
}
