using CsCheck;
using GruAnomaly.Detection;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Tests.Reliability;

/// <summary>
/// Property-based tests (CsCheck) of the public entry points: every generated input either works or throws the documented
/// <see cref="ArgumentException"/> family with a message that names the problem. Seeded, single-threaded and small (tiny
/// models, one epoch), so that the inputs are the same on every run; each property prints how many inputs it tried.
/// </summary>
public sealed class PropertyTests(ITestOutputHelper output)
{
    /// <summary>A fixed CsCheck seed: the same inputs on every run and machine.</summary>
    private const string Seed = "0N0XIzNsQ0O2";

    /// <summary>Words one of which a refusal must contain: it names what was wrong.</summary>
    private static readonly string[] ProblemWords =
    [
        "time steps", "NaN", "infinit", "finite", "observed", "window", "feature", "needs", "must", "empty", "values", "expected",
        "Array.MaxLength",
    ];

    public enum Kind
    {
        Normal,
        Constant,
        SomeMissing,
        AnInfinity,
        AFeatureNeverObserved,
        AllMissing,
        Steps,
        Spikes,
    }

    /// <summary>Magnitudes from the smallest subnormal to the edge of float.</summary>
    private static readonly float[] Magnitudes = [float.Epsilon, 1e-40f, 1e-30f, 1e-3f, 1f, 1e3f, 1e20f, 1e30f, 1e38f];

    public sealed record SeriesCase(int Length, int Features, Kind Kind, float Magnitude, int Seed)
    {
        public float[] Values()
        {
            var random = new Random(Seed);
            var values = new float[Length * Features];
            for (int t = 0; t < Length; t++)
            {
                for (int f = 0; f < Features; f++)
                {
                    double x = Kind switch
                    {
                        Kind.Constant => 1,
                        Kind.Steps => t < Length / 2 ? -1 : 1,
                        Kind.Spikes => t % 17 == 3 ? 3 : random.NextDouble() - 0.5, // 3·1e38 is still a float
                        _ => (random.NextDouble() * 2) - 1,
                    };
                    values[(t * Features) + f] = (float)(x * Magnitude);
                }
            }

            if (values.Length == 0)
            {
                return values;
            }

            switch (Kind)
            {
                case Kind.SomeMissing:
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = random.NextDouble() < 0.3 ? float.NaN : values[i];
                    }

                    break;
                case Kind.AnInfinity:
                    values[random.Next(values.Length)] = random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity;
                    break;
                case Kind.AFeatureNeverObserved:
                    for (int t = 0; t < Length; t++)
                    {
                        values[(t * Features) + (Features - 1)] = float.NaN;
                    }

                    break;
                case Kind.AllMissing:
                    Array.Fill(values, float.NaN);
                    break;
                default:
                    break;
            }

            return values;
        }

        /// <summary>
        /// Whether the series is one a detector must accept (given enough time steps and the right features): not empty, no
        /// infinity, and every feature observed at least once.
        /// </summary>
        public bool IsWellFormed
        {
            get
            {
                float[] values = Values();
                if (Length == 0 || values.Any(float.IsInfinity))
                {
                    return false;
                }

                for (int f = 0; f < Features; f++)
                {
                    bool observed = false;
                    for (int t = 0; t < Length && !observed; t++)
                    {
                        observed = !float.IsNaN(values[(t * Features) + f]);
                    }

                    if (!observed)
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        /// <summary>Whether a value is so large that scaling it by the training statistics may overflow a float.</summary>
        public bool MayOverflowTheScaling => Magnitude >= 1e38f;

        public override string ToString() => $"{Length}×{Features} {Kind} ×{Magnitude:G3} seed {Seed}";
    }

    /// <summary>Series of 0 to <paramref name="maximumLength"/> steps, mostly with <paramref name="usualFeatures"/> features.</summary>
    private static Gen<SeriesCase> SeriesOf(int maximumLength, int usualFeatures) =>
        Gen.Select(Gen.Frequency((1, Gen.Int[0, 2]), (4, Gen.Int[0, maximumLength])), Gen.Frequency((3, Gen.Const(usualFeatures)), (1, Gen.Int[1, 3])),
            Gen.Frequency((3, Gen.OneOf(Kind.Normal, Kind.Constant, Kind.SomeMissing, Kind.Steps, Kind.Spikes)), (1, Gen.Enum<Kind>())),
            Gen.Int[0, Magnitudes.Length - 1], Gen.Int[0, 1_000_000],
            (length, features, kind, magnitude, seed) => new SeriesCase(length, features, kind, Magnitudes[magnitude], seed));

    private static TrainerOptions OneEpoch => new() { Epochs = 1, BatchSize = 16, Seed = 1 };

    /// <summary>The message of the latest refusal, for the failure messages of the properties.</summary>
    private static string? lastRefusal;

    /// <summary>Runs an action that must either work or throw the ArgumentException family with a message naming the problem.</summary>
    /// <returns>Whether it worked.</returns>
    private static bool WorksOrRefuses(Action action, string what)
    {
        try
        {
            action();
            return true;
        }
        catch (ArgumentException e)
        {
            lastRefusal = e.Message;
            Assert.False(string.IsNullOrWhiteSpace(e.Message), $"{what}: an empty message");
            Assert.True(ProblemWords.Any(word => e.Message.Contains(word, StringComparison.OrdinalIgnoreCase)),
                $"{what}: the refusal does not name a problem: {e.Message}");
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: threw {e.GetType().Name} (not the ArgumentException family): {e.Message}");
            return false;
        }
    }

    private void Report(string property, int tried, int worked) =>
        output.WriteLine($"{property}: {tried} inputs tried ({worked} worked, {tried - worked} refused)");

    [Fact]
    public void BuilderOptionsBuildOrListTheirProblems()
    {
        int tried = 0, worked = 0;
        // Mostly valid values, so that both outcomes are common; the rest zero, negative, huge or not finite.
        Gen<int> size = Gen.Frequency((12, Gen.Int[1, 70]), (1, Gen.Int[-3, 0]), (1, Gen.OneOf(int.MinValue, int.MaxValue, int.MaxValue / 2, 1 << 20)));
        Gen<double> probability = Gen.Frequency((12, Gen.Double[1e-300, 0.0199]), (1, Gen.Double[-0.1, 1.1]),
            (1, Gen.OneOf(0, 1, 0.5, double.NaN, double.PositiveInfinity, double.Epsilon, 1e-300)));
        Gen.Select(size, size, size, size, Gen.Select(size, size, probability, probability, size, (layers, history, risk, q, epochs) => (layers, history, risk, q, epochs)),
                (window, stride, hidden, span, rest) => (window, stride, hidden, span, rest))
            .Sample(c =>
            {
                tried++;
                (int window, int stride, int hidden, int span, (int layers, int history, double risk, double q, int epochs)) = c;
                // The default scorer's nearest-neighbour distances search the last 2000 training steps: no longer a window.
                bool valid = window >= 1 && window <= 2000 && stride >= 1 && stride <= window && hidden >= 1 && span >= 1
                    && layers >= 1 && history >= 16 && risk > 0 && risk < 0.02 && epochs >= 1;
                bool built = WorksOrRefuses(() => AnomalyDetector.CreateBuilder()
                    .WithWindow(window, stride)
                    .WithModel(Models.Gru(hiddenSize: hidden, layers: layers))
                    .WithSmoothing(span)
                    .WithScoreNormalization(ScoreNormalization.RobustZ(history))
                    .WithThreshold(Threshold.Automatic(risk))
                    .WithTrainer(t => t with { Epochs = epochs })
                    .Build(), "Build");
                Assert.True(valid == built, $"{c}: {(built ? "built" : lastRefusal)}");
                if (!valid && q is < 0 or > 1 or double.NaN)
                {
                    // Every invalid choice is listed, not only the first: an invalid quantile joins the others.
                    var all = Assert.Throws<ArgumentException>(() => AnomalyDetector.CreateBuilder().WithWindow(window, stride).WithSmoothing(span)
                        .WithThreshold(Threshold.Quantile(q)).Build());
                    Assert.Contains("WithThreshold: Threshold.Quantile", all.Message, StringComparison.Ordinal);
                }

                worked += built ? 1 : 0;
            }, seed: Seed, iter: 5000, threads: 1);
        Report("Build", tried, worked);
    }

    [Fact]
    public void FitWorksOrRefusesWithTheProblem()
    {
        int tried = 0, worked = 0;
        Gen<int?> windows = Gen.OneOf<int?>(null, 1, 2, 5, 8, 40, 1000, int.MaxValue);
        Gen<int> thresholds = Gen.Int[0, 2];
        Gen.Select(SeriesOf(160, usualFeatures: 1), windows, thresholds, (series, window, threshold) => (series, window, threshold))
            .Sample(c =>
            {
                tried++;
                (SeriesCase series, int? window, int threshold) = c;
                AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder().WithModel(Models.Gru(hiddenSize: 2)).WithTrainer(OneEpoch)
                    .WithThreshold(threshold switch { 0 => Threshold.Automatic(), 1 => Threshold.Quantile(0.99), _ => Threshold.MedianPlusMad() });
                if (window is int w)
                {
                    builder.WithWindow(w);
                }

                AnomalyDetector? detector = null;
                if (!WorksOrRefuses(() => detector = builder.Build(), "Build"))
                {
                    Assert.Equal(int.MaxValue, window);
                    return;
                }

                TimeSeries? training = null;
                if (!WorksOrRefuses(() => training = new TimeSeries(series.Values(), series.Features), $"TimeSeries({series})"))
                {
                    Assert.False(series.IsWellFormed && series.Length > 0, $"a well-formed series {series} was refused");
                    return;
                }

                FittedAnomalyDetector? fitted = null;
                bool fits = WorksOrRefuses(() => fitted = detector!.Fit(training!), $"Fit({series}, window {window})");
                bool expected = series.IsWellFormed && series.Length >= detector!.MinimumTrainingLength;
                Assert.True(expected == fits, $"Fit({series}, window {window}) {(fits ? "worked" : "refused")}; expected the opposite (minimum {detector!.MinimumTrainingLength}): {lastRefusal}");
                if (fits)
                {
                    worked++;
                    DetectionResult result = fitted!.Detect(training!);
                    Assert.All(result.Scores.ToArray(), s => Assert.True(double.IsFinite(s), $"a score of {s} on {series}"));
                }
            }, seed: Seed, iter: 1000, threads: 1);
        Report("Fit", tried, worked);
    }

    [Fact]
    public void DetectWorksOrRefusesWithTheProblem()
    {
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder().WithScorer(Scorer.Forecast()).WithWindow(6)
            .WithModel(Models.Gru(hiddenSize: 3)).WithTrainer(OneEpoch).WithThreshold(Threshold.Quantile(0.99)).Build()
            .Fit(new TimeSeries(Detection.Synthetic.Normal(200, seed: 3, features: 2), 2));
        int tried = 0, worked = 0;
        SeriesOf(40, usualFeatures: 2).Sample(series =>
        {
            tried++;
            TimeSeries? test = null;
            if (!WorksOrRefuses(() => test = new TimeSeries(series.Values(), series.Features), $"TimeSeries({series})"))
            {
                return;
            }

            DetectionResult? result = null;
            bool detected = WorksOrRefuses(() => result = fitted.Detect(test!), $"Detect({series})");
            bool expected = series.IsWellFormed && series.Features == fitted.Features && series.Length >= fitted.MinimumLength;
            Assert.True(expected == detected || (!detected && series.MayOverflowTheScaling && lastRefusal!.Contains("scal", StringComparison.Ordinal)),
                $"Detect({series}) {(detected ? "worked" : "refused")}; expected the opposite: {lastRefusal}");
            if (detected)
            {
                worked++;
                Assert.All(result!.Scores.ToArray(), s => Assert.True(double.IsFinite(s), $"a score of {s} on {series}"));
                Assert.All(result.Thresholds.ToArray(), s => Assert.False(double.IsNaN(s), $"a threshold of {s} on {series}"));
            }
        }, seed: Seed, iter: 3000, threads: 1);
        Report("Detect", tried, worked);
    }

    [Fact]
    public void StreamObserveWorksOrRefusesPointByPoint()
    {
        FittedAnomalyDetector fitted = AnomalyDetector.CreateBuilder().WithScorer(Scorer.Forecast()).WithWindow(6)
            .WithModel(Models.Gru(hiddenSize: 3)).WithTrainer(OneEpoch).WithThreshold(Threshold.Quantile(0.99)).Build()
            .Fit(new TimeSeries(Detection.Synthetic.Normal(200, seed: 3, features: 2), 2));
        int tried = 0, worked = 0;
        SeriesOf(30, usualFeatures: 2).Sample(series =>
        {
            DetectorStream stream = fitted.CreateStream();
            float[] values = series.Values();
            for (int t = 0; t < series.Length; t++)
            {
                tried++;
                ReadOnlySpan<float> point = values.AsSpan(t * series.Features, series.Features);
                bool refusable = series.Features != fitted.Features || point.ToArray().Any(float.IsInfinity);
                float[] copy = point.ToArray();
                StreamPoint observed = default;
                bool accepted = WorksOrRefuses(() => observed = stream.Observe(copy), $"Observe({series}, t = {t})");
                Assert.True(accepted != refusable || (!accepted && series.MayOverflowTheScaling && lastRefusal!.Contains("scal", StringComparison.Ordinal)),
                    $"Observe({series}, t = {t}) {(accepted ? "accepted" : "refused")} [{string.Join(", ", copy)}]: {lastRefusal}");
                if (accepted)
                {
                    worked++;
                    Assert.True(double.IsFinite(observed.Score), $"a score of {observed.Score} at t = {t} of {series}");
                }
            }

            // A refused point leaves the stream usable.
            if (fitted.Features == 2)
            {
                Assert.True(double.IsFinite(stream.Observe([0.5f, -0.5f]).Score));
            }
        }, seed: Seed, iter: 1500, threads: 1);
        Report("Observe (points)", tried, worked);
    }
}
