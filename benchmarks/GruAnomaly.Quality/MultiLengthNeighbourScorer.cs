using GruAnomaly.Scoring;
using GruAnomaly.Training;

namespace GruAnomaly.Quality;

/// <summary>
/// A benchmark-side probe (issue 10): the nearest-neighbour distance to the training reference at several subsequence
/// lengths (as MERLIN searches discords of every length), each divided by the square root of its length so that the
/// distances read as a root-mean-square difference per step, and the largest kept: an anomaly shorter or longer than the
/// detector's window is then measured at a length near its own. The expected value is the first length's.
/// </summary>
internal sealed class MultiLengthNeighbourScorer(IReadOnlyList<int?> lengths, bool normalize, int reference) : IAnomalyScorer
{
    private readonly IAnomalyScorer[] _parts = [.. lengths.Select(length => Scorer.NearestNeighbour(length, normalize, reference))];

    public string Name => $"multi-length nearest-neighbour(lengths={string.Join("/", lengths.Select(l => l?.ToString() ?? "window"))}, normalize={normalize})";

    public int MinimumLength(int window) => _parts.Max(p => p.MinimumLength(window));

    public int MaximumWindow => _parts.Min(p => p.MaximumWindow);

    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new Fitted(Name, [.. _parts.Select(p => p.Fit(context, progress, cancellationToken))]);

    private sealed class Fitted(string name, IFittedScorer[] parts) : IFittedScorer, IStreamableScorer, ITrainingScorer
    {
        private readonly float[] _scales = [.. parts.Select(p => 1 / MathF.Sqrt(p.Window))];

        public string Name => name;

        public int Features => parts[0].Features;

        public int Window => parts.Max(p => p.Window);

        public bool ErrorsAreSigned => false;

        public int WarmUp => parts.Max(p => p.WarmUp);

        public int HeldOutFrom => parts.Max(p => p.HeldOutFrom);

        public TrainingHistory? History => null;

        public int MaximumSaliencySteps => parts[0].MaximumSaliencySteps;

        public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors) =>
            Combine(inputs, observed, null, training: false, expected, errors);

        public void ScoreTraining(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected,
            Span<float> errors) => Combine(inputs, observed, timestamps, training: true, expected, errors);

        // The quality benchmark never asks for explanations: the first length's saliency stands for all.
        public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
            Span<float> inputGradient, out int steps) => parts[0].Saliency(inputs, observed, time, errorGradient, inputGradient, out steps);

        public PointScorer CreatePointScorer() => new Stream([.. parts.Select(PointScorers.Create)], _scales, Features, WarmUp);

        private void Combine(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, bool training,
            Span<float> expected, Span<float> errors)
        {
            var partExpected = new float[inputs.Length];
            var partErrors = new float[inputs.Length];
            for (int p = 0; p < parts.Length; p++)
            {
                Span<float> e = p == 0 ? expected : partExpected, r = p == 0 ? errors : partErrors;
                if (training)
                {
                    ((ITrainingScorer)parts[p]).ScoreTraining(inputs, observed, timestamps, e, r);
                }
                else
                {
                    parts[p].Score(inputs, observed, e, r);
                }

                Scale(r, _scales[p]);
                if (p > 0)
                {
                    KeepLarger(errors, partErrors);
                }
            }

            // Every length scores from the longest one's warm-up on, so the combination's warm-up holds for all values.
            int warm = Math.Min(WarmUp * Features, errors.Length);
            expected[..warm].Fill(float.NaN);
            errors[..warm].Fill(float.NaN);
        }

        private static void Scale(Span<float> errors, float scale)
        {
            for (int i = 0; i < errors.Length; i++)
            {
                errors[i] *= scale;
            }
        }

        /// <summary>The larger error per value; NaN where either is NaN (a missing observation is missing for every length).</summary>
        private static void KeepLarger(Span<float> errors, ReadOnlySpan<float> other)
        {
            for (int i = 0; i < errors.Length; i++)
            {
                errors[i] = float.IsNaN(errors[i]) || float.IsNaN(other[i]) ? float.NaN : Math.Max(errors[i], other[i]);
            }
        }

        private sealed class Stream(PointScorer[] parts, float[] scales, int features, int warmUp) : PointScorer
        {
            private readonly float[] _expected = new float[features];
            private readonly float[] _errors = new float[features];
            public override int Context => parts.Max(p => p.Context);

            public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
            {
                parts[0].Score(history, observed, expected, errors);
                Scale(errors, scales[0]);
                for (int p = 1; p < parts.Length; p++)
                {
                    parts[p].Score(history, observed, _expected, _errors);
                    Scale(_errors, scales[p]);
                    KeepLarger(errors, _errors);
                }

                if (history.Time < warmUp)
                {
                    expected.Fill(float.NaN);
                    errors.Fill(float.NaN);
                }
            }

            public override void InputsRewritten()
            {
                foreach (PointScorer part in parts)
                {
                    part.InputsRewritten();
                }
            }
        }
    }
}
