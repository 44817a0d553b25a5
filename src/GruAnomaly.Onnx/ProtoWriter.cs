using Google.Protobuf;

namespace GruAnomaly.Onnx;

/// <summary>
/// Builds one protocol-buffer message field by field with Google's <see cref="CodedOutputStream"/>, which owns the wire
/// format (varint tags, lengths, UTF-8). ONNX's messages are written by field number, as onnx.proto numbers them, instead
/// of through classes generated from onnx.proto: the exporter writes a few fields of a few messages, and generated code
/// for the whole schema would be most of the package. A nested message is built in a writer of its own and embedded as
/// a length-delimited field; repeated fields are one field per element, which every parser accepts.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _output;

    public ProtoWriter() => _output = new CodedOutputStream(_buffer, leaveOpen: true);

    /// <summary>Gets the bytes written so far.</summary>
    public ReadOnlySpan<byte> Written
    {
        get
        {
            _output.Flush();
            return _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length);
        }
    }

    /// <summary>Writes an integer field (int32, int64 or enum); a negative value takes 10 bytes, as protobuf encodes it.</summary>
    public ProtoWriter Int(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    /// <summary>Writes a bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    /// <summary>Writes a string field, UTF-8 encoded.</summary>
    public ProtoWriter String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    /// <summary>Writes a nested message field.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.Written);
}
