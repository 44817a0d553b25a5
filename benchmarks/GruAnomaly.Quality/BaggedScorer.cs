using GruAnomaly.Scoring;
using GruAnomaly.Training;

namespace GruAnomaly.Quality;

/// <summary>
/// Several copies of a scorer trained from consecutive seeds, scored as one: each point's expected value and error are the
/// members' mean. Averaging the members is what a bagged ensemble does against the spread one seed's weights cause (a
/// fusion of them instead adds their surprises, which <c>quality-2026-12-03-ensemble.md</c> measured). For the benchmark
/// only: it scores series whole (the benchmark's protocols call <c>Detect</c>), not point by point, and explains nothing.
/// </summary>
internal sealed class BaggedScorer(IAnomalyScorer member, int members) : IAnomalyScorer
{
    public string Name => $"bagged {members} × {member.Name}";

    public int MinimumLength(int window) => member.MinimumLength(window);

    public void Validate(TrainerOptions trainer, ICollection<string> problems) => member.Validate(trainer, problems);

    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new Fitted(Name, [.. Enumerable.Range(0, members).Select(k => new SeededScorer(member, k).Fit(context, progress, cancellationToken))]);

    private sealed class Fitted(string name, IFittedScorer[] members) : IFittedScorer
    {
        public string Name => name;

        public int Features => members[0].Features;

        public int Window => members[0].Window;

        public bool ErrorsAreSigned => members[0].ErrorsAreSigned;

        public int WarmUp => members[0].WarmUp;

        public int HeldOutFrom => members.Max(m => m.HeldOutFrom);

        public TrainingHistory? History => members[0].History;

        public int MaximumSaliencySteps => members[0].MaximumSaliencySteps;

        public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            var memberExpected = new float[inputs.Length];
            var memberErrors = new float[inputs.Length];
            expected.Clear();
            errors.Clear();
            foreach (IFittedScorer m in members)
            {
                m.Score(inputs, observed, memberExpected, memberErrors);
                System.Numerics.Tensors.TensorPrimitives.Add(expected, memberExpected, expected);
                System.Numerics.Tensors.TensorPrimitives.Add(errors, memberErrors, errors);
            }

            System.Numerics.Tensors.TensorPrimitives.Divide(expected, members.Length, expected);
            System.Numerics.Tensors.TensorPrimitives.Divide(errors, members.Length, errors);
        }

        public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
            Span<float> inputGradient, out int steps) =>
            throw new NotSupportedException("The benchmark's bagged scorer explains nothing.");
    }
}
