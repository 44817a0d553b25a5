namespace GruAnomaly.Detection;

/// <summary>A contiguous stretch of anomalous time steps.</summary>
/// <param name="Start">The first time step of the event.</param>
/// <param name="End">The last time step of the event (inclusive).</param>
/// <param name="PeakIndex">The time step of the highest score within <c>[Start, End]</c> (the first, on ties).</param>
/// <param name="PeakScore">The highest score within <c>[Start, End]</c>.</param>
public readonly record struct AnomalyEvent(int Start, int End, int PeakIndex, double PeakScore)
{
    /// <summary>The number of time steps in the event, <c>End − Start + 1</c>.</summary>
    public int Length => End - Start + 1;
}
