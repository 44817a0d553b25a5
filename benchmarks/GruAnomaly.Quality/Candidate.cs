using GruAnomaly.Detection;

namespace GruAnomaly.Quality;

/// <summary>A detector configuration under test: the library's default, a variant, or a baseline.</summary>
/// <param name="Name">The name in the tables.</param>
/// <param name="IsBaseline">Whether the default has to beat it.</param>
/// <param name="Build">Builds the (unfitted) detector; a new builder each time.</param>
internal sealed record Candidate(string Name, bool IsBaseline, Func<AnomalyDetectorBuilder, AnomalyDetectorBuilder> Build)
{
    public AnomalyDetector Create() => Build(AnomalyDetector.CreateBuilder()).Build();
}
