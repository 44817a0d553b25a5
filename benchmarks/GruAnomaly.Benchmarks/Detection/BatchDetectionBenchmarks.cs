using BenchmarkDotNet.Attributes;

using GruAnomaly.Benchmarks.Recurrent;
using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace GruAnomaly.Benchmarks.Detection;

/// <summary>
/// Batch detection over a 100,000-point series (issue 15) with the detector of <see cref="DetectionBenchmarks"/> (window
/// 32, GRU(32), two epochs, POT threshold) and three scorers: the sliding-window forecast (the default), the carried-state
/// forecast and the reconstruction. Detect includes the whole decision path (scaling, combination, smoothing,
/// normalization, threshold, events). Times are per point; baseline: Detect with the sliding window.
/// </summary>
/// <remarks>
/// The carried state's earlier batch path, one <see cref="NetworkStreamer"/> step per point, stays measurable in the same
/// run through <see cref="StepwiseCarriedStateScorer"/> (a detector whose scorer scores that way), and the scorer alone is
/// measured both ways, so the cost of the network and of the decision path can be told apart.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(PointsPerSecondConfig))]
public class BatchDetectionBenchmarks
{
    private const int Points = 100_000;
    private FittedAnomalyDetector _forecast = null!;
    private FittedAnomalyDetector _carried = null!;
    private FittedAnomalyDetector _carriedStepwise = null!;
    private FittedAnomalyDetector _reconstruction = null!;
    private FittedCarriedStateForecastScorer _carriedScorer = null!;
    private StepwiseCarriedStateScorer _stepwiseScorer = null!;
    private TimeSeries _series = null!;
    private float[] _inputs = null!;
    private float[] _expected = null!;
    private float[] _errors = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        float[] training = DetectionBenchmarks.Sine(random, 2000);
        _series = TimeSeries.Univariate(DetectionBenchmarks.Sine(random, Points));
        _forecast = DetectionBenchmarks.Builder().Build().Fit(training);
        _carried = DetectionBenchmarks.Builder().WithScorer(Scorer.CarriedStateForecast()).Build().Fit(training);
        _reconstruction = DetectionBenchmarks.Builder().WithScorer(Scorer.Reconstruction()).Build().Fit(training);
        _carriedScorer = (FittedCarriedStateForecastScorer)_carried.Scorer;
        _stepwiseScorer = new StepwiseCarriedStateScorer(_carriedScorer);
        FittedAnomalyDetector c = _carried;
        _carriedStepwise = new FittedAnomalyDetector(c.Settings, NullLogger.Instance, c.Telemetry, c.Choices, c.Scaler, _stepwiseScorer,
            c.Combination, c.TypicalScore, c.Normalization, c.Threshold, c.Features, c.CalibrationScores);
        _inputs = new float[Points];
        c.Scaler.Transform(_series.Values, _inputs);
        _expected = new float[Points];
        _errors = new float[Points];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public DetectionResult DetectForecast() => _forecast.Detect(_series);

    [Benchmark(OperationsPerInvoke = Points)]
    public DetectionResult DetectCarriedState() => _carried.Detect(_series);

    [Benchmark(OperationsPerInvoke = Points)]
    public DetectionResult DetectCarriedStateStepwise() => _carriedStepwise.Detect(_series);

    [Benchmark(OperationsPerInvoke = Points)]
    public DetectionResult DetectReconstruction() => _reconstruction.Detect(_series);

    [Benchmark(OperationsPerInvoke = Points)]
    public float ScoreCarriedState()
    {
        _carriedScorer.Score(_inputs, _inputs, _expected, _errors);
        return _errors[^1];
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public float ScoreCarriedStateStepwise()
    {
        _stepwiseScorer.Score(_inputs, _inputs, _expected, _errors);
        return _errors[^1];
    }

    /// <summary>
    /// The carried-state scorer with the batch path it had before issue 15: one <see cref="NetworkStreamer"/> step per
    /// point, the stream's own step; everything else is the wrapped scorer's.
    /// </summary>
    internal sealed class StepwiseCarriedStateScorer(FittedCarriedStateForecastScorer inner) : IFittedScorer
    {
        public string Name => inner.Name;

        public int Features => inner.Features;

        public int Window => inner.Window;

        public bool ErrorsAreSigned => inner.ErrorsAreSigned;

        public int WarmUp => inner.WarmUp;

        public int HeldOutFrom => inner.HeldOutFrom;

        public TrainingHistory? History => inner.History;

        public int MaximumSaliencySteps => inner.MaximumSaliencySteps;

        public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            int features = Features, length = inputs.Length / features;
            expected.Fill(float.NaN);
            errors.Fill(float.NaN);
            StreamState state = inner.Streamer.CreateState();
            var output = new float[inner.OutputWidth];
            for (int time = 0; time < length - 1; time++)
            {
                inner.Streamer.Step(state, inputs.Slice(time * features, features), output);
                int next = time + 1;
                if (next >= Window)
                {
                    inner.Judge(output, observed.Slice(next * features, features), expected.Slice(next * features, features),
                        errors.Slice(next * features, features));
                }
            }
        }

        public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
            Span<float> inputGradient, out int steps) => inner.Saliency(inputs, observed, time, errorGradient, inputGradient, out steps);
    }
}
