using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// A fitted <see cref="NearestNeighbourScorer"/> with a recent reference: per point and feature, the smaller of the
/// distance to the nearest training subsequence and the distance to the nearest of the latest subsequences before the
/// point, with the expected value of whichever is nearer. Immutable.
/// </summary>
internal sealed class FittedUnionNearestNeighbourScorer : IFittedScorer, IStreamableScorer, ITrainingScorer
{
    /// <param name="name">The scorer's name.</param>
    /// <param name="training">The distance to the training reference.</param>
    /// <param name="recent">The distance to the latest subsequences, of the same length and features.</param>
    public FittedUnionNearestNeighbourScorer(string name, FittedNearestNeighbourScorer training, FittedSlidingNearestNeighbourScorer recent)
    {
        if (training.Normalize || recent.Length != training.Length || recent.Features != training.Features)
        {
            throw new ArgumentException(
                $"A recent reference joins a plain training reference of the same subsequence length and features; got {training.Name} and {recent.Name}.", nameof(recent));
        }

        Name = name;
        Training = training;
        Recent = recent;
    }

    public string Name { get; }

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>Gets the distance to the training reference.</summary>
    public FittedNearestNeighbourScorer Training { get; }

    /// <summary>Gets the distance to the latest subsequences.</summary>
    public FittedSlidingNearestNeighbourScorer Recent { get; }

    public int Features => Training.Features;

    public int Window => Training.Window;

    public bool ErrorsAreSigned => false;

    public int WarmUp => Training.WarmUp;

    /// <remarks>Every scored training step, as the training reference's: a point never finds itself in either.</remarks>
    public int HeldOutFrom => Training.HeldOutFrom;

    public TrainingHistory? History => null;

    public int MaximumSaliencySteps => Training.MaximumSaliencySteps;

    public void Score(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
    {
        var recentExpected = new float[expected.Length];
        var recentErrors = new float[errors.Length];
        Training.Score(inputs, observed, expected, errors);
        Recent.Score(inputs, observed, recentExpected, recentErrors);
        KeepNearer(expected, errors, recentExpected, recentErrors);
    }

    public void ScoreTraining(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, IReadOnlyList<DateTimeOffset>? timestamps, Span<float> expected,
        Span<float> errors)
    {
        var recentExpected = new float[expected.Length];
        var recentErrors = new float[errors.Length];
        Training.ScoreTraining(inputs, observed, timestamps, expected, errors);
        Recent.ScoreTraining(inputs, observed, timestamps, recentExpected, recentErrors);
        KeepNearer(expected, errors, recentExpected, recentErrors);
    }

    /// <remarks>The saliency of whichever distance is the smaller at <paramref name="time"/>, its neighbour held fixed.</remarks>
    public int Saliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int time, ReadOnlySpan<float> errorGradient,
        Span<float> inputGradient, out int steps)
    {
        var expected = new float[inputs.Length];
        var trainingErrors = new float[inputs.Length];
        var recentErrors = new float[inputs.Length];
        Training.Score(inputs, observed, expected, trainingErrors);
        Recent.Score(inputs, observed, expected, recentErrors);
        int features = Features, first = Training.Saliency(inputs, observed, time, errorGradient, inputGradient, out steps);
        var recentGradient = new float[inputGradient.Length];
        Recent.Saliency(inputs, observed, time, errorGradient, recentGradient, out _);
        for (int f = 0; f < features; f++)
        {
            int i = (time * features) + f;
            if (Nearer(trainingErrors[i], recentErrors[i]))
            {
                for (int k = 0; k < steps; k++)
                {
                    inputGradient[(k * features) + f] = recentGradient[(k * features) + f];
                }
            }
        }

        return first;
    }

    public PointScorer CreatePointScorer() => new Stream(this);

    /// <summary>Whether the recent reference's error is the one kept: a number where the training one is NaN, or a smaller one.</summary>
    private static bool Nearer(float training, float recent) => float.IsNaN(training) ? !float.IsNaN(recent) : recent < training;

    private static void KeepNearer(Span<float> expected, Span<float> errors, ReadOnlySpan<float> recentExpected, ReadOnlySpan<float> recentErrors)
    {
        for (int i = 0; i < errors.Length; i++)
        {
            if (Nearer(errors[i], recentErrors[i]))
            {
                (expected[i], errors[i]) = (recentExpected[i], recentErrors[i]);
            }
        }
    }

    /// <summary>Both searches on one stream; neither carries anything the stream's kept inputs do not give back.</summary>
    private sealed class Stream : PointScorer
    {
        private readonly PointScorer _training;
        private readonly PointScorer _recent;
        private readonly float[] _recentExpected;
        private readonly float[] _recentErrors;

        public Stream(FittedUnionNearestNeighbourScorer scorer)
        {
            _training = scorer.Training.CreatePointScorer();
            _recent = scorer.Recent.CreatePointScorer();
            _recentExpected = new float[scorer.Features];
            _recentErrors = new float[scorer.Features];
            Context = Math.Max(_training.Context, _recent.Context);
        }

        public override int Context { get; }

        public override void Score(InputHistory history, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors)
        {
            _training.Score(history, observed, expected, errors);
            _recent.Score(history, observed, _recentExpected, _recentErrors);
            KeepNearer(expected, errors, _recentExpected, _recentErrors);
        }

        public override void InputsRewritten()
        {
            _training.InputsRewritten();
            _recent.InputsRewritten();
        }
    }
}
