using Microsoft.Extensions.Logging;

namespace GruAnomaly.Diagnostics;

/// <summary>
/// A logger that never lets the caller's logger abort the library's work: every exception thrown by the wrapped logger
/// (by <see cref="Log{TState}"/>, <see cref="IsEnabled"/> or <see cref="BeginScope{TState}"/>) is caught and dropped.
/// </summary>
/// <remarks>
/// Logging is a side channel: a full disk or a broken sink must not throw away a fit that is minutes in, nor be
/// reported as a problem with the data. The event is lost, which is the cost of that choice; a caller who wants a
/// broken sink to stop the work can do so through a progress callback or a cancellation token.
/// </remarks>
internal sealed class ForgivingLogger : ILogger
{
    private readonly ILogger _inner;

    private ForgivingLogger(ILogger inner) => _inner = inner;

    /// <summary>Wraps a logger once (a wrapped one is returned as is).</summary>
    public static ILogger Wrap(ILogger logger) => logger as ForgivingLogger ?? new ForgivingLogger(logger);

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            IDisposable? scope = _inner.BeginScope(state);
            return scope is null ? null : new ForgivingScope(scope);
        }
#pragma warning disable CA1031 // Any exception of the caller's logger is dropped on purpose (see the remarks).
        catch (Exception)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return _inner.IsEnabled(logLevel);
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception)
        {
            // Dropped: see the remarks of the class.
        }
    }

    private sealed class ForgivingScope(IDisposable inner) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                inner.Dispose();
            }
            catch (Exception)
            {
                // Dropped: see the remarks of the class.
            }
        }
    }
#pragma warning restore CA1031
}

/// <summary>
/// Passes progress reports to the caller's <see cref="IProgress{T}"/> and remembers what it threw, so that the caller's
/// own exception can be told apart from the library's complaints about the data and propagated unchanged.
/// </summary>
/// <typeparam name="T">The report type.</typeparam>
internal sealed class WatchedProgress<T>(IProgress<T> inner) : IProgress<T>
{
    /// <summary>Gets the exception the caller's callback threw, if it threw.</summary>
    public Exception? Thrown { get; private set; }

    /// <inheritdoc />
    public void Report(T value)
    {
        try
        {
            inner.Report(value);
        }
        catch (Exception e)
        {
            Thrown = e;
            throw;
        }
    }
}
