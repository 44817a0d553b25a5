using GruAnomaly.Detection;

namespace GruAnomaly.Quality;

/// <summary>A detector configuration under test: the library's default, a variant, or a baseline.</summary>
/// <param name="Name">The name in the tables.</param>
/// <param name="IsBaseline">Whether the default has to beat it.</param>
/// <param name="Build">Sets the choices on a new builder; it may look at the values of the training series (never at labels).</param>
internal sealed record Candidate(string Name, bool IsBaseline, Func<AnomalyDetectorBuilder, TimeSeries, AnomalyDetectorBuilder> Build)
{
    public Candidate(string name, bool isBaseline, Func<AnomalyDetectorBuilder, AnomalyDetectorBuilder> build)
        : this(name, isBaseline, (b, _) => build(b))
    {
    }

    public AnomalyDetector Create(TimeSeries training) => Build(AnomalyDetector.CreateBuilder(), training).Build();

    /// <summary>The same candidate with its score smoothing span set (1: none), for a probe that smooths fused scores itself.</summary>
    public Candidate WithSmoothing(int span) => this with { Build = (b, training) => Build(b, training).WithSmoothing(span) };

    /// <summary>The same candidate fitted with another seed (initial weights and shuffling; its other choices stay as they are).</summary>
    public Candidate WithSeed(int seed) => this with { Build = (b, training) => Build(b, training).WithSeed(seed) };
}
