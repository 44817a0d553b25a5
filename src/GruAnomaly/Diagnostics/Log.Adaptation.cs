using Microsoft.Extensions.Logging;

namespace GruAnomaly.Diagnostics;

/// <summary>Online adaptation events; ids from 30 on, apart from the detector's fitting events.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 30, Level = LogLevel.Information,
        Message = "Adapted the {Scorer} scorer before step {Step}: fine-tuned on steps {From} to {To} without their {Excluded} flagged steps, training loss {Loss}, in {Elapsed}")]
    public static partial void ScorerAdapted(this ILogger logger, string scorer, int step, int from, int to, int excluded, double loss, TimeSpan elapsed);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information,
        Message = "Kept the {Scorer} scorer before step {Step}: steps {From} to {To} ({Excluded} flagged) leave no training window to learn from")]
    public static partial void AdaptationSkipped(this ILogger logger, string scorer, int step, int from, int to, int excluded);
}
