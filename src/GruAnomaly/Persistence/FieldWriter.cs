using System.Buffers.Binary;
using System.Text;

namespace GruAnomaly.Persistence;

/// <summary>
/// Builds a file in memory: little-endian primitives, length-prefixed strings and arrays, and tagged sections whose
/// lengths are filled in when they close. The whole file is built before any byte reaches the destination, so a save
/// that fails (for example on a type it cannot write) writes nothing.
/// </summary>
internal sealed class FieldWriter
{
    private byte[] _buffer = new byte[4096];
    private int _length;

    /// <summary>Gets the bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void U8(byte value) => Reserve(1)[0] = value;

    public void Bool(bool value) => U8(value ? (byte)1 : (byte)0);

    public void U16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void I32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void I64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void U64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void F32(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);

    public void F64(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    /// <summary>A presence byte, then the value when there is one.</summary>
    public void OptionalI32(int? value)
    {
        Bool(value.HasValue);
        if (value is int v)
        {
            I32(v);
        }
    }

    /// <summary>A presence byte, then the value when there is one.</summary>
    public void OptionalF32(float? value)
    {
        Bool(value.HasValue);
        if (value is float v)
        {
            F32(v);
        }
    }

    /// <summary>A presence byte, then the value when there is one.</summary>
    public void OptionalF64(double? value)
    {
        Bool(value.HasValue);
        if (value is double v)
        {
            F64(v);
        }
    }

    /// <summary>The UTF-8 byte count (u32), then the bytes.</summary>
    public void String(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        U32((uint)count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    /// <summary>The count (u32), then every value.</summary>
    public void Floats(ReadOnlySpan<float> values)
    {
        U32((uint)values.Length);
        Span<byte> target = Reserve(values.Length * sizeof(float));
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(target[(i * sizeof(float))..], values[i]);
        }
    }

    /// <summary>The count (u32), then every value.</summary>
    public void Doubles(ReadOnlySpan<double> values)
    {
        U32((uint)values.Length);
        Span<byte> target = Reserve(values.Length * sizeof(double));
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(target[(i * sizeof(double))..], values[i]);
        }
    }

    /// <summary>The count (u32), then every value.</summary>
    public void Longs(ReadOnlySpan<long> values)
    {
        U32((uint)values.Length);
        foreach (long value in values)
        {
            I64(value);
        }
    }

    /// <summary>Raw bytes, without a count.</summary>
    public void Bytes(ReadOnlySpan<byte> values) => values.CopyTo(Reserve(values.Length));

    /// <summary>A section: its four-character tag, its length (u64) and the fields <paramref name="write"/> writes.</summary>
    public void Section(string tag, Action<FieldWriter> write)
    {
        System.Diagnostics.Debug.Assert(tag.Length == 4 && tag.All(char.IsAscii));
        Encoding.ASCII.GetBytes(tag, Reserve(4));
        int lengthAt = _length;
        U64(0);
        write(this);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(lengthAt), (ulong)(_length - lengthAt - sizeof(ulong)));
    }

    /// <summary>Overwrites 4 bytes already written, at <paramref name="offset"/>.</summary>
    public void PatchU32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(offset), value);

    /// <summary>Overwrites 8 bytes already written, at <paramref name="offset"/>.</summary>
    public void PatchU64(int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(offset), value);

    public void PatchU16(int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(offset), value);

    /// <summary>
    /// Gets the lowest format version that holds everything written so far: 1 unless a field of a later version was
    /// written (see <see cref="Require"/>). A file is stamped with it, so a file without the later features stays readable
    /// by older libraries, byte for byte as they wrote it.
    /// </summary>
    public ushort Version { get; private set; } = 1;

    /// <summary>Records that what is being written exists only from format version <paramref name="version"/> on.</summary>
    public void Require(ushort version) => Version = Math.Max(Version, version);

    private Span<byte> Reserve(int count)
    {
        if ((long)_length + count > Array.MaxLength)
        {
            throw new NotSupportedException($"The file would be larger than {Array.MaxLength} bytes, the most one array holds.");
        }

        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + count)));
        }

        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
