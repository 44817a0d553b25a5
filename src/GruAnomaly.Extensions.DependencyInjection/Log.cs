using Microsoft.Extensions.Logging;

namespace GruAnomaly.Extensions.DependencyInjection;

/// <summary>The package's events; ids from 100 on, clear of the library's.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Anomaly detector '{Name}' loaded from {Path}")]
    public static partial void DetectorLoaded(this ILogger logger, string name, string path);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Anomaly detector '{Name}' fitted and saved to {Path}")]
    public static partial void DetectorSaved(this ILogger logger, string name, string path);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Anomaly detector '{Name}' could not be loaded or fitted; the next request tries again")]
    public static partial void DetectorFailed(this ILogger logger, Exception exception, string name);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Stream states of {Count} series of detector '{Name}' saved")]
    public static partial void StreamsSaved(this ILogger logger, int count, string name);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Stream states of {Count} series of detector '{Name}' restored")]
    public static partial void StreamsRestored(this ILogger logger, int count, string name);
}
