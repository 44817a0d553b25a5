using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace GruAnomaly.Interop;

public static partial class Safetensors
{
    private const int LengthPrefixBytes = 8;
    private const int ChunkBytes = 1 << 16;

    // The dtypes of the format that are not floating point, or not converted here: refused with their own message, so
    // that a valid file of another kind is not reported as corrupt.
    private static readonly HashSet<string> OtherKnownTypes = new(StringComparer.Ordinal)
    {
        "BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64", "C64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",
    };

    /// <summary>Reads every tensor and the metadata of a safetensors file.</summary>
    /// <param name="stream">The file, from its current position to its end. A stream that cannot seek is buffered first.</param>
    /// <param name="options">Limits for untrusted input; <see langword="null"/> for the defaults.</param>
    /// <returns>The tensors as floats, their stored types and the metadata.</returns>
    /// <exception cref="InvalidDataException">The stream is not a well-formed safetensors file, or holds a dtype other than F32, F64, F16 or BF16.</exception>
    /// <exception cref="ArgumentException">The stream cannot be read, or an option is out of range.</exception>
    public static SafetensorsFile Read(Stream stream, SafetensorsReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        options ??= new SafetensorsReadOptions();
        if (options.MaxHeaderBytes < 2 || options.MaxUnseekableBytes < LengthPrefixBytes || options.MaxUnseekableBytes > Array.MaxLength)
        {
            throw new ArgumentException(
                $"MaxHeaderBytes must be at least 2 (got {options.MaxHeaderBytes}) and MaxUnseekableBytes between {LengthPrefixBytes} and " +
                $"{Array.MaxLength} (got {options.MaxUnseekableBytes}).", nameof(options));
        }

        if (stream.CanSeek)
        {
            return ReadSeekable(stream, options.MaxHeaderBytes);
        }

        using MemoryStream buffered = Buffer(stream, options.MaxUnseekableBytes);
        return ReadSeekable(buffered, options.MaxHeaderBytes);
    }

    private static SafetensorsFile ReadSeekable(Stream stream, long maxHeaderBytes)
    {
        long available = stream.Length - stream.Position;
        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        int read = stream.ReadAtLeast(prefix, LengthPrefixBytes, throwOnEndOfStream: false);
        if (read < LengthPrefixBytes)
        {
            throw Invalid($"The file has {read} bytes; a safetensors file starts with an 8-byte little-endian header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        long rest = available - LengthPrefixBytes;
        if (headerLength > (ulong)maxHeaderBytes)
        {
            throw Invalid($"The header length is {headerLength} bytes, more than the {maxHeaderBytes} accepted (SafetensorsReadOptions.MaxHeaderBytes).");
        }

        if (headerLength > (ulong)rest)
        {
            throw Invalid($"The header length is {headerLength} bytes but only {rest} bytes follow it: the file is truncated or not a safetensors file.");
        }

        if (headerLength < 2)
        {
            throw Invalid($"The header length is {headerLength} bytes; the header is a JSON object, at least 2 bytes ('{{}}').");
        }

        var header = new byte[headerLength];
        ReadExactly(stream, header, "the header");
        long dataLength = rest - (long)headerLength;
        List<Entry> entries = ParseHeader(header, dataLength, out Dictionary<string, string> metadata);

        var tensors = new Dictionary<string, FloatTensor>(entries.Count, StringComparer.Ordinal);
        var types = new Dictionary<string, SafetensorsDataType>(entries.Count, StringComparer.Ordinal);
        foreach (Entry entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            // The entries tile the data section in this order (checked), so the stream is already at entry.Begin.
            var values = new float[entry.Count];
            ReadValues(stream, entry, values);
            tensors.Add(entry.Name, new FloatTensor(entry.Shape, values));
            types.Add(entry.Name, entry.Type);
        }

        return new SafetensorsFile(tensors, types, metadata);
    }

    private static List<Entry> ParseHeader(byte[] header, long dataLength, out Dictionary<string, string> metadata)
    {
        if (!Utf8.IsValid(header))
        {
            throw Invalid("The header is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"The header is a JSON {Kind(root)}; expected an object that maps tensor names to {{dtype, shape, data_offsets}}.");
            }

            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                string name = NameOf(property);
                if (!names.Add(name))
                {
                    throw Invalid($"The header names {Quote(name)} twice; tensor names must be unique.");
                }

                if (name == MetadataKey)
                {
                    ParseMetadata(property.Value, metadata);
                }
                else
                {
                    entries.Add(ParseEntry(name, property.Value, dataLength));
                }
            }

            CheckTiling(entries, dataLength);
            return entries;
        }
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{MetadataKey} is a JSON {Kind(value)}; expected an object of strings.");
        }

        foreach (JsonProperty property in value.EnumerateObject())
        {
            string key = NameOf(property);
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid($"{MetadataKey} entry {Quote(key)} is a JSON {Kind(property.Value)}; metadata values must be strings.");
            }

            if (!metadata.TryAdd(key, StringOf(property.Value)))
            {
                throw Invalid($"{MetadataKey} names {Quote(key)} twice.");
            }
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, long dataLength)
    {
        string tensor = $"Tensor {Quote(name)}";
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{tensor} is described by a JSON {Kind(value)}; expected an object with dtype, shape and data_offsets.");
        }

        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            // Other fields are ignored, as the reference implementation does; the three it reads must each appear once.
            string key = NameOf(field);
            switch (key)
            {
                case "dtype": dtype = Once(tensor, key, dtype, field.Value); break;
                case "shape": shape = Once(tensor, key, shape, field.Value); break;
                case "data_offsets": offsets = Once(tensor, key, offsets, field.Value); break;
                default: break;
            }
        }

        SafetensorsDataType type = ParseType(tensor, dtype ?? throw Invalid($"{tensor} has no dtype."));
        int[] dimensions = ParseShape(tensor, shape ?? throw Invalid($"{tensor} has no shape."), out long count);
        (long begin, long end) = ParseOffsets(tensor, offsets ?? throw Invalid($"{tensor} has no data_offsets."));
        if (end > dataLength)
        {
            throw Invalid($"{tensor} ends at byte {end} of the data, which has {dataLength} bytes: the file is truncated or its offsets are wrong.");
        }

        int size = ElementSize(type);
        if (count > Array.MaxLength)
        {
            throw Invalid($"{tensor} has shape {FloatTensor.ShapeText(dimensions)}: {count} elements, more than one array can hold.");
        }

        if (count * size != end - begin)
        {
            throw Invalid($"{tensor} has shape {FloatTensor.ShapeText(dimensions)} ({count} {type} elements, {count * size} bytes) " +
                $"but its data_offsets [{begin}, {end}] span {end - begin} bytes.");
        }

        return new Entry(name, type, dimensions, (int)count, begin, end);
    }

    private static JsonElement Once(string tensor, string key, JsonElement? earlier, JsonElement value) =>
        earlier is null ? value : throw Invalid($"{tensor} gives {key} twice.");

    private static SafetensorsDataType ParseType(string tensor, JsonElement dtype)
    {
        if (dtype.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"{tensor} has a dtype that is a JSON {Kind(dtype)}; expected a string such as \"F32\".");
        }

        string text = StringOf(dtype);
        return text switch
        {
            "F32" => SafetensorsDataType.F32,
            "F64" => SafetensorsDataType.F64,
            "F16" => SafetensorsDataType.F16,
            "BF16" => SafetensorsDataType.BF16,
            _ when OtherKnownTypes.Contains(text) =>
                throw Invalid($"{tensor} has dtype {text}; only F32, F64, F16 and BF16 tensors can be read as floats."),
            _ => throw Invalid($"{tensor} has unknown dtype {Quote(text)}; expected F32, F64, F16 or BF16."),
        };
    }

    private static int[] ParseShape(string tensor, JsonElement shape, out long count)
    {
        if (shape.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"{tensor} has a shape that is a JSON {Kind(shape)}; expected an array of non-negative integers.");
        }

        var dimensions = new int[shape.GetArrayLength()];
        int i = 0;
        count = 1;
        foreach (JsonElement item in shape.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int dimension) || dimension < 0)
            {
                throw Invalid($"{tensor} has shape entry {i} = {Raw(item)}; expected a non-negative integer below 2^31.");
            }

            dimensions[i++] = dimension;

            // Saturates past any array's length, so that no product can overflow; a zero dimension still gives zero.
            count = Math.Min(count * dimension, (long)Array.MaxLength + 1);
        }

        return dimensions;
    }

    private static (long Begin, long End) ParseOffsets(string tensor, JsonElement offsets)
    {
        if (offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw Invalid($"{tensor} has data_offsets {Raw(offsets)}; expected [begin, end].");
        }

        JsonElement first = offsets[0], second = offsets[1];
        if (first.ValueKind != JsonValueKind.Number || !first.TryGetInt64(out long begin) || begin < 0
            || second.ValueKind != JsonValueKind.Number || !second.TryGetInt64(out long end) || end < 0)
        {
            throw Invalid($"{tensor} has data_offsets {Raw(offsets)}; expected two non-negative integers.");
        }

        if (begin > end)
        {
            throw Invalid($"{tensor} has data_offsets [{begin}, {end}]: it begins after it ends.");
        }

        return (begin, end);
    }

    /// <summary>Checks that the tensors' byte ranges cover the data section exactly once, with no gap or overlap.</summary>
    private static void CheckTiling(List<Entry> entries, long dataLength)
    {
        long next = 0;
        Entry? previous = null;
        foreach (Entry entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < next)
            {
                throw Invalid($"Tensors {Quote(previous!.Value.Name)} [{previous.Value.Begin}, {previous.Value.End}] and " +
                    $"{Quote(entry.Name)} [{entry.Begin}, {entry.End}] overlap.");
            }

            if (entry.Begin > next)
            {
                throw Invalid($"Bytes [{next}, {entry.Begin}) of the data belong to no tensor; the tensors must tile the data without gaps.");
            }

            next = entry.End;
            previous = entry;
        }

        if (next != dataLength)
        {
            throw Invalid($"The data has {dataLength} bytes but the tensors cover only the first {next}; the rest belongs to no tensor.");
        }
    }

    private static void ReadValues(Stream stream, Entry entry, float[] values)
    {
        string what = $"tensor {Quote(entry.Name)}";
        if (entry.Type == SafetensorsDataType.F32 && BitConverter.IsLittleEndian)
        {
            ReadExactly(stream, MemoryMarshal.AsBytes(values.AsSpan()), what);
            return;
        }

        int size = ElementSize(entry.Type);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int perChunk = ChunkBytes / size;
            for (int first = 0; first < values.Length; first += perChunk)
            {
                int count = Math.Min(perChunk, values.Length - first);
                Span<byte> bytes = chunk.AsSpan(0, count * size);
                ReadExactly(stream, bytes, what);
                Convert(entry.Type, bytes, values.AsSpan(first, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static void Convert(SafetensorsDataType type, ReadOnlySpan<byte> bytes, Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = type switch
            {
                SafetensorsDataType.F32 => BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]),
                SafetensorsDataType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]),
                SafetensorsDataType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]),

                // bfloat16 is the upper 16 bits of a float32.
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16),
            };
        }
    }

    private static int ElementSize(SafetensorsDataType type) => type switch
    {
        SafetensorsDataType.F64 => 8,
        SafetensorsDataType.F32 => 4,
        _ => 2,
    };

    private static MemoryStream Buffer(Stream stream, long maxBytes)
    {
        var buffered = new MemoryStream();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = stream.Read(chunk, 0, ChunkBytes)) > 0)
            {
                if (buffered.Length + read > maxBytes)
                {
                    throw Invalid($"The stream holds more than {maxBytes} bytes, the most read from a stream that cannot seek " +
                        "(SafetensorsReadOptions.MaxUnseekableBytes).");
                }

                buffered.Write(chunk, 0, read);
            }
        }
        catch
        {
            buffered.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        buffered.Position = 0;
        return buffered;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"The file ends inside {what}, before the length it stated.", e);
        }
    }

    // System.Text.Json unescapes names and strings on access and throws InvalidOperationException for an escaped lone
    // surrogate (for example "\ud800"): that is a malformed file, not a misuse.
    private static string NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"The header has a name that is not valid text once unescaped: {e.Message}", e);
        }
    }

    private static string StringOf(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"The header has a string that is not valid text once unescaped: {e.Message}", e);
        }
    }

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();

    private static string Raw(JsonElement value) => Shorten(value.GetRawText());

    private static string Quote(string name) => $"'{Shorten(name)}'";

    private static string Shorten(string text) => text.Length <= 80 ? text : $"{text[..80]}…";

    private static InvalidDataException Invalid(string message) => new(message);

    /// <summary>One tensor's header entry, checked against the data section.</summary>
    private readonly record struct Entry(string Name, SafetensorsDataType Type, int[] Shape, int Count, long Begin, long End);
}
