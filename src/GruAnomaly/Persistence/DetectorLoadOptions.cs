using System.Diagnostics.Metrics;
using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Persistence;

/// <summary>
/// How <see cref="Detection.FittedAnomalyDetector.Load(Stream, DetectorLoadOptions?)"/> reads a detector file: the
/// cells of your own that a file may name, limits for untrusted files, and what the loaded detector runs on.
/// </summary>
/// <remarks>
/// A file never chooses code: it names a built-in type, or a cell registered here under the name the file gives. Each
/// options instance has its own registrations (there is no process-wide registry), and an instance may be reused for
/// any number of loads.
/// </remarks>
/// <example>
/// <code>
/// var options = new DetectorLoadOptions().RegisterCell("my-cell", (inputSize, layer) => new MyCell(inputSize, hiddenSize: 8));
/// FittedAnomalyDetector fitted = FittedAnomalyDetector.Load("detector.gad", options);
/// </code>
/// </example>
public sealed class DetectorLoadOptions
{
    /// <summary>The default of <see cref="MaximumBytes"/>: 1 GiB.</summary>
    public const long DefaultMaximumBytes = 1L << 30;

    private readonly Dictionary<string, Func<int, int, IRecurrentCell>> _cells = new(StringComparer.Ordinal);
    private long _maximumBytes = DefaultMaximumBytes;

    /// <summary>
    /// The largest file accepted, in bytes: a larger claimed length is refused before it is read. Raise it only for
    /// files you trust.
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaximumBytes"/>; between 32 bytes and <see cref="Array.MaxLength"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside that range.</exception>
    public long MaximumBytes
    {
        get => _maximumBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 32);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Array.MaxLength);
            _maximumBytes = value;
        }
    }

    /// <summary>Where the loaded detector reports (online adaptation logs each fine-tuning).</summary>
    /// <value>The default value is <see langword="null"/>: nothing is logged.</value>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// What creates the loaded detector's meter (see <see cref="Diagnostics.Telemetry"/>), for example the
    /// dependency-injection container's <see cref="IMeterFactory"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the loaded detector creates a meter of its own.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// What computes the loaded models' matrix products. A file does not record the provider it was saved with, since a
    /// native provider may not exist where it is loaded.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: <see cref="ManagedMatrixProvider.Instance"/>. Results equal the
    /// saved detector's to the last bit when both use the managed provider.
    /// </value>
    public IMatrixProvider? MatrixProvider { get; set; }

    /// <summary>
    /// Registers the cells of a model built with <see cref="Models.Cells"/> (or another <see cref="IModelFactory"/> of
    /// your own) under that model's <see cref="IModelFactory.Name"/>, which the file records. The file's weights are
    /// loaded into the cells <paramref name="createCell"/> makes; their sizes and parameters must match the file's.
    /// </summary>
    /// <param name="name">The model's name, as <see cref="IModelFactory.Name"/> gave it when the detector was saved.</param>
    /// <param name="createCell">Creates the cell of a layer from (input size, layer index), as for <see cref="Models.Cells"/>.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or already registered.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="createCell"/> is null.</exception>
    public DetectorLoadOptions RegisterCell(string name, Func<int, int, IRecurrentCell> createCell)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(createCell);
        if (!_cells.TryAdd(name, createCell))
        {
            throw new ArgumentException($"A cell is already registered as '{name}'.", nameof(name));
        }

        return this;
    }

    /// <summary>Gets the cell factory registered as <paramref name="name"/>, if any.</summary>
    internal bool TryGetCell(string name, out Func<int, int, IRecurrentCell> createCell) =>
        _cells.TryGetValue(name, out createCell!);

    /// <summary>Gets the names registered, for messages.</summary>
    internal IEnumerable<string> RegisteredCells => _cells.Keys;
}
