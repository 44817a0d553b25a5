using System.Text.Json.Serialization;

namespace GruAnomaly.Cli.Commands.Detect;

/// <summary>What <c>detect --json</c> prints: the run, its alarms and its events.</summary>
/// <param name="Model">The model file.</param>
/// <param name="Input">The CSV detected on.</param>
/// <param name="Output">The scores CSV written.</param>
/// <param name="Points">Points detected on.</param>
/// <param name="Scored">Points that received a score (the rest are the warm-up or wholly missing).</param>
/// <param name="Flagged">Points flagged after the event rules.</param>
/// <param name="Columns">The value columns, in the model's feature order.</param>
/// <param name="Scorer">The detector's scorer.</param>
/// <param name="Window">The detector's window.</param>
/// <param name="Threshold">The detector's fitted threshold.</param>
/// <param name="Alarms">The alarms, in order.</param>
/// <param name="Events">The events, in order.</param>
internal sealed record DetectionSummary(
    string Model, string Input, string Output, int Points, int Scored, int Flagged, IReadOnlyList<string> Columns, string Scorer, int Window,
    string Threshold, IReadOnlyList<AlarmSummary> Alarms, IReadOnlyList<EventSummary> Events);

/// <summary>One alarm.</summary>
/// <param name="Index">The 0-based row.</param>
/// <param name="Timestamp">The row's timestamp, or null without a time column.</param>
/// <param name="Values">The row's values, one per column (null where missing).</param>
/// <param name="Expected">The expected values, one per column.</param>
/// <param name="Score">The score the threshold judged.</param>
/// <param name="Threshold">The threshold in force.</param>
/// <param name="Surprise">−log₁₀ of the calibrated tail probability.</param>
/// <param name="Likelihood">The anomaly likelihood in [0, 1).</param>
internal sealed record AlarmSummary(int Index, string? Timestamp, IReadOnlyList<double?> Values, IReadOnlyList<double?> Expected, double Score,
    double Threshold, double Surprise, double Likelihood);

/// <summary>One event: a run of flagged rows.</summary>
/// <param name="Start">The first row.</param>
/// <param name="Peak">The row of the highest score.</param>
/// <param name="End">The last row (inclusive).</param>
/// <param name="Length">Rows in the event.</param>
/// <param name="StartTime">The first row's timestamp, or null.</param>
/// <param name="PeakTime">The peak's timestamp, or null.</param>
/// <param name="EndTime">The last row's timestamp, or null.</param>
/// <param name="PeakSurprise">The surprise at the peak.</param>
internal sealed record EventSummary(int Start, int Peak, int End, int Length, string? StartTime, string? PeakTime, string? EndTime, double PeakSurprise);

/// <summary>Source-generated JSON for <see cref="DetectionSummary"/> (trims and compiles ahead of time).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DetectionSummary))]
internal sealed partial class DetectionJsonContext : JsonSerializerContext;
