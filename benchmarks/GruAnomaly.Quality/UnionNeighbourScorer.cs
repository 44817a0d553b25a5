using GruAnomaly.Scoring;
using GruAnomaly.Training;

namespace GruAnomaly.Quality;

/// <summary>
/// A benchmark-side probe, measured and not adopted (quality-2026-12-03-sliding.md): the nearest-neighbour distance
/// against the union of the training reference (the last <paramref name="reference"/> training steps, as
/// <see cref="Scorer.NearestNeighbour"/>) and the sliding one (the latest <paramref name="reference"/> subsequences before
/// the point, as <see cref="Scorer.SlidingNearestNeighbour"/>): the smaller of the two distances, so a shape is new only
/// if neither the training series nor the series' own recent past showed it.
/// With <paramref name="budget"/>, one memory of <paramref name="reference"/> steps is shared instead: the training
/// series fills it first, and only what it leaves (reference − training length, when positive) slides over the series'
/// own past; a training series that fills it gives the plain distance alone (quality-2026-12-03-selection.md).
/// </summary>
internal sealed class UnionNeighbourScorer(int reference, bool budget = false) : IAnomalyScorer
{
    private readonly IAnomalyScorer _training = Scorer.NearestNeighbour(reference: reference);
    private readonly IAnomalyScorer _sliding = Scorer.SlidingNearestNeighbour(reference: reference);

    public string Name => budget ? $"shared nearest-neighbour(reference={reference})" : $"union nearest-neighbour(reference={reference})";

    public int MinimumLength(int window) => _sliding.MinimumLength(window);

    public int MaximumWindow => _training.MaximumWindow;

    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        IFittedScorer training = _training.Fit(context, progress, cancellationToken);
        if (!budget)
        {
            return new Fitted(Name, training, _sliding.Fit(context, progress, cancellationToken));
        }

        int spare = reference - (context.Inputs.Length / context.Features);
        return spare <= 0
            ? training
            : new Fitted(Name, training, Scorer.SlidingNearestNeighbour(reference: spare).Fit(context, progress, cancellationToken));
    }

    private sealed class Fitted(string name, IFittedScorer training, IFittedScorer sliding) : IFittedScorer, IStreamableScorer, ITrainingScorer
    {
        public string Name => name;

        public int Features => training.Features;

        public int Window => training.Window;

        public bool ErrorsAreSigned => false;

        public int WarmUp => training.WarmUp;

        // Every training point is scored against the training reference without itself, as the plain distance is.
        public int HeldOutFrom => training.HeldOutFrom;

        public TrainingHistory? History => null;

        public int MaximumSaliencySteps => training.MaximumSaliencySteps;

        public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            var otherExpected = new float[expected.Length];
            var otherErrors = new float[errors.Length];
            training.Score(inputs, observed, expected, errors);
            sliding.Score(inputs, observed, otherExpected, otherErrors);
            KeepSmaller(expected, errors, otherExpected, otherErrors);
        }

        public void ScoreTraining(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected,
            Span<float> errors)
        {
            var otherExpected = new float[expected.Length];
            var otherErrors = new float[errors.Length];
            ((ITrainingScorer)training).ScoreTraining(inputs, observed, timestamps, expected, errors);
            ((ITrainingScorer)sliding).ScoreTraining(inputs, observed, timestamps, otherExpected, otherErrors);
            KeepSmaller(expected, errors, otherExpected, otherErrors);
        }

        // The quality benchmark never asks for explanations: the training reference's saliency stands for both.
        public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
            Span<float> inputGradient, out int steps) => training.Saliency(inputs, observed, time, errorGradient, inputGradient, out steps);

        public PointScorer CreatePointScorer() => new Stream(PointScorers.Create(training), PointScorers.Create(sliding), Features);

        /// <summary>Keeps, per value, the smaller error (a NaN error loses to a number) and its expected value.</summary>
        private static void KeepSmaller(Span<float> expected, Span<float> errors, ReadOnlySpan<float> otherExpected, ReadOnlySpan<float> otherErrors)
        {
            for (int i = 0; i < errors.Length; i++)
            {
                if (float.IsNaN(errors[i]) ? !float.IsNaN(otherErrors[i]) : otherErrors[i] < errors[i])
                {
                    (expected[i], errors[i]) = (otherExpected[i], otherErrors[i]);
                }
            }
        }

        private sealed class Stream(PointScorer training, PointScorer sliding, int features) : PointScorer
        {
            private readonly float[] _expected = new float[features];
            private readonly float[] _errors = new float[features];

            public override int Context => Math.Max(training.Context, sliding.Context);

            public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
            {
                training.Score(history, observed, expected, errors);
                sliding.Score(history, observed, _expected, _errors);
                KeepSmaller(expected, errors, _expected, _errors);
            }

            public override void InputsRewritten()
            {
                training.InputsRewritten();
                sliding.InputsRewritten();
            }
        }
    }
}
