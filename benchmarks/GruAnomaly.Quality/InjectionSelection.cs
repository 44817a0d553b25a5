using GruAnomaly.Detection;
using GruAnomaly.Evaluation;
using GruAnomaly.Scoring;

namespace GruAnomaly.Quality;

/// <summary>
/// A benchmark-side probe (issue 10): the scorer chosen per series without labels. Each option is fitted on the training
/// series without its last three tenths; synthetic anomalies (a spike, a level shift, a burst of noise, a flat stretch, a
/// change of amplitude) are injected into a copy of that tail; the option whose normalized scores rank the injected steps
/// best (average precision over the tail) is the scorer the detector is then fitted with on the whole training series.
/// The question it answers: can a choice made on the training series alone pick, series by series, the scorer that wins
/// there (the target counted against each series' best baseline), as unsupervised model selection by injected anomalies
/// proposes. Labels are never read: only the injected ones.
/// </summary>
internal static class InjectionSelection
{
    /// <summary>The share of the training series held out and injected.</summary>
    private const double TailShare = 0.3;

    /// <summary>The most anomalies injected into one tail.</summary>
    private const int MaximumInjected = 10;

    /// <summary>The seed of the injections: a fixed one, so the choice depends on the training series only.</summary>
    private const int InjectionSeed = 17;

    public static Candidate Candidate { get; } = new("chosen by injected anomalies", false, (b, training) =>
    {
        (IAnomalyScorer scorer, string report) = Choose(training);
        Console.Error.WriteLine($"injection selection, {training.Length} steps: {report}");
        return b.WithScorer(scorer);
    });

    /// <summary>The scorers chosen from, the default first (it wins ties).</summary>
    private static IReadOnlyList<(string Name, IAnomalyScorer Scorer)> Options(TimeSeries training) =>
    [
        ("default", Scorer.Default()),
        ("sliding nearest neighbour", Scorer.SlidingNearestNeighbour()),
        ("windowed Gaussian", Scorer.WindowedGaussian(window: 500)),
        ("first difference", Scorer.Naive(lag: 1)),
        ("repeat last period", Scorer.Naive(lag: Candidates.Period(training))),
        ("rolling z-score", Scorer.RollingZScore()),
    ];

    /// <summary>The option that ranks the injected anomalies best, and every option's average precision (NaN: could not be fitted).</summary>
    public static (IAnomalyScorer Scorer, string Report) Choose(TimeSeries training)
    {
        int length = training.Length, features = training.Features;
        int tail = (int)(length * TailShare), head = length - tail;
        int span = Candidates.AutomaticWindow(training);
        int count = Math.Min(MaximumInjected, tail / (4 * span));
        var options = Options(training);
        if (count < 1)
        {
            return (options[0].Scorer, "tail too short to inject");
        }

        float[] values = training.Values.ToArray();
        var labels = new bool[length];
        Inject(values, features, head, tail, span, count, labels);
        var headSeries = new TimeSeries(training.Values[..(head * features)], features);
        var injected = new TimeSeries(values, features);

        int best = 0;
        double bestPrecision = double.NegativeInfinity;
        var report = new List<string>();
        for (int i = 0; i < options.Count; i++)
        {
            double precision = AveragePrecision(options[i].Scorer, headSeries, injected, labels, head);
            report.Add($"{options[i].Name} {precision:F3}");
            if (precision > bestPrecision)
            {
                (best, bestPrecision) = (i, precision);
            }
        }

        return (options[best].Scorer, $"chose {options[best].Name}: {string.Join(", ", report)}");
    }

    /// <summary>The average precision of one scorer's normalized scores over the scored steps of the injected tail; NaN where the head is too short for it.</summary>
    private static double AveragePrecision(IAnomalyScorer scorer, TimeSeries head, TimeSeries injected, bool[] labels, int from)
    {
        FittedAnomalyDetector fitted;
        try
        {
            fitted = AnomalyDetector.CreateBuilder().WithScorer(scorer).Build().Fit(head);
        }
        catch (ArgumentException)
        {
            return double.NaN;
        }

        DetectionResult result = fitted.Detect(injected);
        var judgedLabels = new List<bool>();
        var scores = new List<double>();
        for (int t = from; t < injected.Length; t++)
        {
            if (result.IsScored[t])
            {
                judgedLabels.Add(labels[t]);
                scores.Add(result.Scores[t]);
            }
        }

        return judgedLabels.Contains(true) ? AnomalyMetrics.AveragePrecision([.. judgedLabels], [.. scores]) : double.NaN;
    }

    /// <summary>
    /// Injects <paramref name="count"/> anomalies of <paramref name="span"/> steps (a spike: one step) into
    /// [<paramref name="from"/>, <paramref name="from"/> + <paramref name="tail"/>), one per stretch of the tail, each into
    /// one feature, scaled by that feature's standard deviation over the head, and marks their steps.
    /// </summary>
    private static void Inject(float[] values, int features, int from, int tail, int span, int count, bool[] labels)
    {
        var random = new Random(InjectionSeed);
        int stretch = tail / count;
        for (int k = 0; k < count; k++)
        {
            int feature = random.Next(features);
            double deviation = StandardDeviation(values, features, feature, from);
            // Leave a span before each anomaly so that the scorers' windows start from normal data.
            int start = from + (k * stretch) + span + random.Next(Math.Max(1, stretch - (2 * span)));
            int end = Math.Min(start + span, from + tail);
            int kind = k % 5;
            float first = values[(start * features) + feature];
            double level = 0;
            for (int t = start; t < end; t++)
            {
                level += values[(t * features) + feature];
            }

            level /= end - start;
            for (int t = start; t < (kind == 0 ? start + 1 : end); t++)
            {
                ref float value = ref values[(t * features) + feature];
                value = kind switch
                {
                    0 => value + (float)((random.Next(2) * 2 - 1) * (2 + (2 * random.NextDouble())) * deviation),
                    1 => value + (float)((random.Next(2) * 2 - 1) * (0.5 + random.NextDouble()) * deviation),
                    2 => value + (float)(Gaussian(random) * (0.5 + random.NextDouble()) * deviation),
                    3 => first,
                    _ => (float)(level + ((value - level) * (random.Next(2) == 0 ? 0.3 : 2.0))),
                };
                labels[t] = true;
            }
        }
    }

    private static double StandardDeviation(float[] values, int features, int feature, int length)
    {
        double sum = 0, squares = 0;
        int observed = 0;
        for (int t = 0; t < length; t++)
        {
            float v = values[(t * features) + feature];
            if (!float.IsNaN(v))
            {
                sum += v;
                squares += (double)v * v;
                observed++;
            }
        }

        double mean = sum / Math.Max(1, observed);
        return Math.Sqrt(Math.Max(1e-12, (squares / Math.Max(1, observed)) - (mean * mean)));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
