using Microsoft.Extensions.Logging;

namespace GruAnomaly.Diagnostics;

/// <summary>Detector events; ids from 20 on, to leave room for the engine's.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Information,
        Message = "Fitting detector: {Scorer} scorer on {Model}, {Length} time steps of {Features} features, window {Window}")]
    public static partial void DetectorFitting(this ILogger logger, string scorer, string model, int length, int features, int window);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information,
        Message = "Detector fitted: threshold {Threshold} = {Value} from {Scores} {Source} scores")]
    public static partial void DetectorFitted(this ILogger logger, int scores, string source, string threshold, double value);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Chosen automatically: {Choice}")]
    public static partial void AutomaticChoice(this ILogger logger, string choice);
}
