namespace GruAnomaly.Interop;

/// <summary>
/// A named array's shape and values as other frameworks exchange them: row-major (C order, the last index varying
/// fastest), as PyTorch, NumPy, Keras, safetensors and ONNX store a tensor.
/// </summary>
public sealed class FloatTensor
{
    private readonly int[] _shape;

    /// <summary>Creates a tensor.</summary>
    /// <param name="shape">The dimensions, outermost first; empty for a scalar (one value). Copied.</param>
    /// <param name="values">The values, row-major. Not copied: the tensor reads the caller's array, which must stay unchanged.</param>
    /// <exception cref="ArgumentException">A dimension is negative, or the number of values is not the product of the dimensions.</exception>
    public FloatTensor(ReadOnlySpan<int> shape, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        long count = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"The shape [{string.Join(", ", shape.ToArray())}] has a negative dimension.", nameof(shape));
            }

            // Saturates: a product past any array's length cannot match a float[] anyway, and must not overflow.
            count = Math.Min(count * dimension, long.MaxValue / int.MaxValue);
        }

        if (count != values.Length)
        {
            throw new ArgumentException(
                $"The shape [{string.Join(", ", shape.ToArray())}] holds {count} values; {values.Length} were given.", nameof(values));
        }

        _shape = shape.ToArray();
        Shape = Array.AsReadOnly(_shape);
        Values = values;
    }

    /// <summary>Gets the dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Gets the values, row-major.</summary>
    public ReadOnlyMemory<float> Values { get; }

    /// <summary>Gets the number of values.</summary>
    public int Length => Values.Length;

    /// <summary>Gets the shape as <c>[d0, d1, …]</c>, for messages.</summary>
    /// <returns>The shape in brackets.</returns>
    public override string ToString() => ShapeText(_shape);

    /// <summary>Whether the shape is exactly <paramref name="expected"/>.</summary>
    internal bool HasShape(ReadOnlySpan<int> expected) => expected.SequenceEqual(_shape);

    internal static string ShapeText(ReadOnlySpan<int> shape) => $"[{string.Join(", ", shape.ToArray())}]";
}
