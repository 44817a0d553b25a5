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
    public void Multiply(ReadOnlySpan<float> first, ReadOnlySpan<float> second, ReadOnlySpan<float> addend, Span<float> y)
    {
        if (first.Length + second.Length != Rows || addend.Length < PaddedColumns || y.Length < PaddedColumns)
        {
            throw new InvalidOperationException("A packed product was called with the wrong shapes (internal error).");
        }

        ref float f = ref MemoryMarshal.GetReference(first);
        ref float s = ref MemoryMarshal.GetReference(second);
        ref float w = ref MemoryMarshal.GetArrayDataReference(_panels);
        ref float a = ref MemoryMarshal.GetReference(addend);
        ref float o = ref MemoryMarshal.GetReference(y);
        switch (Level)
        {
            case SimdLevel.Vector512:
                Multiply<Vector512Ops, Vector512<float>>(first.Length, ref f, second.Length, ref s, ref w, ref a, ref o);
                break;
            case SimdLevel.Vector256:
                Multiply<Vector256Ops, Vector256<float>>(first.Length, ref f, second.Length, ref s, ref w, ref a, ref o);
                break;
            case SimdLevel.Vector128:
                Multiply<Vector128Ops, Vector128<float>>(first.Length, ref f, second.Length, ref s, ref w, ref a, ref o);
                break;
            default:
                Multiply<ScalarOps, float>(first.Length, ref f, second.Length, ref s, ref w, ref a, ref o);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Multiply<TOps, TVector>(int firstCount, ref float first, int secondCount, ref float second,
        ref float panels, ref float addend, ref float y)
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
            ref float row = ref Unsafe.Add(ref panels, column * Rows);
            for (int segment = 0; segment < 2; segment++)
            {
                ref float x = ref segment == 0 ? ref first : ref second;
                int count = segment == 0 ? firstCount : secondCount;
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
                    row = ref Unsafe.Add(ref row, panelWidth);
                }
            }

            TOps.Store(TOps.Add(s0, t0), ref y, column);
            TOps.Store(TOps.Add(s1, t1), ref y, column + w);
            TOps.Store(TOps.Add(s2, t2), ref y, column + (2 * w));
            TOps.Store(TOps.Add(s3, t3), ref y, column + (3 * w));
        }
    }
}
