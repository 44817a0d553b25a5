using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Hashing;
using GruAnomaly.Detection;

namespace GruAnomaly.Reliability;

/// <summary>
/// A seeded in-process mutation fuzzer of the detector and stream-state loaders, run for a bounded time: every mutated file
/// must load or be refused with an <see cref="InvalidDataException"/>, within a time and an allocation bound; anything else
/// is a finding, printed with the seed of its trial so that it can be replayed.
/// </summary>
internal static class LoaderFuzzer
{
    /// <summary>A load slower than this counts as a hang.</summary>
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(5);

    public static int Run(TimeSpan duration, int seed)
    {
        FittedAnomalyDetector detector = Detectors.Small();
        byte[] detectorFile = Save(detector.Save);
        DetectorStream stream = detector.CreateStream();
        foreach (float value in Detectors.Series(0, 500, seed: 2))
        {
            stream.Observe(value);
        }

        byte[] stateFile = Save(stream.Save);
        // Loading allocates the detector it reads: its arrays are bounded by the bytes present, so a multiple of the file's size bounds a load.
        long allocationBound = (64L * detectorFile.Length) + (16 << 20);
        long executions = 0, refused = 0, loaded = 0, findings = 0, maxAllocated = 0;
        TimeSpan slowest = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            int trialSeed = HashCode.Combine(seed, executions);
            var random = new Random(trialSeed);
            bool state = random.Next(5) == 0;
            byte[] file = Mutate(state ? stateFile : detectorFile, random);
            long before = GC.GetAllocatedBytesForCurrentThread();
            long started = Stopwatch.GetTimestamp();
            try
            {
                if (state)
                {
                    detector.RestoreStream(new MemoryStream(file));
                }
                else
                {
                    FittedAnomalyDetector.Load(new MemoryStream(file));
                }

                loaded++;
            }
            catch (InvalidDataException)
            {
                refused++;
            }
#pragma warning disable CA1031 // Anything but InvalidDataException is exactly what the fuzzer looks for.
            catch (Exception e)
#pragma warning restore CA1031
            {
                findings++;
                Console.WriteLine($"FINDING trial {executions} (seed {trialSeed}, {(state ? "stream state" : "detector")}): {e.GetType().Name}: {e.Message}");
            }

            TimeSpan took = Stopwatch.GetElapsedTime(started);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            maxAllocated = Math.Max(maxAllocated, allocated);
            slowest = took > slowest ? took : slowest;
            if (took > HangBound || allocated > allocationBound)
            {
                findings++;
                Console.WriteLine($"FINDING trial {executions} (seed {trialSeed}): {took.TotalSeconds:F1} s, {allocated:N0} bytes allocated");
            }

            executions++;
        }

        Console.WriteLine($"| loader fuzzing, seed {seed} | value |");
        Console.WriteLine("| --- | ---: |");
        Console.WriteLine($"| time | {clock.Elapsed.TotalMinutes:F1} min |");
        Console.WriteLine($"| executions | {executions:N0} ({executions / clock.Elapsed.TotalSeconds:N0} per second) |");
        Console.WriteLine($"| loaded (mutations in weights and scores read as other numbers) | {loaded:N0} |");
        Console.WriteLine($"| refused with InvalidDataException | {refused:N0} |");
        Console.WriteLine($"| findings (another exception, a load over {HangBound.TotalSeconds:F0} s or over {allocationBound:N0} bytes) | {findings} |");
        Console.WriteLine($"| detector file / stream-state file | {detectorFile.Length:N0} / {stateFile.Length:N0} bytes |");
        Console.WriteLine($"| most allocated by one load | {maxAllocated:N0} bytes |");
        Console.WriteLine($"| slowest load | {slowest.TotalMilliseconds:F1} ms |");
        return findings == 0 ? 0 : 1;
    }

    private static byte[] Save(Action<Stream> save)
    {
        using var buffer = new MemoryStream();
        save(buffer);
        return buffer.ToArray();
    }

    /// <summary>
    /// One to four edits: byte values, bit flips, an extreme little-endian length written over any 4 or 8 bytes, bytes
    /// inserted or deleted, a range duplicated, a truncation; then, seven times in ten, a valid checksum, so that the
    /// parser behind the checksum is what is reached.
    /// </summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var file = new List<byte>(original);
        int edits = random.Next(1, 5);
        for (int e = 0; e < edits && file.Count > 0; e++)
        {
            int at = random.Next(file.Count);
            switch (random.Next(7))
            {
                case 0:
                    file[at] = (byte)random.Next(256);
                    break;
                case 1:
                    file[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                {
                    ulong[] extremes = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1UL << 31, 1UL << 33, long.MaxValue, ulong.MaxValue];
                    Span<byte> bytes = stackalloc byte[8];
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, extremes[random.Next(extremes.Length)]);
                    int width = random.Next(2) == 0 ? 4 : 8;
                    for (int i = 0; i < width && at + i < file.Count; i++)
                    {
                        file[at + i] = bytes[i];
                    }

                    break;
                }

                case 3:
                    file.InsertRange(at, Enumerable.Range(0, random.Next(1, 17)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4:
                    file.RemoveRange(at, Math.Min(random.Next(1, 65), file.Count - at));
                    break;
                case 5:
                {
                    int length = Math.Min(random.Next(1, 65), file.Count - at);
                    file.InsertRange(random.Next(file.Count), file.GetRange(at, length));
                    break;
                }

                default:
                    file.RemoveRange(at, file.Count - at);
                    break;
            }
        }

        byte[] result = [.. file];
        if (result.Length > 4 && random.Next(10) < 7)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(result.Length - 4), Crc32.HashToUInt32(result.AsSpan(0, result.Length - 4)));
        }

        return result;
    }
}
