using GruAnomaly.Scoring;
using GruAnomaly.Training;

namespace GruAnomaly.Quality;

/// <summary>
/// A scorer trained from another seed than the detector's: two forecasters in one fusion would otherwise train the
/// same weights, so this is what makes an ensemble of GRUs measurable without a library option for it.
/// </summary>
internal sealed class SeededScorer(IAnomalyScorer inner, int seedOffset) : IAnomalyScorer
{
    public string Name => $"{inner.Name}(seed+{seedOffset})";

    public int MinimumLength(int window) => inner.MinimumLength(window);

    public void Validate(TrainerOptions trainer, ICollection<string> problems) => inner.Validate(trainer, problems);

    public bool IsAdaptable => inner.IsAdaptable;

    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        // These series carry no timestamps, so the context's internal timestamps (null here) are not lost by the copy.
        var seeded = new ScorerFitContext
        {
            Inputs = context.Inputs,
            Observed = context.Observed,
            Features = context.Features,
            Window = context.Window,
            Stride = context.Stride,
            Model = context.Model,
            Trainer = context.Trainer with { Seed = context.Trainer.Seed + seedOffset },
            MatrixProvider = context.MatrixProvider,
            Logger = context.Logger,
        };
        return inner.Fit(seeded, progress, cancellationToken);
    }
}
