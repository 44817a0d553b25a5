namespace GruAnomaly.Interop;

/// <summary>
/// Rearranges a parameter matrix between our layout and another framework's. Ours is row-major, inputs × outputs (for a
/// GRU, input × 3·hidden with column blocks in PyTorch's gate order r, z, n); PyTorch and ONNX store the transpose, and
/// Keras and ONNX order the gates z, r, h (h is our n).
/// </summary>
internal static class GateLayout
{
    /// <summary>One block, as it is: a bias, or a dense head's weights.</summary>
    public static readonly int[] Whole = [0];

    /// <summary>The three gates in PyTorch's order, which is ours.</summary>
    public static readonly int[] Rzn = [0, 1, 2];

    /// <summary>
    /// The three gates in the order z, r, h of Keras and ONNX: their block k is our block <c>Zrh[k]</c>. Swapping the first
    /// two blocks is its own inverse, so the same table converts in both directions.
    /// </summary>
    public static readonly int[] Zrh = [1, 0, 2];

    /// <summary>
    /// Writes our rows × columns matrix in a foreign layout: column block k of the result is our block <c>order[k]</c>
    /// (columns split into <c>order.Length</c> equal blocks), transposed (columns × rows) when <paramref name="transpose"/>.
    /// </summary>
    public static void Export(ReadOnlySpan<float> ours, int rows, int columns, int[] order, bool transpose, Span<float> foreign) =>
        Move(ours, foreign, rows, columns, order, transpose, toForeign: true);

    /// <summary>The inverse of <see cref="Export"/>: reads a matrix in the foreign layout into ours.</summary>
    public static void Import(ReadOnlySpan<float> foreign, int rows, int columns, int[] order, bool transpose, Span<float> ours) =>
        Move(foreign, ours, rows, columns, order, transpose, toForeign: false);

    private static void Move(ReadOnlySpan<float> source, Span<float> target, int rows, int columns, int[] order, bool transpose, bool toForeign)
    {
        int width = columns / order.Length;
        for (int i = 0; i < rows; i++)
        {
            for (int block = 0; block < order.Length; block++)
            {
                for (int j = 0; j < width; j++)
                {
                    int ours = (i * columns) + (order[block] * width) + j, column = (block * width) + j;
                    int foreign = transpose ? (column * rows) + i : (i * columns) + column;
                    if (toForeign)
                    {
                        target[foreign] = source[ours];
                    }
                    else
                    {
                        target[ours] = source[foreign];
                    }
                }
            }
        }
    }
}
