using Microsoft.Extensions.Logging;

namespace GruAnomaly.Diagnostics;

/// <summary>Scorer events; ids from 40 on.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Information,
        Message = "Carried-state forecast: {Sequences} training sequences of {Steps} steps (burn-in {BurnIn}, {Stride} targets each, truncation every {Truncation} steps, {Batch} sequences per mini-batch)")]
    public static partial void CarriedStateSequences(this ILogger logger, int sequences, int steps, int burnIn, int stride, int truncation, int batch);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information,
        Message = "Fusion component {Component} adds nothing to this detector: the training series has {Length} time steps and it scores only series of at least {Needed}, so it has no calibration")]
    public static partial void FusionComponentUncalibrated(this ILogger logger, string component, int length, int needed);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information,
        Message = "{Scorer}: subsequence lengths {Lengths}{Reason}")]
    public static partial void NeighbourLengths(this ILogger logger, string scorer, string lengths, string reason);
}
