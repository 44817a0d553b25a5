namespace GruAnomaly.Interop;

/// <summary>
/// Reads and writes the safetensors format of Hugging Face, in which PyTorch (<c>safetensors.torch.save_file</c>) and
/// other frameworks exchange weights: an 8-byte little-endian header length <c>N</c>, then <c>N</c> bytes of a UTF-8 JSON
/// object that maps each tensor's name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (plus an optional
/// <c>"__metadata__"</c> map of strings), then the tensors' little-endian values, row-major, at those byte offsets.
/// </summary>
/// <remarks>
/// <para>
/// Reading is safe on untrusted input: every inconsistency (a truncated file, a header length past the end of the file
/// or above <see cref="SafetensorsReadOptions.MaxHeaderBytes"/>, malformed JSON, an unknown dtype, a shape whose size
/// does not match its byte range, offsets out of range, overlapping or leaving gaps, a name given twice) is refused with
/// an <see cref="InvalidDataException"/> that says what is wrong, before anything is allocated for the tensors. The whole
/// data section must be covered by the tensors, exactly as the format's reference implementation requires.
/// </para>
/// <para>
/// <c>F32</c>, <c>F64</c>, <c>F16</c> and <c>BF16</c> tensors are read as <see cref="float"/>; any other dtype is refused.
/// Tensors are written as <c>F32</c>, sorted by name (ordinal), with the header padded with spaces to a multiple of 8
/// bytes as the reference implementation does, so the same tensors always give the same bytes.
/// </para>
/// </remarks>
public static partial class Safetensors
{
    /// <summary>The header key that holds the string-to-string metadata instead of a tensor.</summary>
    public const string MetadataKey = "__metadata__";
}
