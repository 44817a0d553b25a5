using GruAnomaly.Detection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GruAnomaly.Extensions.DependencyInjection;

/// <summary>Registers named GruAnomaly detectors and their stream registries in an <see cref="IServiceCollection"/>.</summary>
public static class AnomalyDetectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a named detector, loaded from a file or fitted at first use (see <see cref="AnomalyDetectorOptions"/>),
    /// with the container's <see cref="ILogger{TCategoryName}"/> and <see cref="System.Diagnostics.Metrics.IMeterFactory"/>
    /// when they are registered. Adds <see cref="IAnomalyDetectorProvider"/>, which hands out the detectors by name, and a
    /// keyed singleton <see cref="IAnomalyStreamRegistry"/> under <paramref name="name"/>, which streams every series.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddAnomalyDetector("cpu", options => options.Path = "cpu.gad");
    /// // later: [FromKeyedServices("cpu")] IAnomalyStreamRegistry registry, or
    /// FittedAnomalyDetector detector = await provider.GetRequiredService&lt;IAnomalyDetectorProvider&gt;().GetDetectorAsync("cpu");
    /// </code>
    /// </example>
    /// <param name="services">The services.</param>
    /// <param name="name">The detector's name, also the key of its stream registry. Registering a name again adds to its options.</param>
    /// <param name="configure">Configures the detector's options.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static IServiceCollection AddAnomalyDetector(this IServiceCollection services, string name, Action<AnomalyDetectorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions();
        services.Configure(name, configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnomalyDetectorOptions>, AnomalyDetectorOptionsValidator>());
        if (!services.Any(d => d.ServiceType == typeof(AnomalyDetectorRegistration) && d.ImplementationInstance is AnomalyDetectorRegistration r && r.Name == name))
        {
            services.AddSingleton(new AnomalyDetectorRegistration(name));
        }

        services.TryAddSingleton<IAnomalyDetectorProvider, AnomalyDetectorProvider>();
        services.TryAddKeyedSingleton<IAnomalyStreamRegistry>(name, (provider, _) => new AnomalyStreamRegistry(
            name,
            provider.GetRequiredService<IAnomalyDetectorProvider>(),
            provider.GetService<ILogger<IAnomalyStreamRegistry>>() ?? (ILogger)NullLogger.Instance));
        return services;
    }
}
