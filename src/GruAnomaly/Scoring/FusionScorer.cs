using GruAnomaly.Diagnostics;
using GruAnomaly.Persistence;
using GruAnomaly.Recurrent;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>How a <see cref="FusionScorer"/> puts its components' errors on one scale.</summary>
public enum FusionMethod
{
    /// <summary>
    /// The sum over components of each error's surprise (−log₁₀ of its calibrated tail probability), as in Fisher's
    /// method: evidence from several scorers adds up, and one very surprising error is enough.
    /// </summary>
    TailProbability = 0,

    /// <summary>The mean over components of each error's percentile rank among the component's training errors, in [0, 1].</summary>
    Rank = 1,

    /// <summary>
    /// The largest over components of each error's surprise: the component that finds a point most unusual decides, and
    /// components that find it ordinary neither dilute nor add to that evidence.
    /// </summary>
    Maximum = 2,
}

/// <summary>What a <see cref="FusionScorer"/> calibrates and fuses: each feature's errors, or each point's.</summary>
public enum FusionCalibration
{
    /// <summary>
    /// Each component's errors are calibrated and fused feature by feature; the detector's error combination then
    /// combines the features' fused errors.
    /// </summary>
    PerFeature = 0,

    /// <summary>
    /// Each component's errors of a point are first averaged over the point's observed features (residuals by their
    /// absolute value), as the detector would score that component alone; that one value is calibrated and fused, and the
    /// fused value is every observed feature's error. A feature that only one component finds unusual then counts once
    /// for the point, instead of once per feature it is averaged with.
    /// </summary>
    PerPoint = 1,
}

/// <summary>
/// Fuses several scorers, for example the GRU's forecast error with the first difference and a rolling z-score: they
/// catch different anomalies. Each component is fitted on the same training series; each one's errors are calibrated
/// per feature (or, with <see cref="FusionCalibration.PerPoint"/>, per point) against its own errors on the training
/// series (held-out ones, where it has enough), and the fused error combines the calibrated values by
/// <see cref="Method"/>. The expected value is the first component's, and the fusion scores from the first component's
/// warm-up on: a component with a longer warm-up (a windowed Gaussian over 500 points) adds its calibrated error once it
/// has one, instead of leaving every point before that unscored, and until then stands in with the calibrated value of
/// its median calibration error, so that the fused score keeps its level when the component joins. For the same reason
/// a fusion needs only the series length its first component needs (<see cref="MinimumLength"/>): a component that
/// needs a longer series stands in on every step of a shorter one, and one that cannot score the training series is
/// left uncalibrated and adds nothing at all (logged, and named in the fitted scorer's name).
/// </summary>
/// <remarks>The fused errors are non-negative scores, not residuals, so a Mahalanobis combination cannot read them. Explanations (saliency) go through every component, weighted by the slope of its calibration.</remarks>
public sealed class FusionScorer : IAnomalyScorer
{
    /// <summary>The most calibration errors kept per component and feature (evenly spaced order statistics beyond that).</summary>
    public const int MaximumCalibrationErrors = 4096;

    /// <summary>The fewest held-out errors a component is calibrated on before all its scored training errors are used.</summary>
    public const int MinimumHeldOutErrors = 200;

    /// <summary>Creates the scorer.</summary>
    /// <param name="components">Two or more scorers; the first gives the expected values.</param>
    /// <param name="method">How calibrated errors are combined.</param>
    /// <param name="calibration">Whether each feature's errors or each point's are calibrated and fused.</param>
    /// <exception cref="ArgumentNullException"><paramref name="components"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">Fewer than two components, or one is itself a fusion.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="method"/> or <paramref name="calibration"/> is not defined.</exception>
    public FusionScorer(IReadOnlyList<IAnomalyScorer> components, FusionMethod method = FusionMethod.TailProbability,
        FusionCalibration calibration = FusionCalibration.PerFeature)
    {
        ArgumentNullException.ThrowIfNull(components);
        if (components.Count < 2)
        {
            throw new ArgumentException($"A fusion needs at least two scorers; got {components.Count}.", nameof(components));
        }

        for (int i = 0; i < components.Count; i++)
        {
            if (components[i] is null)
            {
                throw new ArgumentNullException(nameof(components), $"components[{i}] is null.");
            }

            if (components[i] is FusionScorer)
            {
                throw new ArgumentException($"components[{i}] is itself a fusion; list its scorers instead.", nameof(components));
            }
        }

        if (!Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(method), method, "Expected TailProbability, Rank or Maximum.");
        }

        if (!Enum.IsDefined(calibration))
        {
            throw new ArgumentOutOfRangeException(nameof(calibration), calibration, "Expected PerFeature or PerPoint.");
        }

        Components = [.. components];
        Method = method;
        Calibration = calibration;
    }

    /// <summary>Gets the fused scorers; the first gives the expected values.</summary>
    public IReadOnlyList<IAnomalyScorer> Components { get; }

    /// <summary>Gets how calibrated errors are combined.</summary>
    public FusionMethod Method { get; }

    /// <summary>Gets whether each feature's errors or each point's are calibrated and fused.</summary>
    public FusionCalibration Calibration { get; }

    /// <inheritdoc />
    public string Name => NameOf(Method, Calibration, Components.Select(c => c.Name));

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    /// <remarks>The first component's: the others join on series long enough for them.</remarks>
    public int MinimumLength(int window) => Components[0].MinimumLength(window);

    /// <inheritdoc />
    /// <value>The shortest of the components' longest windows.</value>
    public int MaximumWindow => Components.Min(c => c.MaximumWindow);

    /// <inheritdoc />
    /// <value>Whether any component can be fine-tuned; online adaptation then fine-tunes those and keeps the calibrations.</value>
    public bool IsAdaptable => Components.Any(c => c.IsAdaptable);

    /// <inheritdoc />
    public void Validate(TrainerOptions trainer, ICollection<string> problems)
    {
        foreach (IAnomalyScorer component in Components)
        {
            component.Validate(trainer, problems);
        }
    }

    /// <inheritdoc />
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        int features = context.Features;
        bool perPoint = Calibration == FusionCalibration.PerPoint;
        ReadOnlySpan<float> inputs = context.Inputs.Span, observed = context.Observed.Span;
        var fitted = new IFittedScorer[Components.Count];
        var calibrations = new EmpiricalDistribution?[Components.Count * (perPoint ? 1 : features)];
        var expected = new float[inputs.Length];
        var errors = new float[inputs.Length];
        int length = inputs.Length / features;
        var pointErrors = perPoint ? new float[length] : [];
        var uncalibrated = new List<string>();
        for (int c = 0; c < Components.Count; c++)
        {
            fitted[c] = Components[c].Fit(context, progress, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            int scorable = FittedFusionScorer.ScorableLength(fitted[c]);
            if (c > 0 && length < scorable)
            {
                // Without a calibration the component adds nothing, on this series or any later one.
                context.Logger.FusionComponentUncalibrated(fitted[c].Name, length, scorable);
                uncalibrated.Add(fitted[c].Name);
                continue;
            }

            TimedScoring.ScoreTraining(fitted[c], inputs, observed, context.Timestamps, expected, errors);
            int warmUp = fitted[c].WarmUp;
            int from = Math.Max(warmUp, fitted[c].HeldOutFrom);
            if (length - from < MinimumHeldOutErrors)
            {
                from = warmUp;
            }

            if (perPoint)
            {
                for (int t = 0; t < pointErrors.Length; t++)
                {
                    pointErrors[t] = FittedFusionScorer.PointError(errors.AsSpan(t * features, features), fitted[c].ErrorsAreSigned);
                }

                calibrations[c] = Calibrate(pointErrors, 1, 0, from, signed: false);
                continue;
            }

            for (int f = 0; f < features; f++)
            {
                calibrations[(c * features) + f] = Calibrate(errors, features, f, from, fitted[c].ErrorsAreSigned);
            }
        }

        string name = uncalibrated.Count == 0 ? Name : NameOf(Method, Calibration, Components.Select(c => c.Name), uncalibrated);
        return new FittedFusionScorer(name, Method, Calibration, fitted, calibrations, features);
    }

    /// <summary>
    /// The name of a fusion, fitted or not: its method, how it calibrates, its components' names and, fitted, those that
    /// the training series was too short to calibrate (they add nothing).
    /// </summary>
    internal static string NameOf(FusionMethod method, FusionCalibration calibration, IEnumerable<string> components,
        IReadOnlyList<string>? uncalibrated = null) =>
        $"fusion({method switch { FusionMethod.Rank => "rank", FusionMethod.Maximum => "maximum", _ => "tail" }}" +
        $"{(calibration == FusionCalibration.PerPoint ? " per point" : string.Empty)}: {string.Join(" + ", components)}" +
        $"{(uncalibrated is { Count: > 0 } ? $"; adding nothing, the training series too short for them: {string.Join(" + ", uncalibrated)}" : string.Empty)})";

    /// <summary>The empirical distribution of one feature's errors (absolute, for residuals) from <paramref name="from"/> on; null when none is observed.</summary>
    private static EmpiricalDistribution? Calibrate(ReadOnlySpan<float> errors, int features, int feature, int from, bool signed)
    {
        var values = new List<double>();
        for (int i = (from * features) + feature; i < errors.Length; i += features)
        {
            if (!float.IsNaN(errors[i]))
            {
                values.Add(signed ? Math.Abs(errors[i]) : errors[i]);
            }
        }

        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        if (values.Count > MaximumCalibrationErrors)
        {
            // Evenly spaced order statistics keep the shape of the distribution, its extremes included, in bounded memory.
            var thinned = new double[MaximumCalibrationErrors];
            for (int k = 0; k < thinned.Length; k++)
            {
                thinned[k] = values[(int)((long)k * (values.Count - 1) / (thinned.Length - 1))];
            }

            return new EmpiricalDistribution(thinned);
        }

        return new EmpiricalDistribution(values.ToArray());
    }
}

/// <summary>
/// A fitted <see cref="FusionScorer"/>: the fitted components and, per component and feature (or per component, when it
/// calibrates points), its calibration errors.
/// </summary>
internal sealed class FittedFusionScorer : IAdaptableScorer, IStreamableScorer, ITimedScorer, ITrainingScorer
{
    private readonly IFittedScorer[] _components;
    private readonly EmpiricalDistribution?[] _calibrations;
    /// <summary>Per component and feature (component-major), the error a component stands in with until it has one.</summary>
    private readonly float[] _standIns;
    private readonly FusionMethod _method;
    private readonly bool _perPoint;

    public FittedFusionScorer(string name, FusionMethod method, FusionCalibration calibration, IFittedScorer[] components,
        EmpiricalDistribution?[] calibrations, int features)
    {
        Name = name;
        _method = method;
        _perPoint = calibration == FusionCalibration.PerPoint;
        _components = components;
        _calibrations = calibrations;
        Features = features;
        // Calibrating points, each feature of a point stands in with the point's value, whose mean is that value again.
        _standIns = new float[components.Length * features];
        for (int i = 0; i < _standIns.Length; i++)
        {
            EmpiricalDistribution? distribution = CalibrationOf(i / features, i % features);
            _standIns[i] = distribution is null ? float.NaN : (float)distribution.Quantile(0.5);
        }
    }

    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    public int Features { get; }

    /// <summary>Gets the fitted components; the first gives the expected values.</summary>
    internal ReadOnlySpan<IFittedScorer> Components => _components;

    /// <summary>
    /// Gets, per component and feature (component-major; per component alone when it calibrates points), the calibration
    /// errors, or null where none was observed.
    /// </summary>
    internal ReadOnlySpan<EmpiricalDistribution?> Calibrations => _calibrations;

    /// <summary>Gets how calibrated errors are combined.</summary>
    internal FusionMethod Method => _method;

    /// <summary>Gets whether each feature's errors or each point's are calibrated and fused.</summary>
    internal FusionCalibration Calibration => _perPoint ? FusionCalibration.PerPoint : FusionCalibration.PerFeature;

    public int Window => _components.Max(c => c.Window);

    public bool ErrorsAreSigned => false;

    /// <remarks>The first component's: the others add their calibrated errors from their own warm-ups on.</remarks>
    public int WarmUp => _components[0].WarmUp;

    public int HeldOutFrom => _components.Max(c => c.HeldOutFrom);

    public TrainingHistory? History => _components.Select(c => c.History).FirstOrDefault(h => h is not null);

    /// <summary>
    /// Gets the network of the one component that has one (the GRU of a fusion with cheap scorers), so that it can be
    /// exported; null when no component or more than one has a network.
    /// </summary>
    public TrainedNetwork? TrainedNetwork =>
        _components.Select(c => c.TrainedNetwork).Where(n => n is not null).Take(2).ToList() is [TrainedNetwork only] ? only : null;

    /// <summary>Gets the most steps before a chunk any component reads to score it, adapted or not.</summary>
    public int Lookback => _components.Max(c => c is IAdaptableScorer adaptable ? Math.Max(adaptable.Lookback, c.WarmUp) : c.WarmUp);

    /// <summary>
    /// Fine-tunes the components that can be, and keeps the others and every calibration: the calibrations say how
    /// surprising an error of the fitted components was, and the fine-tuning moves the errors of normal points back
    /// towards what they were.
    /// </summary>
    public IAdaptableScorer Adapt(ScorerAdaptationContext context)
    {
        var adapted = new IFittedScorer[_components.Length];
        bool changed = false;
        for (int c = 0; c < adapted.Length; c++)
        {
            adapted[c] = _components[c] is IAdaptableScorer adaptable ? adaptable.Adapt(context) : _components[c];
            changed |= !ReferenceEquals(adapted[c], _components[c]);
        }

        return changed ? new FittedFusionScorer(Name, _method, Calibration, adapted, _calibrations, Features) : this;
    }

    /// <summary>Gets the longest component saliency plus one: components that end at the scored step and before it overlap but one row.</summary>
    public int MaximumSaliencySteps => _components.Max(c => c.MaximumSaliencySteps) + 1;

    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors) =>
        Score(inputs, observed, timestamps: null, expected, errors);

    /// <summary>As <see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>, with the timestamps handed to every component that reads them.</summary>
    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected, Span<float> errors) =>
        Score(inputs, observed, timestamps, expected, errors, training: false);

    /// <summary>Scores the training series, each component as on its own training series (see <see cref="ITrainingScorer"/>).</summary>
    public void ScoreTraining(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected, Span<float> errors) =>
        Score(inputs, observed, timestamps, expected, errors, training: true);

    private void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected, Span<float> errors,
        bool training)
    {
        var componentExpected = new float[inputs.Length];
        var componentErrors = new float[inputs.Length];
        var fused = new double[inputs.Length];
        int warmUp = WarmUp, length = inputs.Length / Features;
        for (int c = 0; c < _components.Length; c++)
        {
            IFittedScorer component = _components[c];
            bool scores = c == 0 || length >= ScorableLength(component);
            int joins = scores ? Math.Clamp(component.WarmUp, warmUp, length) : length;
            for (int t = warmUp; t < joins; t++)
            {
                AddStandIn(c, fused.AsSpan(t * Features, Features));
            }

            if (!scores)
            {
                continue;
            }

            Span<float> into = c == 0 ? expected : componentExpected;
            if (training)
            {
                TimedScoring.ScoreTraining(component, inputs, observed, timestamps, into, componentErrors);
            }
            else
            {
                TimedScoring.Score(component, inputs, observed, timestamps, into, componentErrors);
            }

            for (int t = joins; t < length; t++)
            {
                Add(c, componentErrors.AsSpan(t * Features, Features), fused.AsSpan(t * Features, Features));
            }
        }

        for (int i = 0; i < errors.Length; i++)
        {
            errors[i] = i < warmUp * Features || float.IsNaN(observed[i]) ? float.NaN : (float)fused[i];
        }

        // The fusion's warm-up is the first component's, whose expected values are NaN during it already.
        expected[..(warmUp * Features)].Fill(float.NaN);
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">A component cannot score one point at a time.</exception>
    public PointScorer CreatePointScorer() => new Stream(this);

    /// <summary>
    /// The shortest series a component scores a step of: one step past its warm-up, and its whole window (a reconstruction
    /// scores from step 0 on but reads a window). A fusion leaves a component out of shorter series.
    /// </summary>
    internal static int ScorableLength(IFittedScorer component) => Math.Max(component.WarmUp + 1, component.Window);

    /// <summary>
    /// A point's error of one component when points are calibrated: the mean over the observed features of each feature's
    /// error (its absolute value, for residuals); NaN when no feature is observed.
    /// </summary>
    internal static float PointError(ReadOnlySpan<float> errors, bool signed) => PointError(errors, signed, out _);

    /// <summary>As <see cref="PointError(ReadOnlySpan{float}, bool)"/>, with how many features are observed (its divisor).</summary>
    private static float PointError(ReadOnlySpan<float> errors, bool signed, out int observed)
    {
        double sum = 0;
        observed = 0;
        foreach (float error in errors)
        {
            if (!float.IsNaN(error))
            {
                sum += signed ? Math.Abs(error) : error;
                observed++;
            }
        }

        return observed == 0 ? float.NaN : (float)(sum / observed);
    }

    /// <summary>
    /// Adds component <paramref name="component"/>'s calibrated errors of one point (one per feature) to the point's fused
    /// errors; shared with the stream. Calibrating points, every feature's fused error is the point's.
    /// </summary>
    private void Add(int component, ReadOnlySpan<float> errors, Span<double> fused)
    {
        if (!_perPoint)
        {
            for (int f = 0; f < errors.Length; f++)
            {
                Add(component, f, errors[f], ref fused[f]);
            }

            return;
        }

        double point = fused[0];
        Add(component, 0, PointError(errors, _components[component].ErrorsAreSigned), ref point);
        fused.Fill(point);
    }

    /// <summary>
    /// Adds what a component that has no error yet (still warming up, or on a series too short for it) stands in with:
    /// its median calibration error, so that the fused score keeps its level when the component joins instead of
    /// stepping up by the component's typical share; nothing for a component without a calibration.
    /// </summary>
    private void AddStandIn(int component, Span<double> fused) => Add(component, StandInsOf(component), fused);

    /// <summary>The calibration of one component's errors of one feature (of its point errors, when points are calibrated).</summary>
    private EmpiricalDistribution? CalibrationOf(int component, int feature) => _calibrations[_perPoint ? component : (component * Features) + feature];

    /// <summary>Adds component <paramref name="component"/>'s calibrated error of one feature (or its point error) to a fused error.</summary>
    private void Add(int component, int feature, float error, ref double fused)
    {
        EmpiricalDistribution? calibration = CalibrationOf(component, feature);
        if (float.IsNaN(error) || calibration is null)
        {
            return;
        }

        double value = _components[component].ErrorsAreSigned ? Math.Abs(error) : error;
        switch (_method)
        {
            case FusionMethod.Rank:
                fused += (1 - calibration.TailProbability(value)) / _components.Length;
                break;
            case FusionMethod.Maximum:
                // Surprises are non-negative, so the fused error's start at 0 never wins over a component's.
                fused = Math.Max(fused, CalibratedTail.Surprise(calibration, null, value));
                break;
            default:
                fused += CalibratedTail.Surprise(calibration, null, value);
                break;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The chain rule through every component: ∂fused/∂input = Σ_c g_c′(|e_c|)·sign(e_c)·∂e_c/∂input, where g_c is the
    /// component's calibration map. For tail-probability fusion g_c is the surprise, log-linear between calibration
    /// values, so its slope is read exactly by a central difference inside a piece; for rank fusion it is the slope of
    /// the rank interpolated linearly between neighbouring calibration values (the empirical rank itself is a step function,
    /// whose derivative would be zero almost everywhere). Components' windows differ in length and in whether they
    /// read the scored step itself; the rows cover their union.
    /// </remarks>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps) =>
        Saliency(inputs, observed, timestamps: null, time, errorGradient, inputGradient, out steps);

    /// <summary>As the public <c>Saliency</c>, with the timestamps handed to every component that reads them.</summary>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, int time,
        ReadOnlySpan<float> errorGradient, Span<float> inputGradient, out int steps)
    {
        int length = ScoringArguments.ValidateSaliency(inputs, observed, Features, ScorableLength(_components[0]), time, WarmUp, errorGradient, inputGradient,
            MaximumSaliencySteps);
        int features = Features;
        var expected = new float[inputs.Length];
        var errors = new float[inputs.Length];
        var chained = new float[features];
        var spans = new (int Start, int Steps, float[] Gradient)[_components.Length];
        int first = time, end = time;

        // Every component's errors at the step first: a maximum fusion needs all of them to know which one decides.
        var errorsAt = new float[_components.Length * features];
        errorsAt.AsSpan().Fill(float.NaN);
        for (int c = 0; c < _components.Length; c++)
        {
            // A component still warming up has no error at this step, so nothing of the fused error to explain; its stand-in
            // still takes part in a maximum.
            if (Explains(_components[c], length, time))
            {
                TimedScoring.Score(_components[c], inputs, observed, timestamps, expected, errors);
                errors.AsSpan(time * features, features).CopyTo(errorsAt.AsSpan(c * features));
            }
            else
            {
                StandInsOf(c).CopyTo(errorsAt.AsSpan(c * features));
            }
        }

        int[]? deciding = _method == FusionMethod.Maximum ? Deciding(errorsAt) : null;
        // Calibrating points, every feature's fused error is the point's: the score moves with the sum of their gradients.
        float pointGradient = 0f;
        for (int f = 0; f < features && _perPoint; f++)
        {
            pointGradient += errorGradient[f];
        }

        for (int c = 0; c < _components.Length; c++)
        {
            IFittedScorer component = _components[c];
            if (!Explains(component, length, time))
            {
                continue;
            }

            ReadOnlySpan<float> row = errorsAt.AsSpan(c * features, features);
            // The point error is the mean over the observed features, so each one's share of its slope is 1 / observed.
            int observedFeatures = 0;
            float point = _perPoint ? PointError(row, component.ErrorsAreSigned, out observedFeatures) : float.NaN;
            double pointSlope = _perPoint && !float.IsNaN(point) ? Slope(c, 0, point) / observedFeatures : 0;
            for (int f = 0; f < features; f++)
            {
                float error = row[f];
                double slope = _perPoint ? pointSlope : Slope(c, f, component.ErrorsAreSigned ? Math.Abs(error) : error);
                float weight = _perPoint ? pointGradient : errorGradient[f];
                chained[f] = float.IsNaN(error) || weight == 0f || (deciding is not null && deciding[f] != c)
                    ? 0f
                    : (float)(weight * slope * (component.ErrorsAreSigned && error < 0 ? -1 : 1));
            }

            var gradient = new float[component.MaximumSaliencySteps * features];
            int start = TimedScoring.Saliency(component, inputs, observed, timestamps, time, chained, gradient, out int componentSteps);
            spans[c] = (start, componentSteps, gradient);
            first = Math.Min(first, start);
            end = Math.Max(end, start + componentSteps);
        }

        steps = end - first;
        inputGradient.Clear();
        foreach ((int start, int componentSteps, float[] gradient) in spans)
        {
            if (gradient is null)
            {
                continue;
            }

            Span<float> rows = inputGradient.Slice((start - first) * features, componentSteps * features);
            System.Numerics.Tensors.TensorPrimitives.Add(rows, gradient.AsSpan(0, componentSteps * features), rows);
        }

        return first;
    }

    /// <summary>A component's stand-in errors of one point, one per feature (calibrating points, the point's stand-in for each).</summary>
    private ReadOnlySpan<float> StandInsOf(int component) => _standIns.AsSpan(component * Features, Features);

    /// <summary>Whether a component has an error at <paramref name="time"/> of a series of <paramref name="length"/> steps, and so a share of the fused one.</summary>
    private static bool Explains(IFittedScorer component, int length, int time) => time >= component.WarmUp && length >= ScorableLength(component);

    /// <summary>
    /// For a maximum fusion, per feature, the component whose surprise is the fused error (the first of equal ones, as
    /// <see cref="Add(int, int, float, ref double)"/> keeps it; −1 where none has one): the gradient flows through it alone.
    /// </summary>
    /// <param name="errorsAt">Each component's errors at the explained step, component-major (NaN where it has none).</param>
    private int[] Deciding(ReadOnlySpan<float> errorsAt)
    {
        // Calibrating points, one component decides the point, so every feature.
        int slots = _perPoint ? 1 : Features;
        var deciding = new int[Features];
        var best = new double[slots];
        deciding.AsSpan().Fill(-1);
        for (int c = 0; c < _components.Length; c++)
        {
            ReadOnlySpan<float> row = errorsAt.Slice(c * Features, Features);
            for (int f = 0; f < slots; f++)
            {
                float error = _perPoint ? PointError(row, _components[c].ErrorsAreSigned) : row[f];
                double fused = best[f];
                Add(c, f, error, ref fused);
                if (fused > best[f] || (deciding[f] < 0 && !float.IsNaN(error) && CalibrationOf(c, f) is not null))
                {
                    (best[f], deciding[f]) = (fused, c);
                }
            }
        }

        if (_perPoint)
        {
            deciding.AsSpan(1).Fill(deciding[0]);
        }

        return deciding;
    }

    /// <summary>The derivative of component <paramref name="component"/>'s calibrated value of one feature at an error.</summary>
    private double Slope(int component, int feature, double value)
    {
        EmpiricalDistribution? calibration = CalibrationOf(component, feature);
        if (calibration is null)
        {
            return 0;
        }

        if (_method != FusionMethod.Rank)
        {
            double step = 1e-7 * Math.Max(Math.Max(Math.Abs(value), calibration.StandardDeviation), 1e-12);
            return (CalibratedTail.Surprise(calibration, null, value + step) - CalibratedTail.Surprise(calibration, null, value - step)) / (2 * step);
        }

        ReadOnlySpan<double> sorted = calibration.SortedValues;
        int above = EmpiricalDistribution.UpperBound(sorted, value);
        if (above == 0 || above == sorted.Length)
        {
            return 0;
        }

        double gap = sorted[above] - sorted[above - 1];
        return gap > 0 ? 1.0 / (sorted.Length * gap * _components.Length) : 0;
    }

    /// <summary>The fusion on one stream: every component scores every point (each from its own warm-up on, as in <see cref="Score"/>).</summary>
    private sealed class Stream : PointScorer
    {
        private readonly FittedFusionScorer _fusion;
        private readonly PointScorer[] _components;
        private readonly float[] _componentExpected;
        private readonly float[] _componentErrors;
        private readonly double[] _fused;
        private readonly int _warmUp;

        public Stream(FittedFusionScorer fusion)
        {
            _fusion = fusion;
            _components = [.. fusion._components.Select(PointScorers.Create)];
            _componentExpected = new float[fusion.Features];
            _componentErrors = new float[fusion.Features];
            _fused = new double[fusion.Features];
            Context = _components.Max(c => c.Context);
            _warmUp = fusion.WarmUp;
        }

        public override int Context { get; }

        public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            int features = _fusion.Features;
            bool warm = history.Time >= _warmUp;
            Array.Clear(_fused);
            for (int c = 0; c < _components.Length; c++)
            {
                _components[c].Score(history, observed, c == 0 ? expected : _componentExpected, _componentErrors);
                if (!warm)
                {
                    continue;
                }

                if (history.Time >= _fusion._components[c].WarmUp)
                {
                    _fusion.Add(c, _componentErrors, _fused);
                }
                else
                {
                    _fusion.AddStandIn(c, _fused);
                }
            }

            for (int f = 0; f < features; f++)
            {
                errors[f] = !warm || float.IsNaN(observed[f]) ? float.NaN : (float)_fused[f];
                expected[f] = warm ? expected[f] : float.NaN;
            }
        }

        public override void InputsRewritten()
        {
            foreach (PointScorer component in _components)
            {
                component.InputsRewritten();
            }
        }

        public override void CollectForecasts(InputHistory history, List<ForecastPointScorer> forecasts)
        {
            foreach (PointScorer component in _components)
            {
                component.CollectForecasts(history, forecasts);
            }
        }

        public override void WriteState(FieldWriter writer)
        {
            foreach (PointScorer component in _components)
            {
                component.WriteState(writer);
            }
        }

        public override void ReadState(FieldReader reader, InputHistory history)
        {
            foreach (PointScorer component in _components)
            {
                component.ReadState(reader, history);
            }
        }
    }
}
