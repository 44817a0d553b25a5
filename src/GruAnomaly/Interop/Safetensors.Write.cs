using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace GruAnomaly.Interop;

public static partial class Safetensors
{
    /// <summary>Writes tensors as a safetensors file of <c>F32</c> tensors, sorted by name.</summary>
    /// <param name="stream">Receives the file at its current position.</param>
    /// <param name="tensors">The tensors by name (a dictionary, or any sequence of unique names).</param>
    /// <param name="metadata">The <c>__metadata__</c> map; <see langword="null"/> or empty for none.</param>
    /// <exception cref="ArgumentException">
    /// The stream cannot be written, a name is empty, repeated or <see cref="MetadataKey"/>, or a tensor or metadata value is null.
    /// </exception>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, FloatTensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream cannot be written.", nameof(stream));
        }

        KeyValuePair<string, FloatTensor>[] sorted = [.. tensors.OrderBy(t => t.Key, StringComparer.Ordinal)];
        for (int i = 0; i < sorted.Length; i++)
        {
            (string name, FloatTensor tensor) = sorted[i];
            if (string.IsNullOrEmpty(name) || name == MetadataKey || tensor is null || (i > 0 && sorted[i - 1].Key == name))
            {
                throw new ArgumentException(
                    $"Tensor names must be non-empty, unique and not {MetadataKey}, each with a tensor; '{name}' is not.", nameof(tensors));
            }
        }

        if (metadata is not null && metadata.Any(m => m.Value is null))
        {
            throw new ArgumentException("Metadata values must not be null.", nameof(metadata));
        }

        byte[] header = Header(sorted, metadata);
        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach ((_, FloatTensor tensor) in sorted)
        {
            WriteValues(stream, tensor.Values.Span);
        }
    }

    private static byte[] Header(KeyValuePair<string, FloatTensor>[] tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach ((string key, string value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach ((string name, FloatTensor tensor) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int dimension in tensor.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * tensor.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // Spaces pad the header so that the data starts 8-byte aligned, as the reference implementation writes it.
        int padded = (buffer.WrittenCount + LengthPrefixBytes + 7) / 8 * 8 - LengthPrefixBytes;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteValues(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (int first = 0; first < values.Length; first += ChunkBytes / 4)
            {
                int count = Math.Min(ChunkBytes / 4, values.Length - first);
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(4 * i), values[first + i]);
                }

                stream.Write(chunk, 0, 4 * count);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
