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

    /// <summary>Returns a short summary, for example <c>[120, 131] (12 steps), peak 7.25 at 125</c>.</summary>
    /// <returns>The range, its length and the peak.</returns>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture, $"[{Start}, {End}] ({Length} step{(Length == 1 ? "" : "s")}), peak {PeakScore:G6} at {PeakIndex}");
}
