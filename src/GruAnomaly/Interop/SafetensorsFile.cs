namespace GruAnomaly.Interop;

/// <summary>The tensors and metadata of one safetensors file, as <see cref="Safetensors.Read"/> returns them.</summary>
public sealed class SafetensorsFile
{
    internal SafetensorsFile(IReadOnlyDictionary<string, FloatTensor> tensors, IReadOnlyDictionary<string, SafetensorsDataType> storedTypes,
        IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        StoredTypes = storedTypes;
        Metadata = metadata;
    }

    /// <summary>Gets the tensors by name, converted to <see cref="float"/>.</summary>
    public IReadOnlyDictionary<string, FloatTensor> Tensors { get; }

    /// <summary>Gets each tensor's element type in the file (only <see cref="SafetensorsDataType.F32"/> is read bit for bit).</summary>
    public IReadOnlyDictionary<string, SafetensorsDataType> StoredTypes { get; }

    /// <summary>Gets the header's <c>__metadata__</c> map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
}
