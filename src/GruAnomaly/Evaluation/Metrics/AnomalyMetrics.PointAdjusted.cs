using GruAnomaly.Data;

namespace GruAnomaly.Evaluation;

public static partial class AnomalyMetrics
{
    /// <summary>
    /// Point-adjusted precision, recall and F1 (Xu et al., 2018): if any point of a labelled event (a run of anomalous
    /// points) is flagged, every point of that event counts as flagged; flags outside events count as they are.
    /// </summary>
    /// <remarks>
    /// <para>
    /// This score is optimistic and easily misleads. One lucky flag inside a long event earns the whole event as true
    /// positives, so random scores can reach a high point-adjusted F1: Kim et al. (AAAI 2022) show random flags beating
    /// published detectors under this protocol, and a test in this library shows 5% random flags on series with long
    /// events scoring several times their point-wise F1. Report it only next to <see cref="PointWise"/>, a PA%K score
    /// (<see cref="PointAdjustedAtK"/>, <see cref="PointAdjustedAtKCurve"/>) and the same score of a random baseline.
    /// </para>
    /// <para>Equal to <see cref="PointAdjustedAtK"/> with K = 0.</para>
    /// </remarks>
    /// <param name="labels">True where the point is anomalous.</param>
    /// <param name="predicted">True where the detector flagged the point; same length as <paramref name="labels"/>.</param>
    /// <returns>The confusion counts and scores after adjustment; undefined ratios are 0 (see <see cref="DetectionScores"/>).</returns>
    /// <exception cref="ArgumentException">The inputs are empty or differ in length.</exception>
    public static DetectionScores PointAdjusted(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predicted) =>
        PointAdjustedAtK(labels, predicted, 0);

    /// <summary>
    /// PA%K precision, recall and F1 (Kim et al., AAAI 2022): a labelled event counts as wholly flagged only when more
    /// than K percent of its points are flagged; otherwise its points count as they are.
    /// </summary>
    /// <remarks>
    /// <para>
    /// K = 0 is point adjustment (<see cref="PointAdjusted"/>: one flagged point suffices) and K = 100 is point-wise
    /// (<see cref="PointWise"/>: no event is ever adjusted). The comparison is strict ("more than K%"), as in the
    /// authors' code, which is what makes K = 0 require at least one flagged point.
    /// </para>
    /// <para>
    /// For small K this is still optimistic: random scores can reach a high PA%K F1 on series with long events. Prefer
    /// the area over all K (<see cref="PointAdjustedAtKCurve"/>) to one hand-picked K.
    /// </para>
    /// </remarks>
    /// <param name="labels">True where the point is anomalous.</param>
    /// <param name="predicted">True where the detector flagged the point; same length as <paramref name="labels"/>.</param>
    /// <param name="k">The percentage K in [0, 100] of an event's points that must be exceeded for the event to be adjusted.</param>
    /// <returns>The confusion counts and scores after adjustment; undefined ratios are 0 (see <see cref="DetectionScores"/>).</returns>
    /// <exception cref="ArgumentException">The inputs are empty or differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is outside [0, 100] or NaN.</exception>
    public static DetectionScores PointAdjustedAtK(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predicted, double k)
    {
        MetricInputs.Flags(labels, predicted);
        if (!(k >= 0 && k <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be a percentage in [0, 100]; got {k}.");
        }

        EventCoverage coverage = EventCoverage.Measure(labels, predicted);
        return coverage.Adjust(k);
    }

    /// <summary>
    /// F1 after PA%K adjustment for K = 0, 1, ..., 100 and the normalised area under it, as reported by Kim et al.
    /// (AAAI 2022) to avoid choosing K.
    /// </summary>
    /// <remarks>
    /// The K = 0 end is the optimistic point-adjusted F1 (random scores can reach a high value there); the K = 100 end
    /// is the point-wise F1.
    /// </remarks>
    /// <param name="labels">True where the point is anomalous.</param>
    /// <param name="predicted">True where the detector flagged the point; same length as <paramref name="labels"/>.</param>
    /// <returns>The curve and its area.</returns>
    /// <exception cref="ArgumentException">The inputs are empty or differ in length.</exception>
    public static PointAdjustedCurve PointAdjustedAtKCurve(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predicted)
    {
        MetricInputs.Flags(labels, predicted);
        EventCoverage coverage = EventCoverage.Measure(labels, predicted);
        var f1 = new double[PointAdjustedCurve.PointCount];
        for (int k = 0; k < f1.Length; k++)
        {
            f1[k] = coverage.Adjust(k).F1;
        }

        return new PointAdjustedCurve(f1);
    }

    /// <summary>How many points of each labelled event are flagged, and the confusion counts outside events.</summary>
    private sealed class EventCoverage
    {
        private readonly int[] _eventLengths;
        private readonly int[] _flaggedInEvent;
        private readonly int _falsePositives;
        private readonly int _trueNegatives;

        private EventCoverage(int[] eventLengths, int[] flaggedInEvent, int falsePositives, int trueNegatives)
        {
            _eventLengths = eventLengths;
            _flaggedInEvent = flaggedInEvent;
            _falsePositives = falsePositives;
            _trueNegatives = trueNegatives;
        }

        public static EventCoverage Measure(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predicted)
        {
            Run[] events = Run.Find(labels);
            var lengths = new int[events.Length];
            var flagged = new int[events.Length];
            for (int e = 0; e < events.Length; e++)
            {
                lengths[e] = events[e].Length;
                flagged[e] = predicted.Slice(events[e].Start, events[e].Length).Count(true);
            }

            // Outside events adjustment changes nothing, so those points are counted once.
            int flaggedTotal = predicted.Count(true);
            int falsePositives = flaggedTotal - flagged.Sum();
            int normalPoints = labels.Length - lengths.Sum();
            return new EventCoverage(lengths, flagged, falsePositives, normalPoints - falsePositives);
        }

        public DetectionScores Adjust(double k)
        {
            int truePositives = 0, falseNegatives = 0;
            for (int e = 0; e < _eventLengths.Length; e++)
            {
                int length = _eventLengths[e];
                int flagged = _flaggedInEvent[e];

                // flagged / length > k / 100, cross-multiplied so integer K compares exactly.
                if (flagged * 100.0 > k * length)
                {
                    truePositives += length;
                }
                else
                {
                    truePositives += flagged;
                    falseNegatives += length - flagged;
                }
            }

            return new DetectionScores(truePositives, _falsePositives, falseNegatives, _trueNegatives);
        }
    }
}
