using System.Buffers;
using System.Text;

namespace GruAnomaly.Interop;

/// <summary>
/// The few pieces of the protocol-buffer wire format that writing an ONNX model needs: a field is a varint tag
/// <c>(number &lt;&lt; 3) | wire type</c>, then a varint (wire type 0) or a varint length and that many bytes (wire type 2:
/// strings, bytes and nested messages). Repeated fields are written as one field per element, which every parser
/// accepts. A nested message is written into a writer of its own and embedded as bytes.
/// </summary>
internal sealed class ProtoWriter
{
    private const int VarintType = 0;
    private const int LengthDelimitedType = 2;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Gets the bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    /// <summary>Writes an integer field (int32, int64 or enum); a negative value takes 10 bytes, as protobuf encodes it.</summary>
    public ProtoWriter Int(int field, long value)
    {
        Tag(field, VarintType);
        Varint((ulong)value);
        return this;
    }

    /// <summary>Writes a bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimitedType);
        Varint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>Writes a string field, UTF-8 encoded.</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Writes a nested message field.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.Written);

    private void Tag(int field, int wireType) => Varint((ulong)(((long)field << 3) | (uint)wireType));

    private void Varint(ulong value)
    {
        Span<byte> bytes = _buffer.GetSpan(10);
        int count = 0;
        while (value >= 0x80)
        {
            bytes[count++] = (byte)(value | 0x80);
            value >>= 7;
        }

        bytes[count++] = (byte)value;
        _buffer.Advance(count);
    }
}
