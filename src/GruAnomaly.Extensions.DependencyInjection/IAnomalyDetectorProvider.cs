using GruAnomaly.Detection;
using Microsoft.Extensions.Options;

namespace GruAnomaly.Extensions.DependencyInjection;

/// <summary>
/// Hands out the detectors registered with <see cref="AnomalyDetectorServiceCollectionExtensions.AddAnomalyDetector"/>
/// by name. Each is loaded or fitted once, at its first request; concurrent first requests share that work. A load or fit
/// that fails is tried again at the next request. Thread-safe.
/// </summary>
public interface IAnomalyDetectorProvider
{
    /// <summary>Gets the registered detector names.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Gets a detector, loading or fitting it at the first request.</summary>
    /// <param name="name">A registered name.</param>
    /// <param name="cancellationToken">Stops waiting; the load or fit goes on for the other requests.</param>
    /// <returns>The fitted detector.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not registered.</exception>
    /// <exception cref="OptionsValidationException">The detector's options are invalid; the message lists every problem.</exception>
    /// <exception cref="InvalidDataException">The detector file is damaged.</exception>
    Task<FittedAnomalyDetector> GetDetectorAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Gets a detector, blocking while it is loaded or fitted at the first request (see <see cref="GetDetectorAsync"/>).</summary>
    /// <param name="name">A registered name.</param>
    /// <returns>The fitted detector.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not registered.</exception>
    /// <exception cref="OptionsValidationException">The detector's options are invalid; the message lists every problem.</exception>
    FittedAnomalyDetector GetDetector(string name);
}
