using GruAnomaly.Detection;

namespace GruAnomaly.Tests.Detection;

/// <summary>
/// The default detector on synthetic series with one labelled anomaly of each usual kind. Event-wise: recall is the
/// share of labelled events touched by a detected event; precision the share of detected events that touch a labelled
/// event or the <c>window</c> points right after it (a forecaster whose context still holds the anomaly is expected to
/// err there, so those alarms belong to the same anomaly).
/// </summary>
public sealed class SyntheticAnomalyTests(ITestOutputHelper output)
{
    private const int TrainingLength = 1600;
    private const int TestLength = 800;
    private const int AnomalyStart = 420;

    [Theory]
    [InlineData(Synthetic.Kind.Spike)]
    [InlineData(Synthetic.Kind.LevelShift)]
    [InlineData(Synthetic.Kind.VarianceChange)]
    [InlineData(Synthetic.Kind.FrequencyChange)]
    [InlineData(Synthetic.Kind.PatternStops)]
    [InlineData(Synthetic.Kind.CorrelationBreak)]
    public void DefaultDetectorFindsEachKindOfAnomaly(Synthetic.Kind kind)
    {
        int features = kind == Synthetic.Kind.CorrelationBreak ? 2 : 1;
        var training = new TimeSeries(Synthetic.Normal(TrainingLength, seed: 1, features), features);
        (float[] values, bool[] labels, _) = Synthetic.WithAnomaly(kind, TestLength, AnomalyStart, seed: 2);
        AnomalyDetector detector = AnomalyDetector.CreateBuilder().Build();

        FittedAnomalyDetector fitted = detector.Fit(training);
        DetectionResult result = fitted.Detect(new TimeSeries(values, features));

        (double recall, double precision) = EventScores(result.Events, labels, fitted.Window);
        output.WriteLine($"{kind}: threshold {fitted.Threshold.Value:F4}, {result.Events.Count} events " +
            $"[{string.Join(", ", result.Events.Select(e => $"{e.Start}-{e.End}"))}], recall {recall:F2}, precision {precision:F2}");
        Assert.Equal(1.0, recall);
        Assert.True(precision >= 0.5, $"event precision {precision:F2} < 0.5");
    }

    internal static (double Recall, double Precision) EventScores(IReadOnlyList<AnomalyEvent> detected, bool[] labels, int window)
    {
        var truth = new List<(int Start, int End)>();
        for (int t = 0; t < labels.Length; t++)
        {
            if (labels[t] && (t == 0 || !labels[t - 1]))
            {
                int end = t;
                while (end + 1 < labels.Length && labels[end + 1])
                {
                    end++;
                }

                truth.Add((t, end));
            }
        }

        double recall = truth.Count(r => detected.Any(e => e.Start <= r.End && e.End >= r.Start)) / (double)truth.Count;
        double precision = detected.Count == 0 ? 0
            : detected.Count(e => truth.Any(r => e.Start <= r.End + window && e.End >= r.Start)) / (double)detected.Count;
        return (recall, precision);
    }
}
