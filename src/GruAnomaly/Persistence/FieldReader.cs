using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace GruAnomaly.Persistence;

/// <summary>
/// Reads the fields of one section of a file whose checksum has been verified, refusing with an
/// <see cref="InvalidDataException"/> (that names the section and field) anything that does not fit: a field past the
/// end of its section, a count whose values would not fit in the bytes that remain (checked in 64-bit arithmetic before
/// anything is allocated), a value out of range.
/// </summary>
/// <remarks>
/// The checksum only proves that the bytes are the ones written; it does not prove that they were written by this
/// library, so every value is still checked as if hostile.
/// </remarks>
internal sealed class FieldReader
{
    private readonly ReadOnlyMemory<byte> _data;
    private int _position;

    public FieldReader(string section, ReadOnlyMemory<byte> data, ushort version)
    {
        Section = section;
        _data = data;
        Version = version;
    }

    /// <summary>Gets the tag of the section being read.</summary>
    public string Section { get; }

    /// <summary>Gets the format version of the file, for fields that later versions add.</summary>
    public ushort Version { get; }

    /// <summary>Gets the number of bytes left in the section.</summary>
    public int Remaining => _data.Length - _position;

    public byte U8(string field) => Take(1, field)[0];

    public bool Bool(string field)
    {
        byte value = U8(field);
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw Invalid(field, $"is {value}; a flag is 0 or 1"),
        };
    }

    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public int I32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));

    public long I64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));

    public float F32(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));

    public double F64(string field) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field));

    /// <summary>An integer in [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public int I32(string field, int minimum, int maximum)
    {
        int value = I32(field);
        if (value < minimum || value > maximum)
        {
            throw Invalid(field, Format($"is {value}; expected {minimum} to {maximum}"));
        }

        return value;
    }

    /// <summary>A long in [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public long I64(string field, long minimum, long maximum)
    {
        long value = I64(field);
        if (value < minimum || value > maximum)
        {
            throw Invalid(field, Format($"is {value}; expected {minimum} to {maximum}"));
        }

        return value;
    }

    /// <summary>A finite double.</summary>
    public double FiniteF64(string field)
    {
        double value = F64(field);
        return double.IsFinite(value) ? value : throw Invalid(field, Format($"is {value}; expected a finite number"));
    }

    /// <summary>A finite float.</summary>
    public float FiniteF32(string field)
    {
        float value = F32(field);
        return float.IsFinite(value) ? value : throw Invalid(field, Format($"is {value}; expected a finite number"));
    }

    public int? OptionalI32(string field, int minimum, int maximum) => Bool(field) ? I32(field, minimum, maximum) : null;

    public float? OptionalF32(string field) => Bool(field) ? F32(field) : null;

    public double? OptionalF64(string field) => Bool(field) ? F64(field) : null;

    /// <summary>A defined value of <typeparamref name="T"/>, stored as one byte.</summary>
    public T Enum<T>(string field)
        where T : struct, Enum
    {
        byte value = U8(field);
        T result = (T)System.Enum.ToObject(typeof(T), value);
        return System.Enum.IsDefined(result) ? result : throw Invalid(field, $"is {value}, not a {typeof(T).Name}");
    }

    /// <summary>A UTF-8 string of at most <see cref="Limits.StringBytes"/> bytes.</summary>
    public string String(string field)
    {
        int count = Count(field, 1, Limits.StringBytes, "bytes of text");
        ReadOnlySpan<byte> bytes = Take(count, field);
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw Invalid(field, "is not valid UTF-8");
        }

        return Encoding.UTF8.GetString(bytes);
    }

    public float[] Floats(string field, int maximum = int.MaxValue)
    {
        int count = Count(field, sizeof(float), maximum, "floats");
        ReadOnlySpan<byte> bytes = Take(count * sizeof(float), field);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }

    public double[] Doubles(string field, int maximum = int.MaxValue)
    {
        int count = Count(field, sizeof(double), maximum, "doubles");
        ReadOnlySpan<byte> bytes = Take(count * sizeof(double), field);
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * sizeof(double))..]);
        }

        return values;
    }

    /// <summary>An array of exactly <paramref name="expected"/> floats.</summary>
    public float[] Floats(string field, int expected, string why)
    {
        float[] values = Floats(field);
        return values.Length == expected ? values : throw Invalid(field, Format($"has {values.Length} values; expected {expected} ({why})"));
    }

    /// <summary>An array of exactly <paramref name="expected"/> doubles.</summary>
    public double[] Doubles(string field, int expected, string why)
    {
        double[] values = Doubles(field);
        return values.Length == expected ? values : throw Invalid(field, Format($"has {values.Length} values; expected {expected} ({why})"));
    }

    public long[] Longs(string field, int maximum = int.MaxValue)
    {
        int count = Count(field, sizeof(long), maximum, "integers");
        var values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = I64(field);
        }

        return values;
    }

    /// <summary>Raw bytes, without a count.</summary>
    public byte[] Bytes(string field, int count) => Take(count, field).ToArray();

    /// <summary>
    /// A count (u32) of elements of <paramref name="elementBytes"/> bytes each, refused when it exceeds
    /// <paramref name="maximum"/> or when that many elements could not fit in the bytes that remain.
    /// </summary>
    public int Count(string field, int elementBytes, int maximum, string elements)
    {
        uint count = U32(field);
        long bytes = count * (long)elementBytes;
        if (bytes > Remaining)
        {
            throw Invalid(field, Format($"claims {count} {elements} ({bytes} bytes) but only {Remaining} bytes remain"));
        }

        if (count > (uint)maximum)
        {
            throw Invalid(field, Format($"claims {count} {elements}; at most {maximum} are accepted"));
        }

        return (int)count;
    }

    /// <summary>Checks that every byte of the section was read.</summary>
    public void End()
    {
        if (Remaining != 0)
        {
            throw new InvalidDataException(Format($"Section '{Section}' has {Remaining} bytes left over after its last field (format version {Version})."));
        }
    }

    /// <summary>An error about one field of this section.</summary>
    public InvalidDataException Invalid(string field, string problem) => new($"Section '{Section}', {field}: {problem}.");

    /// <summary>Runs a constructor of the library on values read from the file, reporting its refusal as damaged data.</summary>
    public T Construct<T>(string what, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Section '{Section}', {what}: the stored values are refused: {e.Message}", e);
        }
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count > Remaining)
        {
            throw Invalid(field, Format($"needs {count} bytes but only {Remaining} remain in the section"));
        }

        ReadOnlySpan<byte> span = _data.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
