using GruAnomaly.Detection;
using GruAnomaly.Persistence;

namespace GruAnomaly.Extensions.DependencyInjection;

/// <summary>
/// How a named detector registered with
/// <see cref="AnomalyDetectorServiceCollectionExtensions.AddAnomalyDetector"/> comes to be: loaded from
/// <see cref="Path"/>, or fitted at first use from <see cref="TrainingData"/> with the choices of
/// <see cref="ConfigureBuilder"/> (and then saved to <see cref="Path"/>, when set, so a restart loads it).
/// </summary>
/// <remarks>
/// Named options: configure them with the registration's delegate, or later with
/// <c>services.Configure&lt;AnomalyDetectorOptions&gt;(name, ...)</c> (for example <see cref="Path"/> bound from
/// configuration). They are read, and validated, when the detector is first asked for.
/// </remarks>
public sealed class AnomalyDetectorOptions
{
    /// <summary>
    /// The detector file (<see cref="FittedAnomalyDetector.Save(string)"/>): loaded when it exists; otherwise, when
    /// <see cref="TrainingData"/> is set, the detector fitted at first use is saved there.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no file; the detector is fitted at every start.</value>
    public string? Path { get; set; }

    /// <summary>
    /// Adjusts how <see cref="Path"/> is loaded (limits, cells of your own). The container's logger and
    /// <see cref="System.Diagnostics.Metrics.IMeterFactory"/> are already set on the options it receives.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the defaults of <see cref="DetectorLoadOptions"/>.</value>
    public Action<DetectorLoadOptions>? ConfigureLoading { get; set; }

    /// <summary>
    /// Makes the detector's choices on a builder that already has the container's logger and meter factory, for example
    /// <c>b =&gt; b.WithWindow(64).WithModel(Models.Gru(hiddenSize: 32))</c>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the builder's defaults.</value>
    public Action<AnomalyDetectorBuilder>? ConfigureBuilder { get; set; }

    /// <summary>
    /// Gets the training series when the detector must be fitted (<see cref="Path"/> unset or missing), from the
    /// container's services; the token is cancelled when the container is disposed.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the detector can only be loaded from <see cref="Path"/>.</value>
    public Func<IServiceProvider, CancellationToken, Task<TimeSeries>>? TrainingData { get; set; }

    /// <summary>Fits the detector on <paramref name="training"/> when it must be fitted (see <see cref="TrainingData"/>).</summary>
    /// <param name="training">Mostly normal data.</param>
    /// <returns>These options.</returns>
    public AnomalyDetectorOptions FitOn(TimeSeries training)
    {
        ArgumentNullException.ThrowIfNull(training);
        TrainingData = (_, _) => Task.FromResult(training);
        return this;
    }

    /// <summary>Lists every problem of these options.</summary>
    internal void Validate(List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(Path) && TrainingData is null)
        {
            errors.Add("Set Path to a saved detector file, or TrainingData (or FitOn) to fit one at first use.");
        }

        if (ConfigureBuilder is not null && TrainingData is null)
        {
            errors.Add("ConfigureBuilder is set but TrainingData is not: a builder's choices only matter when a detector is fitted.");
        }

        if (ConfigureLoading is not null && string.IsNullOrWhiteSpace(Path))
        {
            errors.Add("ConfigureLoading is set but Path is not: there is no file to load.");
        }
    }
}
