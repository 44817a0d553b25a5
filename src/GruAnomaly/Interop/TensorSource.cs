using GruAnomaly.Diagnostics;

namespace GruAnomaly.Interop;

/// <summary>
/// Named tensors being imported: hands each out once its shape and values are checked, and remembers which were used,
/// so that tensors the network has no place for are refused instead of silently dropped.
/// </summary>
internal sealed class TensorSource
{
    private readonly IReadOnlyDictionary<string, FloatTensor> _tensors;
    private readonly string _kind;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <param name="tensors">The tensors by name.</param>
    /// <param name="kind">What the format calls them, for messages ("tensor", "array").</param>
    public TensorSource(IReadOnlyDictionary<string, FloatTensor> tensors, string kind)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = tensors;
        _kind = kind;
    }

    /// <summary>Returns the values of tensor <paramref name="name"/>, which must have exactly <paramref name="shape"/>.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="shape">The shape the network needs.</param>
    /// <param name="purpose">What the tensor is for, such as "layer 0's input weights".</param>
    /// <param name="hint">Said after a shape mismatch, for example which other model that shape belongs to.</param>
    /// <exception cref="InvalidDataException">The tensor is missing, has another shape, or holds NaN or infinity.</exception>
    public ReadOnlySpan<float> Take(string name, ReadOnlySpan<int> shape, string purpose, string? hint = null)
    {
        if (!_tensors.TryGetValue(name, out FloatTensor? tensor) || tensor is null)
        {
            string found = _tensors.Count == 0 ? "there are none" : $"found {string.Join(", ", _tensors.Keys.Order(StringComparer.Ordinal).Take(12).Select(k => $"'{k}'"))}"
                + (_tensors.Count > 12 ? ", …" : "");
            throw new InvalidDataException($"There is no {_kind} '{name}' ({purpose}, shape {FloatTensor.ShapeText(shape)}); {found}.");
        }

        if (!tensor.HasShape(shape))
        {
            throw new InvalidDataException(
                $"The {_kind} '{name}' has shape {tensor}; {purpose} needs {FloatTensor.ShapeText(shape)}.{(hint is null ? "" : " " + hint)}");
        }

        ReadOnlySpan<float> values = tensor.Values.Span;
        if (!Guard.AllFinite(values))
        {
            int index = Guard.FirstNonFinite(values);
            throw new InvalidDataException($"The {_kind} '{name}' holds {values[index]} at index {index}; weights must be finite.");
        }

        _used.Add(name);
        return values;
    }

    /// <summary>Gets the shape of tensor <paramref name="name"/>, or null when there is none.</summary>
    public FloatTensor? Peek(string name) => _tensors.GetValueOrDefault(name);

    /// <summary>Refuses tensors that no parameter took, unless <paramref name="allowUnused"/>.</summary>
    /// <exception cref="InvalidDataException">Some were not used.</exception>
    public void CheckAllUsed(bool allowUnused, string option, string examples)
    {
        if (allowUnused || _used.Count == _tensors.Count)
        {
            return;
        }

        string[] unused = [.. _tensors.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal)];
        throw new InvalidDataException(
            $"The network has no place for {unused.Length} {_kind}(s): {string.Join(", ", unused.Take(12).Select(k => $"'{k}'"))}" +
            $"{(unused.Length > 12 ? ", …" : "")} ({examples}). Set {option} to ignore them.");
    }
}
