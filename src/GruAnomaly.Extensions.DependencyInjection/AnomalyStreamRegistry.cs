using System.Collections.Concurrent;
using System.IO.Compression;
using GruAnomaly.Detection;
using Microsoft.Extensions.Logging;

namespace GruAnomaly.Extensions.DependencyInjection;

/// <summary>The streams of one named detector, keyed by series id; each series' stream is used under its own lock.</summary>
internal sealed class AnomalyStreamRegistry(string name, IAnomalyDetectorProvider detectors, ILogger logger) : IAnomalyStreamRegistry
{
    /// <summary>The extension of a series' entry in a snapshot archive.</summary>
    private const string EntryExtension = ".gas";

    private readonly ConcurrentDictionary<string, Entry> _streams = new(StringComparer.Ordinal);
    private FittedAnomalyDetector? _detector;

    public string DetectorName => name;

    public int Count => _streams.Count;

    public IReadOnlyList<string> SeriesIds => [.. _streams.Keys.Order(StringComparer.Ordinal)];

    private FittedAnomalyDetector Detector
    {
        get
        {
            FittedAnomalyDetector? detector = Volatile.Read(ref _detector);
            if (detector is null)
            {
                detector = detectors.GetDetector(name);
                Volatile.Write(ref _detector, detector);
            }

            return detector;
        }
    }

    public async Task<FittedAnomalyDetector> GetDetectorAsync(CancellationToken cancellationToken = default)
    {
        FittedAnomalyDetector detector = await detectors.GetDetectorAsync(name, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _detector, detector);
        return detector;
    }

    public StreamPoint Observe(string seriesId, float value)
    {
        Entry entry = GetOrCreate(seriesId);
        lock (entry)
        {
            return entry.Stream.Observe(value);
        }
    }

    public StreamPoint Observe(string seriesId, float value, DateTimeOffset timestamp)
    {
        Entry entry = GetOrCreate(seriesId);
        lock (entry)
        {
            return entry.Stream.Observe(value, timestamp);
        }
    }

    public StreamPoint Observe(string seriesId, ReadOnlySpan<float> values)
    {
        Entry entry = GetOrCreate(seriesId);
        lock (entry)
        {
            return entry.Stream.Observe(values);
        }
    }

    public StreamPoint Observe(string seriesId, ReadOnlySpan<float> values, DateTimeOffset timestamp)
    {
        Entry entry = GetOrCreate(seriesId);
        lock (entry)
        {
            return entry.Stream.Observe(values, timestamp);
        }
    }

    public bool Remove(string seriesId)
    {
        ArgumentNullException.ThrowIfNull(seriesId);
        return _streams.TryRemove(seriesId, out _);
    }

    public int Snapshot(Stream archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (!archive.CanWrite)
        {
            throw new ArgumentException("The stream cannot be written.", nameof(archive));
        }

        int count = 0;
        using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (KeyValuePair<string, Entry> series in _streams.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                ZipArchiveEntry entry = zip.CreateEntry(Uri.EscapeDataString(series.Key) + EntryExtension, CompressionLevel.Fastest);
                using Stream content = entry.Open();
                lock (series.Value)
                {
                    series.Value.Stream.Save(content);
                }

                count++;
            }
        }

        logger.StreamsSaved(count, name);
        return count;
    }

    public int Snapshot(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            int count;
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                count = Snapshot(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
            return count;
        }
        finally
        {
            File.Delete(temporary); // gone already after the move
        }
    }

    public int Restore(Stream archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (!archive.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(archive));
        }

        FittedAnomalyDetector detector = Detector;
        var restored = new List<(string SeriesId, DetectorStream Stream)>();
        try
        {
            using var zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true);
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(EntryExtension, StringComparison.Ordinal) || entry.FullName.Length == EntryExtension.Length)
                {
                    throw new InvalidDataException(
                        $"The snapshot holds an entry '{entry.FullName}' that is not a series' stream state (<escaped series id>{EntryExtension}).");
                }

                string seriesId = Uri.UnescapeDataString(entry.FullName[..^EntryExtension.Length]);
                using Stream content = entry.Open();
                try
                {
                    restored.Add((seriesId, detector.RestoreStream(content)));
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"The stream state of series '{seriesId}' cannot be restored by detector '{name}': {e.Message}", e);
                }
            }
        }
        catch (InvalidDataException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or NotSupportedException)
        {
            throw new InvalidDataException($"The snapshot of detector '{name}' is not a readable archive: {e.Message}", e);
        }

        foreach ((string seriesId, DetectorStream stream) in restored)
        {
            Entry entry = _streams.GetOrAdd(seriesId, static (_, s) => new Entry(s), stream);
            lock (entry)
            {
                entry.Stream = stream;
            }
        }

        logger.StreamsRestored(restored.Count, name);
        return restored.Count;
    }

    public int Restore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using FileStream file = File.OpenRead(path);
        return Restore(file);
    }

    private Entry GetOrCreate(string seriesId)
    {
        ArgumentNullException.ThrowIfNull(seriesId);
        if (_streams.TryGetValue(seriesId, out Entry? entry))
        {
            return entry;
        }

        ArgumentException.ThrowIfNullOrEmpty(seriesId);
        return _streams.GetOrAdd(seriesId, static (_, detector) => new Entry(detector.CreateStream()), Detector);
    }

    /// <summary>A series' stream, replaced under its lock by a restore.</summary>
    private sealed class Entry(DetectorStream stream)
    {
        public DetectorStream Stream { get; set; } = stream;
    }
}
