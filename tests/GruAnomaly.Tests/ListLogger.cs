using Microsoft.Extensions.Logging;

namespace GruAnomaly.Tests;

/// <summary>Collects log events so tests can check what the library reported.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, int EventId, string Message)> Events { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Events.Add((logLevel, eventId.Id, formatter(state, exception)));
}
