using System.Buffers.Binary;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace GruAnomaly.Persistence;

/// <summary>What a file holds (the u16 after the version in the header).</summary>
internal enum FileKind : ushort
{
    /// <summary>A fitted detector.</summary>
    Detector = 1,

    /// <summary>The state of one detector stream.</summary>
    StreamState = 2,
}

/// <summary>
/// The container of both file kinds (docs/model-format.md): a 16-byte header (magic "GRUA", format version, kind, body
/// length), a body of tagged sections, and a CRC-32 of header and body.
/// </summary>
internal static class ModelFile
{
    /// <summary>
    /// The newest format version this library writes and reads. A file is stamped with the lowest version that holds what
    /// it contains (<see cref="FieldWriter.Version"/>): version 2 adds attention pooling to forecasters, the LSTM and GRU-D;
    /// version 3 the running score normalization that keeps flagged scores out of its history; version 4 the nearest-neighbour
    /// scorer and the maximum fusion; version 5 the detector's seed (<c>WithSeed</c>); version 6 the fusion that calibrates
    /// points; version 7 the nearest-neighbour scorer with a reference shorter than its maximum; version 8 event rules whose
    /// alarms do not repeat (<c>EventRules.RepeatAlarms</c>); version 9 the automatic threshold with an exponential tail; version 10 the sliding
    /// nearest-neighbour scorer; version 11 the multi-length nearest-neighbour scorer.
    /// </summary>
    public const ushort CurrentVersion = 11;

    public const int HeaderBytes = 16;
    public const int ChecksumBytes = 4;
    public const int SectionHeaderBytes = 12;

    /// <summary>The first buffer a body is read into when its stream cannot say how long it is; it grows as bytes arrive.</summary>
    private const int FirstChunkBytes = 1 << 16;

    private static ReadOnlySpan<byte> Magic => "GRUA"u8;

    /// <summary>Gets the library version written into every file (without the source revision, so a file does not depend on the commit it was built at).</summary>
    public static string LibraryVersion { get; } = ReadLibraryVersion();

    /// <summary>Builds a complete file: header, the sections <paramref name="writeSections"/> writes, checksum.</summary>
    public static byte[] Write(FileKind kind, Action<FieldWriter> writeSections)
    {
        var writer = new FieldWriter();
        writer.Bytes(Magic);
        writer.U16(1);
        writer.U16((ushort)kind);
        writer.U64(0);
        writer.Section("INFO", w => w.String(LibraryVersion));
        writeSections(writer);
        writer.PatchU16(4, writer.Version);
        writer.PatchU64(8, (ulong)(writer.Written.Length - HeaderBytes));
        writer.U32(Crc32.Compute(writer.Written));
        return writer.Written.ToArray();
    }

    /// <summary>
    /// Reads one file from <paramref name="stream"/> and checks its header and checksum; the stream is left after the
    /// checksum. Reads into buffers no larger than the bytes that actually arrive, so a false length claims no memory.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not one of this format and kind, is truncated, too large or damaged.</exception>
    public static Sections Read(Stream stream, FileKind kind, long maximumBytes)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        int read = stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false);
        if (read < Magic.Length || !header[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException(read < Magic.Length
                ? Format($"The file has {read} bytes; a GruAnomaly file starts with the 4-byte magic \"GRUA\".")
                : Format($"The file starts with {Convert.ToHexString(header[..Magic.Length])}, not the magic \"GRUA\" (47525541): it is not a GruAnomaly file."));
        }

        if (read < HeaderBytes)
        {
            throw new InvalidDataException(Format($"The file ends after {read} bytes, inside its {HeaderBytes}-byte header: it is truncated."));
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version == 0 || version > CurrentVersion)
        {
            throw new InvalidDataException(version == 0
                ? "The file's format version is 0, which no GruAnomaly writes: the file is damaged."
                : Format($"The file has format version {version}; this GruAnomaly ({LibraryVersion}) reads versions 1 to {CurrentVersion}. It was written by a newer GruAnomaly: update the library to load it."));
        }

        ushort storedKind = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        if (storedKind != (ushort)kind)
        {
            throw new InvalidDataException(Format($"The file holds {Describe(storedKind)}, not {Describe((ushort)kind)}."));
        }

        ulong bodyLength = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        long limit = maximumBytes - HeaderBytes - ChecksumBytes;
        if (bodyLength > (ulong)Math.Max(0, limit))
        {
            throw new InvalidDataException(Format(
                $"The header claims a body of {bodyLength} bytes; at most {maximumBytes} bytes are accepted for the whole file (DetectorLoadOptions.MaximumBytes)."));
        }

        int total = (int)bodyLength + ChecksumBytes;
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (remaining < total)
            {
                throw new InvalidDataException(Format(
                    $"The header claims a body of {bodyLength} bytes and a {ChecksumBytes}-byte checksum, but only {remaining} bytes follow it: the file is truncated."));
            }
        }

        byte[] rest = ReadBounded(stream, total, bodyLength);
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(rest.AsSpan((int)bodyLength));
        uint actual = Crc32.Append(Crc32.Compute(header), rest.AsSpan(0, (int)bodyLength));
        if (stored != actual)
        {
            throw new InvalidDataException(Format(
                $"The checksum does not match: the file stores CRC-32 {stored:x8}, its content gives {actual:x8}. The file is damaged."));
        }

        var sections = new Sections(rest.AsMemory(0, (int)bodyLength), version);
        FieldReader info = sections.Next("INFO");
        sections.WrittenBy = info.String("library version");
        return sections;
    }

    /// <summary>Exactly <paramref name="total"/> bytes, read into a buffer that grows only as they arrive.</summary>
    private static byte[] ReadBounded(Stream stream, int total, ulong bodyLength)
    {
        var buffer = new byte[Math.Min(total, FirstChunkBytes)];
        int filled = 0;
        while (true)
        {
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                throw new InvalidDataException(Format(
                    $"The header claims a body of {bodyLength} bytes and a {ChecksumBytes}-byte checksum, but the file ends {filled} bytes after the header: it is truncated."));
            }

            filled += read;
            if (filled == total)
            {
                return buffer;
            }

            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(total, (long)buffer.Length * 2));
            }
        }
    }

    private static string Describe(ushort kind) => kind switch
    {
        (ushort)FileKind.Detector => "a fitted detector (kind 1)",
        (ushort)FileKind.StreamState => "a detector stream's state (kind 2)",
        _ => Format($"an unknown kind of content ({kind})"),
    };

    private static string ReadLibraryVersion()
    {
        string? version = typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        version ??= typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The sections of a verified body, taken in the order the format fixes.</summary>
    internal sealed class Sections
    {
        private readonly ReadOnlyMemory<byte> _body;
        private int _position;

        public Sections(ReadOnlyMemory<byte> body, ushort version)
        {
            _body = body;
            Version = version;
        }

        public ushort Version { get; }

        /// <summary>Gets the library version that wrote the file.</summary>
        public string WrittenBy { get; set; } = string.Empty;

        /// <summary>
        /// The next required section, which must carry <paramref name="tag"/>. Ancillary sections (a tag starting with a
        /// lowercase letter) that this version does not know are skipped: a later version may add them without breaking
        /// older readers.
        /// </summary>
        public FieldReader Next(string tag)
        {
            while (true)
            {
                (string found, ReadOnlyMemory<byte> payload) = ReadSection() ?? throw new InvalidDataException(
                    Format($"The file ends after {_body.Length} bytes of sections, before its section '{tag}'."));
                if (found == tag)
                {
                    return new FieldReader(found, payload, Version);
                }

                if (!char.IsAsciiLetterLower(found[0]))
                {
                    throw new InvalidDataException(Format($"Expected section '{tag}' at this point of the file, found '{found}'."));
                }
            }
        }

        /// <summary>Checks that only ancillary sections follow.</summary>
        public void End()
        {
            while (ReadSection() is (string found, _))
            {
                if (!char.IsAsciiLetterLower(found[0]))
                {
                    throw new InvalidDataException(Format($"Unexpected section '{found}' after the last section of the file."));
                }
            }
        }

        private (string Tag, ReadOnlyMemory<byte> Payload)? ReadSection()
        {
            int remaining = _body.Length - _position;
            if (remaining == 0)
            {
                return null;
            }

            if (remaining < SectionHeaderBytes)
            {
                throw new InvalidDataException(Format(
                    $"A section starts {_position} bytes into the body but only {remaining} bytes remain, fewer than its {SectionHeaderBytes}-byte tag and length."));
            }

            ReadOnlySpan<byte> head = _body.Span.Slice(_position, SectionHeaderBytes);
            foreach (byte b in head[..4])
            {
                if (b is < 0x21 or > 0x7E)
                {
                    throw new InvalidDataException(Format(
                        $"The section {_position} bytes into the body has the tag {Convert.ToHexString(head[..4])}; tags are four printable ASCII characters."));
                }
            }

            string tag = Encoding.ASCII.GetString(head[..4]);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(head[4..]);
            long available = remaining - SectionHeaderBytes;
            if (length > (ulong)available)
            {
                throw new InvalidDataException(Format($"Section '{tag}' claims {length} bytes but only {available} remain."));
            }

            ReadOnlyMemory<byte> payload = _body.Slice(_position + SectionHeaderBytes, (int)length);
            _position += SectionHeaderBytes + (int)length;
            return (tag, payload);
        }
    }
}
