using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using GruAnomaly.Detection;
using GruAnomaly.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GruAnomaly.Extensions.DependencyInjection;

/// <summary>Loads or fits each registered detector once, at its first request.</summary>
internal sealed class AnomalyDetectorProvider : IAnomalyDetectorProvider, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<AnomalyDetectorOptions> _options;
    private readonly ILogger _logger;
    private readonly string[] _names;
    private readonly ConcurrentDictionary<string, Lazy<Task<FittedAnomalyDetector>>> _detectors = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();

    public AnomalyDetectorProvider(IServiceProvider services, IOptionsMonitor<AnomalyDetectorOptions> options,
        IEnumerable<AnomalyDetectorRegistration> registrations)
    {
        _services = services;
        _options = options;
        _logger = services.GetService<ILogger<AnomalyDetector>>() ?? (ILogger)NullLogger.Instance;
        _names = [.. registrations.Select(r => r.Name).Distinct(StringComparer.Ordinal)];
    }

    public IReadOnlyCollection<string> Names => _names;

    public Task<FittedAnomalyDetector> GetDetectorAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (!_names.Contains(name, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"No anomaly detector is registered as '{name}'; registered: {(_names.Length == 0 ? "none" : string.Join(", ", _names.Select(n => $"'{n}'")))}. " +
                "Register it with services.AddAnomalyDetector(name, options => ...).", nameof(name));
        }

        Task<FittedAnomalyDetector> task = _detectors.GetOrAdd(name, n => new Lazy<Task<FittedAnomalyDetector>>(() => CreateAsync(n))).Value;
        return task.IsCompleted ? task : task.WaitAsync(cancellationToken);
    }

    public FittedAnomalyDetector GetDetector(string name) => GetDetectorAsync(name).GetAwaiter().GetResult();

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task<FittedAnomalyDetector> CreateAsync(string name)
    {
        try
        {
            return await LoadOrFitAsync(name, _disposed.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _detectors.TryRemove(name, out _); // the next request tries again
            _logger.DetectorFailed(e, name);
            throw;
        }
    }

    private async Task<FittedAnomalyDetector> LoadOrFitAsync(string name, CancellationToken cancellationToken)
    {
        await Task.Yield(); // never load or fit on the caller's stack while it holds the dictionary's Lazy
        AnomalyDetectorOptions options = _options.Get(name);
        IMeterFactory? meters = _services.GetService<IMeterFactory>();
        if (!string.IsNullOrWhiteSpace(options.Path) && File.Exists(options.Path))
        {
            var load = new DetectorLoadOptions { Logger = _logger, MeterFactory = meters };
            options.ConfigureLoading?.Invoke(load);
            FittedAnomalyDetector loaded = FittedAnomalyDetector.Load(options.Path, load);
            _logger.DetectorLoaded(name, options.Path);
            return loaded;
        }

        if (options.TrainingData is null)
        {
            throw new FileNotFoundException(
                $"Anomaly detector '{name}': the detector file '{options.Path}' does not exist, and no TrainingData is set to fit one.", options.Path);
        }

        AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder().WithLogger(_logger);
        if (meters is not null)
        {
            builder.WithMeterFactory(meters);
        }

        options.ConfigureBuilder?.Invoke(builder);
        AnomalyDetector detector = builder.Build();
        TimeSeries training = await options.TrainingData(_services, cancellationToken).ConfigureAwait(false);
        FittedAnomalyDetector fitted = await detector.FitAsync(training, progress: null, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(options.Path))
        {
            fitted.Save(options.Path);
            _logger.DetectorSaved(name, options.Path);
        }

        return fitted;
    }
}
