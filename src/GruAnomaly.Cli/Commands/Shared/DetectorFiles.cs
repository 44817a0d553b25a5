using GruAnomaly.Detection;

namespace GruAnomaly.Cli.Commands.Shared;

/// <summary>
/// Reading and writing the files of saved detectors and stream states, with messages that name the file: a missing,
/// unreadable, damaged or foreign file is the user's input problem (<see cref="CliException"/>, exit code 2), not a crash.
/// </summary>
internal static class DetectorFiles
{
    /// <summary>Loads a detector saved by <c>train</c> (or <see cref="FittedAnomalyDetector.Save(string)"/>).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The detector.</returns>
    /// <exception cref="CliException">The file is missing, cannot be read, or is not a valid detector file.</exception>
    public static FittedAnomalyDetector Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"No model file at {Path.GetFullPath(path)}; create one with 'gru-anomaly train'.");
        }

        try
        {
            return FittedAnomalyDetector.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"{path} is not a usable detector file: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {path}: {e.Message}", e);
        }
    }

    /// <summary>Continues a stream from a state file written by <see cref="SaveState"/>.</summary>
    /// <param name="detector">The detector whose stream saved the state.</param>
    /// <param name="path">The state file.</param>
    /// <returns>The stream, at the point where the saved one stopped.</returns>
    /// <exception cref="CliException">The file cannot be read, is damaged, or was saved by another detector's stream.</exception>
    public static DetectorStream RestoreState(FittedAnomalyDetector detector, string path)
    {
        try
        {
            using FileStream file = File.OpenRead(path);
            return detector.RestoreStream(file);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"{path} is not a usable stream state for this model: {e.Message} Delete it to start the stream afresh.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Saves a stream's state atomically: to a temporary file beside it, then moved over the old one, so that an
    /// interruption leaves the previous state whole rather than half a new one.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="path">The state file to create or replace.</param>
    public static void SaveState(DetectorStream stream, string path)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        string temporary = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (FileStream file = new(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Save(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
