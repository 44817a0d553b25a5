using Microsoft.Extensions.Logging;

namespace GruAnomaly.Diagnostics;

/// <summary>Scorer events; ids from 40 on.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Information,
        Message = "Carried-state forecast: {Sequences} training sequences of {Steps} steps (burn-in {BurnIn}, {Stride} targets each, truncation every {Truncation} steps, {Batch} sequences per mini-batch)")]
    public static partial void CarriedStateSequences(this ILogger logger, int sequences, int steps, int burnIn, int stride, int truncation, int batch);
}
