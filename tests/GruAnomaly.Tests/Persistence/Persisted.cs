using GruAnomaly.Detection;
using GruAnomaly.Persistence;

namespace GruAnomaly.Tests.Persistence;

/// <summary>Saving and loading in memory, and exact comparisons of what two detectors or streams report.</summary>
internal static class Persisted
{
    public static byte[] Bytes(FittedAnomalyDetector detector)
    {
        using var memory = new MemoryStream();
        detector.Save(memory);
        return memory.ToArray();
    }

    public static byte[] Bytes(DetectorStream stream)
    {
        using var memory = new MemoryStream();
        stream.Save(memory);
        return memory.ToArray();
    }

    public static FittedAnomalyDetector Load(byte[] file, DetectorLoadOptions? options = null) =>
        FittedAnomalyDetector.Load(new MemoryStream(file, writable: false), options);

    /// <summary>Saves and loads <paramref name="detector"/>; the loaded one saves to the very same bytes.</summary>
    public static FittedAnomalyDetector RoundTrip(FittedAnomalyDetector detector, DetectorLoadOptions? options = null)
    {
        byte[] file = Bytes(detector);
        FittedAnomalyDetector loaded = Load(file, options);
        Assert.Equal(file, Bytes(loaded));
        return loaded;
    }

    /// <summary>Asserts that both detectors report exactly the same for <paramref name="series"/>, to the last bit of every value.</summary>
    public static void AssertSameDetection(FittedAnomalyDetector expected, FittedAnomalyDetector actual, TimeSeries series)
    {
        DetectionResult a = expected.Detect(series), b = actual.Detect(series);
        Assert.Equal(Bits(a.RawScores), Bits(b.RawScores));
        Assert.Equal(Bits(a.Scores), Bits(b.Scores));
        Assert.Equal(Bits(a.Thresholds), Bits(b.Thresholds));
        Assert.Equal(Bits(a.TailProbabilities), Bits(b.TailProbabilities));
        Assert.Equal(Bits(a.Surprise), Bits(b.Surprise));
        Assert.Equal(Bits(a.Contributions), Bits(b.Contributions));
        Assert.Equal(a.Expected.ToArray().Select(BitConverter.SingleToInt32Bits), b.Expected.ToArray().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(a.Flags.ToArray(), b.Flags.ToArray());
        Assert.Equal(a.IsScored.ToArray(), b.IsScored.ToArray());
        Assert.Equal(a.Alarms, b.Alarms);
        Assert.Equal(a.Events, b.Events);
    }

    /// <summary>Asserts that two stream points are the same to the last bit.</summary>
    public static void AssertSame(StreamPoint expected, StreamPoint actual)
    {
        Assert.Equal(expected.Time, actual.Time);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.IsScored, actual.IsScored);
        Assert.Equal(expected.IsFlagged, actual.IsFlagged);
        Assert.Equal(expected.IsAlarm, actual.IsAlarm);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.RawScore), BitConverter.DoubleToInt64Bits(actual.RawScore));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Score), BitConverter.DoubleToInt64Bits(actual.Score));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Threshold), BitConverter.DoubleToInt64Bits(actual.Threshold));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.TailProbability), BitConverter.DoubleToInt64Bits(actual.TailProbability));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Surprise), BitConverter.DoubleToInt64Bits(actual.Surprise));
        Assert.Equal(BitConverter.SingleToInt32Bits(expected.Expected), BitConverter.SingleToInt32Bits(actual.Expected));
    }

    public static long[] Bits(ReadOnlySpan<double> values)
    {
        var bits = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.DoubleToInt64Bits(values[i]);
        }

        return bits;
    }

    /// <summary>Rewrites the CRC-32 at the end of a file after its content was changed, so that the parser behind the checksum is what a test reaches.</summary>
    /// <summary>A copy of <paramref name="file"/> whose header claims format <paramref name="version"/>, with a valid checksum.</summary>
    public static byte[] ClaimingVersion(byte[] file, ushort version)
    {
        byte[] copy = (byte[])file.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(4), version);
        FixChecksum(copy);
        return copy;
    }

    public static void FixChecksum(byte[] file)
    {
        uint crc = Crc32.Compute(file.AsSpan(0, file.Length - 4));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), crc);
    }

    /// <summary>The offset of the first byte of a section's payload (after its tag and length).</summary>
    public static int SectionPayload(byte[] file, string tag)
    {
        int at = 16;
        while (at < file.Length - 4)
        {
            string found = System.Text.Encoding.ASCII.GetString(file, at, 4);
            long length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at + 4));
            if (found == tag)
            {
                return at + 12;
            }

            at += 12 + (int)length;
        }

        throw new InvalidOperationException($"No section '{tag}'.");
    }
}

/// <summary>A stream that cannot seek and hands out few bytes per read, as a network stream may.</summary>
internal sealed class TrickleStream(byte[] data, int chunk = 7) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = Math.Min(Math.Min(count, chunk), data.Length - _position);
        Array.Copy(data, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A writable stream that fails after a number of bytes, as a full disk does.</summary>
internal sealed class FailingStream(Stream inner, long failAfter) : Stream
{
    private long _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        int allowed = (int)Math.Min(count, Math.Max(0, failAfter - _written));
        inner.Write(buffer, offset, allowed);
        _written += allowed;
        if (allowed < count)
        {
            throw new IOException($"Disk full after {failAfter} bytes (simulated).");
        }
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
