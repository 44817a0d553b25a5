namespace GruAnomaly.Persistence;

/// <summary>
/// Replaces a file only once its new content is complete and on disk: a crash or an error mid-save leaves the previous
/// file as it was, and no temporary file behind.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> through a temporary file in the same directory.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="content">The complete new content.</param>
    /// <param name="wrap">Tests only: wraps the temporary file's stream, for example to fail after some bytes.</param>
    public static void Write(string path, ReadOnlySpan<byte> content, Func<Stream, Stream>? wrap = null)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        // Same directory, so the final move is a rename within one file system, which replaces the target atomically.
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Stream target = wrap?.Invoke(file) ?? file;
                target.Write(content);
                target.Flush();
                // Flush(true) asks the OS to put the bytes on disk before the rename makes them the file.
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
