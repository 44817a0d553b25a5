namespace GruAnomaly.Numerics;

/// <summary>
/// Reuses float arrays of exactly the requested length, for APIs (MathNet's providers) that infer a matrix's size from
/// its array's length, where <see cref="System.Buffers.ArrayPool{T}"/>'s larger arrays would be rejected.
/// </summary>
/// <remarks>
/// A network multiplies a handful of distinct shapes over and over, so a few lengths with a few arrays each cover
/// steady state. Bounded so that an unusual workload cannot make it hoard memory: beyond the bounds, arrays are simply
/// left to the garbage collector.
/// </remarks>
internal sealed class ExactLengthArrayPool
{
    /// <summary>Three operands of one call may share a length; the rest leaves room for a concurrent caller.</summary>
    private const int MaxArraysPerLength = 8;

    private const int MaxLengths = 64;

    private readonly Dictionary<int, Stack<float[]>> _free = [];
    private readonly Lock _lock = new();

    /// <summary>Gets an array of exactly <paramref name="length"/> elements with undefined contents.</summary>
    public float[] Rent(int length)
    {
        lock (_lock)
        {
            if (_free.TryGetValue(length, out Stack<float[]>? stack) && stack.TryPop(out float[]? array))
            {
                return array;
            }
        }

        return new float[length];
    }

    /// <summary>Gives an array back for reuse; the caller must not touch it afterwards.</summary>
    public void Return(float[] array)
    {
        lock (_lock)
        {
            if (!_free.TryGetValue(array.Length, out Stack<float[]>? stack))
            {
                if (_free.Count >= MaxLengths)
                {
                    return;
                }

                stack = new Stack<float[]>(MaxArraysPerLength);
                _free.Add(array.Length, stack);
            }

            if (stack.Count < MaxArraysPerLength)
            {
                stack.Push(array);
            }
        }
    }
}
