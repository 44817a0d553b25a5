using System.Security.Cryptography;
using GruAnomaly.Persistence;

namespace GruAnomaly.Detection;

/// <summary>Saving and loading: detector files and stream states (docs/model-format.md).</summary>
public sealed partial class FittedAnomalyDetector
{
    /// <summary>The detector file's SHA-256, computed once: stream states name their detector by it.</summary>
    private byte[]? _fingerprint;

    /// <summary>Gets the SHA-256 of this detector's file, which a saved stream state records to refuse another detector.</summary>
    internal ReadOnlySpan<byte> Fingerprint => _fingerprint ??= SHA256.HashData(DetectorCodec.Serialize(this));

    /// <summary>Gets a short description of this detector for messages.</summary>
    internal string Description => $"{Scorer.Name}, window {Window}, {Features} feature{(Features == 1 ? string.Empty : "s")}, threshold {Threshold.Name}";

    /// <summary>
    /// Writes the detector to <paramref name="stream"/> in GruAnomaly's binary format: its settings and fit choices, the
    /// scaler, the scorer with every layer's weights and its training history, the error combination, the typical score,
    /// the score normalization's history and the fitted threshold. <see cref="Load(Stream, DetectorLoadOptions?)"/> gives
    /// back a detector whose results are this one's to the last bit.
    /// </summary>
    /// <remarks>
    /// The whole file is built in memory first, so nothing is written when a part cannot be saved. Saving the same
    /// detector twice writes the same bytes. The matrix provider is not saved (see <see cref="DetectorLoadOptions.MatrixProvider"/>).
    /// </remarks>
    /// <param name="stream">A writable stream; the file is written at its position, and the stream is left open.</param>
    /// <exception cref="ArgumentException">The stream cannot be written.</exception>
    /// <exception cref="NotSupportedException">
    /// A part of the detector is a type of your own (a scorer, threshold, normalization, scaler, combination, loss,
    /// optimizer or schedule) that the format cannot name; the message names the type.
    /// </exception>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream cannot be written.", nameof(stream));
        }

        stream.Write(DetectorCodec.Serialize(this));
    }

    /// <summary>
    /// Writes the detector to a file (see <see cref="Save(Stream)"/>), atomically: the content goes to a temporary file
    /// in the same directory, is flushed to disk, and then replaces <paramref name="path"/>. A failure leaves any previous
    /// file at <paramref name="path"/> as it was, and no temporary file behind.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="NotSupportedException">A part of the detector cannot be saved; the message names the type.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, DetectorCodec.Serialize(this));
    }

    /// <summary>
    /// Reads a detector saved by <see cref="Save(Stream)"/>. Safe on untrusted input: a file that is truncated, damaged,
    /// of a newer format version, larger than <see cref="DetectorLoadOptions.MaximumBytes"/>, or that claims sizes it does
    /// not hold is refused with an <see cref="InvalidDataException"/> saying what is wrong, before any large allocation.
    /// </summary>
    /// <remarks>
    /// A file only ever makes built-in types, or the cells registered on <paramref name="options"/>; files written by older
    /// versions of the format keep loading. The loaded detector is immutable and shares nothing mutable with other loads.
    /// </remarks>
    /// <param name="stream">The file, from the stream's position; a stream that cannot seek is read into buffers that grow only as bytes arrive. The stream is left after the file.</param>
    /// <param name="options">Registered cells, limits, logger and matrix provider; <see langword="null"/> for the defaults.</param>
    /// <returns>The detector.</returns>
    /// <exception cref="ArgumentException">The stream cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid detector file, or names a model of your own cells that is not registered.</exception>
    public static FittedAnomalyDetector Load(Stream stream, DetectorLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        return DetectorCodec.Deserialize(stream, options ?? new DetectorLoadOptions());
    }

    /// <summary>Reads a detector file (see <see cref="Load(Stream, DetectorLoadOptions?)"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Registered cells, limits, logger and matrix provider; <see langword="null"/> for the defaults.</param>
    /// <returns>The detector.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid detector file, or names a model of your own cells that is not registered.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static FittedAnomalyDetector Load(string path, DetectorLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using FileStream file = File.OpenRead(path);
        return Load(file, options);
    }

    /// <summary>
    /// Continues a stream saved by <see cref="DetectorStream.Save"/>: the restored stream's next points give exactly what
    /// the saved stream would have given. The state must come from a stream of this detector (or of one saved and loaded
    /// from the same file); the state records the detector's fingerprint, and another detector is refused.
    /// </summary>
    /// <param name="stream">The saved state, from the stream's position; the stream is left after it.</param>
    /// <returns>A new stream at the point where the saved one stopped.</returns>
    /// <exception cref="ArgumentException">The stream cannot be read.</exception>
    /// <exception cref="InvalidDataException">The state is damaged, or was saved from another detector (the message names both).</exception>
    /// <exception cref="NotSupportedException">This detector cannot stream (see <see cref="CreateStream"/>), or cannot be saved.</exception>
    public DetectorStream RestoreStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        DetectorStream restored = CreateStream();
        restored.Restore(stream);
        return restored;
    }
}
