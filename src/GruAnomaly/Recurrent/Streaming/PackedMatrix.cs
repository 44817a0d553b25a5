using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>
/// A rows×columns weight matrix with its bias, packed once for <c>y = addend + [first | second]·W</c> on one row:
/// column panels of <see cref="PanelWidth"/> floats, each panel's rows stored one after another, the last panel padded
/// with zero columns. A product then reads the weights as a single forward stream and needs no tail code.
/// </summary>
/// <remarks>
/// Batch-1 products are too small for the blocked GEMM to pay for its packing and dispatch on every call, and the
/// streaming weights never change, so the packing is done here once, when a <see cref="NetworkStreamer"/> is built.
/// </remarks>
internal sealed class PackedMatrix
{
    /// <summary>Panels of 4 vectors: with the rows unrolled by two, eight independent FMA chains hide the latency.</summary>
    private const int PanelVectors = 4;

    private readonly float[] _panels;
    private readonly float[] _bias;

    /// <summary>Creates an all-zero matrix and bias for the widest accelerated instruction set.</summary>
    public PackedMatrix(int rows, int columns)
        : this(rows, columns, SimdLevels.Best)
    {
    }

    /// <summary>
    /// Creates an all-zero matrix and bias for exactly <paramref name="level"/>, even one the hardware does not
    /// accelerate (then emulated, slowly), so that tests check every level's code on one machine.
    /// </summary>
    internal PackedMatrix(int rows, int columns, SimdLevel level)
    {
        Level = level;
        PanelWidth = PanelWidthOf(level);
        Rows = rows;
        Columns = columns;
        PaddedColumns = (columns + PanelWidth - 1) / PanelWidth * PanelWidth;
        _panels = new float[rows * PaddedColumns];
        _bias = new float[PaddedColumns];
    }

    public SimdLevel Level { get; }

    /// <summary>Gets the floats per panel: four vectors of <see cref="Level"/>'s width.</summary>
    public int PanelWidth { get; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Gets the columns rounded up to whole panels: the length of <see cref="Bias"/> and of every product's output.</summary>
    public int PaddedColumns { get; }

    /// <summary>Gets the bias, padded with zeros to <see cref="PaddedColumns"/>.</summary>
    public ReadOnlySpan<float> Bias => _bias;

    /// <summary>Rounds a width up to whole panels of the widest accelerated instruction set (what the streamer packs for).</summary>
    public static int Pad(int columns)
    {
        int width = PanelWidthOf(SimdLevels.Best);
        return (columns + width - 1) / width * width;
    }

    private static int PanelWidthOf(SimdLevel level) => PanelVectors * level switch
    {
        SimdLevel.Vector512 => Vector512<float>.Count,
        SimdLevel.Vector256 => Vector256<float>.Count,
        SimdLevel.Vector128 => Vector128<float>.Count,
        _ => 1,
    };

    /// <summary>
    /// Copies <paramref name="count"/> rows of a row-major source (leading dimension <paramref name="ld"/>, starting at
    /// column <paramref name="sourceColumn"/>) into rows <paramref name="firstRow"/>… of this matrix.
    /// </summary>
    public void SetRows(int firstRow, ReadOnlySpan<float> source, int count, int ld, int sourceColumn)
    {
        for (int row = 0; row < count; row++)
        {
            for (int column = 0; column < Columns; column++)
            {
                int panel = column / PanelWidth, lane = column % PanelWidth;
                _panels[(panel * Rows * PanelWidth) + ((firstRow + row) * PanelWidth) + lane] = source[(row * ld) + sourceColumn + column];
            }
        }
    }

    /// <summary>Adds <paramref name="bias"/> (<see cref="Columns"/> values) to the bias.</summary>
    public void AddBias(ReadOnlySpan<float> bias)
    {
        for (int column = 0; column < Columns; column++)
        {
            _bias[column] += bias[column];
        }
    }

    /// <summary>
    /// <c>y = addend + [first | second]·W</c>, where <paramref name="first"/> and <paramref name="second"/> together hold
    /// <see cref="Rows"/> values (either may be empty). <paramref name="addend"/> and <paramref name="y"/> hold
    /// <see cref="PaddedColumns"/> values and may be the same memory: each panel reads its addend before writing.
    /// </summary>
    // Once per streamed point (and layer): optimized from the first call, since on one CPU the JIT waits a second or more
    // before promoting tier-0 code, and a point is only a microsecond or two of work.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Multiply(ReadOnlySpan<float> first, ReadOnlySpan<float> second, ReadOnlySpan<float> addend, Span<float> y)
    {
        if (first.Length + second.Length != Rows || addend.Length < PaddedColumns || y.Length < PaddedColumns)
        {
            throw ShapeError();
        }

        Dispatch(first, second, addend, default, y, default);
    }

    /// <summary>
    /// The first part of <see cref="Multiply"/> over <paramref name="first"/> alone (the first <c>first.Length</c> rows of
    /// W), with the two partial sums a product keeps (<paramref name="even"/>: the addend and the even rows;
    /// <paramref name="odd"/>: the odd rows) written apart, so that <see cref="MultiplySecond"/> can finish the same
    /// product later with exactly the same operations in the same order, to the last bit. Both outputs hold
    /// <see cref="PaddedColumns"/> values.
    /// </summary>
    public void MultiplyFirst(ReadOnlySpan<float> first, ReadOnlySpan<float> addend, Span<float> even, Span<float> odd)
    {
        if (first.Length > Rows || addend.Length < PaddedColumns || even.Length < PaddedColumns || odd.Length < PaddedColumns)
        {
            throw ShapeError();
        }

        Dispatch(first, default, addend, default, even, odd);
    }

    /// <summary>
    /// Finishes a product begun by <see cref="MultiplyFirst"/>: <c>y = even + odd</c> after the remaining rows of W
    /// (<paramref name="second"/>) are added, which equals <see cref="Multiply"/>'s result for the whole row bit for bit.
    /// <paramref name="y"/> may be the same memory as <paramref name="even"/>.
    /// </summary>
    public void MultiplySecond(int firstCount, ReadOnlySpan<float> second, ReadOnlySpan<float> even, ReadOnlySpan<float> odd, Span<float> y)
    {
        if (firstCount + second.Length != Rows || even.Length < PaddedColumns || odd.Length < PaddedColumns || y.Length < PaddedColumns)
        {
            throw ShapeError();
        }

        Dispatch(default, second, even, odd, y, default, firstCount);
    }

    /// <summary>
    /// <see cref="Multiply"/> of many rows at once, <c>y[r] = Bias + x[r]·W</c> for r &lt; <paramref name="count"/>, with
    /// each value's operations in <see cref="Multiply"/>'s order (so each row's result is the one-row product's, bit for
    /// bit), but vectorized across rows instead of columns: no work is spent on the padding columns, which is most of it
    /// when the matrix is narrow (a head of a few outputs). <paramref name="transposed"/> holds x column by column:
    /// <c>transposed[k·stride + r]</c> = x[r][k], with <paramref name="stride"/> a multiple of <see cref="RowBlock"/> and
    /// at least <paramref name="count"/>. <paramref name="y"/> receives <paramref name="count"/> rows of
    /// <see cref="Columns"/> values.
    /// </summary>
    public void MultiplyRows(ReadOnlySpan<float> transposed, int stride, int count, Span<float> y)
    {
        if (stride % RowBlock != 0 || stride < count || transposed.Length < Rows * stride || y.Length < count * Columns)
        {
            throw ShapeError();
        }

        ref float x = ref MemoryMarshal.GetReference(transposed);
        ref float o = ref MemoryMarshal.GetReference(y);
        switch (Level)
        {
            case SimdLevel.Vector512:
                MultiplyRows<Vector512Ops, Vector512<float>>(ref x, stride, count, ref o);
                break;
            case SimdLevel.Vector256:
                MultiplyRows<Vector256Ops, Vector256<float>>(ref x, stride, count, ref o);
                break;
            case SimdLevel.Vector128:
                MultiplyRows<Vector128Ops, Vector128<float>>(ref x, stride, count, ref o);
                break;
            default:
                MultiplyRows<ScalarOps, float>(ref x, stride, count, ref o);
                break;
        }
    }

    /// <summary>Gets the rows <see cref="MultiplyRows"/> computes together (two vectors of <see cref="Level"/>'s width).</summary>
    public int RowBlock => PanelWidth / 2;

    private static InvalidOperationException ShapeError() => new("A packed product was called with the wrong shapes (internal error).");

    /// <summary>
    /// Runs the product kernel: with <paramref name="odd"/> empty the odd sums start at zero, else from it; with
    /// <paramref name="oddOut"/> empty the two sums are added into <paramref name="y"/>, else written apart. The second
    /// segment's rows start at row <paramref name="secondRow"/> of W (<c>first.Length</c> unless given).
    /// </summary>
    // Per point: see Multiply.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Dispatch(ReadOnlySpan<float> first, ReadOnlySpan<float> second, ReadOnlySpan<float> addend, ReadOnlySpan<float> odd,
        Span<float> y, Span<float> oddOut, int secondRow = -1)
    {
        var segments = new Segments(first.Length, second.Length, secondRow < 0 ? first.Length : secondRow, !odd.IsEmpty, !oddOut.IsEmpty);
        ref float f = ref MemoryMarshal.GetReference(first);
        ref float s = ref MemoryMarshal.GetReference(second);
        ref float w = ref MemoryMarshal.GetArrayDataReference(_panels);
        ref float a = ref MemoryMarshal.GetReference(addend);
        ref float b = ref MemoryMarshal.GetReference(odd);
        ref float o = ref MemoryMarshal.GetReference(y);
        ref float p = ref MemoryMarshal.GetReference(oddOut);
        switch (Level)
        {
            case SimdLevel.Vector512:
                Multiply<Vector512Ops, Vector512<float>>(segments, ref f, ref s, ref w, ref a, ref b, ref o, ref p);
                break;
            case SimdLevel.Vector256:
                Multiply<Vector256Ops, Vector256<float>>(segments, ref f, ref s, ref w, ref a, ref b, ref o, ref p);
                break;
            case SimdLevel.Vector128:
                Multiply<Vector128Ops, Vector128<float>>(segments, ref f, ref s, ref w, ref a, ref b, ref o, ref p);
                break;
            default:
                Multiply<ScalarOps, float>(segments, ref f, ref s, ref w, ref a, ref b, ref o, ref p);
                break;
        }
    }

    /// <summary>The shape of one call of the kernel.</summary>
    private readonly record struct Segments(int FirstCount, int SecondCount, int SecondRow, bool OddIn, bool OddOut);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Multiply<TOps, TVector>(Segments shape, ref float first, ref float second,
        ref float panels, ref float addend, ref float oddIn, ref float y, ref float oddOut)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        nint w = TOps.Count;
        nint panelWidth = PanelVectors * w;
        for (nint column = 0; column < PaddedColumns; column += panelWidth)
        {
            // Two sets of accumulators (even and odd rows) give eight independent FMA chains.
            TVector s0 = TOps.Load(ref addend, column), s1 = TOps.Load(ref addend, column + w);
            TVector s2 = TOps.Load(ref addend, column + (2 * w)), s3 = TOps.Load(ref addend, column + (3 * w));
            TVector t0 = TOps.Zero, t1 = TOps.Zero, t2 = TOps.Zero, t3 = TOps.Zero;
            if (shape.OddIn)
            {
                t0 = TOps.Load(ref oddIn, column);
                t1 = TOps.Load(ref oddIn, column + w);
                t2 = TOps.Load(ref oddIn, column + (2 * w));
                t3 = TOps.Load(ref oddIn, column + (3 * w));
            }

            ref float panel = ref Unsafe.Add(ref panels, column * Rows);
            for (int segment = 0; segment < 2; segment++)
            {
                ref float x = ref segment == 0 ? ref first : ref second;
                int count = segment == 0 ? shape.FirstCount : shape.SecondCount;
                ref float row = ref Unsafe.Add(ref panel, segment == 0 ? 0 : shape.SecondRow * panelWidth);
                int p = 0;
                for (; p + 1 < count; p += 2)
                {
                    TVector x0 = TOps.Broadcast(Unsafe.Add(ref x, p));
                    TVector x1 = TOps.Broadcast(Unsafe.Add(ref x, p + 1));
                    s0 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 0), s0);
                    s1 = TOps.MultiplyAdd(x0, TOps.Load(ref row, w), s1);
                    s2 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 2 * w), s2);
                    s3 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 3 * w), s3);
                    t0 = TOps.MultiplyAdd(x1, TOps.Load(ref row, 4 * w), t0);
                    t1 = TOps.MultiplyAdd(x1, TOps.Load(ref row, 5 * w), t1);
                    t2 = TOps.MultiplyAdd(x1, TOps.Load(ref row, 6 * w), t2);
                    t3 = TOps.MultiplyAdd(x1, TOps.Load(ref row, 7 * w), t3);
                    row = ref Unsafe.Add(ref row, 2 * panelWidth);
                }

                if (p < count)
                {
                    TVector x0 = TOps.Broadcast(Unsafe.Add(ref x, p));
                    s0 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 0), s0);
                    s1 = TOps.MultiplyAdd(x0, TOps.Load(ref row, w), s1);
                    s2 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 2 * w), s2);
                    s3 = TOps.MultiplyAdd(x0, TOps.Load(ref row, 3 * w), s3);
                }
            }

            if (shape.OddOut)
            {
                TOps.Store(s0, ref y, column);
                TOps.Store(s1, ref y, column + w);
                TOps.Store(s2, ref y, column + (2 * w));
                TOps.Store(s3, ref y, column + (3 * w));
                TOps.Store(t0, ref oddOut, column);
                TOps.Store(t1, ref oddOut, column + w);
                TOps.Store(t2, ref oddOut, column + (2 * w));
                TOps.Store(t3, ref oddOut, column + (3 * w));
                continue;
            }

            TOps.Store(TOps.Add(s0, t0), ref y, column);
            TOps.Store(TOps.Add(s1, t1), ref y, column + w);
            TOps.Store(TOps.Add(s2, t2), ref y, column + (2 * w));
            TOps.Store(TOps.Add(s3, t3), ref y, column + (3 * w));
        }
    }

    /// <summary>
    /// <see cref="MultiplyRows"/>: for each column, blocks of two vectors of rows; per value the even rows of W accumulate
    /// onto the bias and the odd rows onto zero, in row order, and the two are added last, as in <see cref="Multiply"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MultiplyRows<TOps, TVector>(ref float transposed, int stride, int count, ref float y)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        int w = TOps.Count, block = 2 * w, rows = Rows, columns = Columns;
        Span<float> result = stackalloc float[block];
        ref float r = ref MemoryMarshal.GetReference(result);
        for (int column = 0; column < columns; column++)
        {
            // Column `column` of W, row by row: panel (column / PanelWidth), lane (column % PanelWidth).
            ref float weights = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_panels), ((column / PanelWidth) * rows * PanelWidth) + (column % PanelWidth));
            TVector bias = TOps.Broadcast(_bias[column]);
            for (int first = 0; first < count; first += block)
            {
                TVector s0 = bias, s1 = bias, t0 = TOps.Zero, t1 = TOps.Zero;
                ref float x = ref Unsafe.Add(ref transposed, first);
                int k = 0;
                for (; k + 1 < rows; k += 2)
                {
                    TVector w0 = TOps.Broadcast(Unsafe.Add(ref weights, k * PanelWidth));
                    TVector w1 = TOps.Broadcast(Unsafe.Add(ref weights, (k + 1) * PanelWidth));
                    ref float x0 = ref Unsafe.Add(ref x, k * stride);
                    ref float x1 = ref Unsafe.Add(ref x, (k + 1) * stride);
                    s0 = TOps.MultiplyAdd(TOps.Load(ref x0, 0), w0, s0);
                    s1 = TOps.MultiplyAdd(TOps.Load(ref x0, w), w0, s1);
                    t0 = TOps.MultiplyAdd(TOps.Load(ref x1, 0), w1, t0);
                    t1 = TOps.MultiplyAdd(TOps.Load(ref x1, w), w1, t1);
                }

                if (k < rows)
                {
                    TVector w0 = TOps.Broadcast(Unsafe.Add(ref weights, k * PanelWidth));
                    ref float x0 = ref Unsafe.Add(ref x, k * stride);
                    s0 = TOps.MultiplyAdd(TOps.Load(ref x0, 0), w0, s0);
                    s1 = TOps.MultiplyAdd(TOps.Load(ref x0, w), w0, s1);
                }

                TOps.Store(TOps.Add(s0, t0), ref r, 0);
                TOps.Store(TOps.Add(s1, t1), ref r, w);
                int end = Math.Min(block, count - first);
                for (int i = 0; i < end; i++)
                {
                    Unsafe.Add(ref y, ((first + i) * columns) + column) = Unsafe.Add(ref r, i);
                }
            }
        }
    }
}
