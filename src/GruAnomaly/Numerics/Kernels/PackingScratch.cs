using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// Each thread's scratch buffer for the GEMM's packed panels and gathered vectors. <c>ArrayPool.Shared</c> would do the
/// same job, but it lends buffers across threads and trims them at gen-2 collections, so a warm product would now and
/// then allocate; a thread's own buffer stays. It carries nothing from one call to the next (every user writes what it
/// reads), and a nested use on the same thread gets a fresh array instead of sharing.
/// </summary>
/// <remarks>
/// The thread's buffer lives on the pinned-object heap, so <see cref="AlignedStart"/> finds the same cache-line
/// boundary on every call: a 512-bit load of a packed panel that straddles two lines costs two loads. A nested
/// (fresh, movable) array is merely aligned when the product starts; if the collector moves it, the product stays
/// correct, only slower.
/// </remarks>
internal static class PackingScratch
{
    /// <summary>Floats a caller adds to its length so that <see cref="AlignedStart"/> leaves enough room.</summary>
    public const int AlignmentSlack = (CacheLineBytes / sizeof(float)) - 1;

    private const int CacheLineBytes = 64;

    [ThreadStatic]
    private static float[]? t_buffer;

    [ThreadStatic]
    private static bool t_inUse;

    /// <summary>Lends this thread's buffer, grown to at least <paramref name="length"/>; give it back with <see cref="Return"/>.</summary>
    // Once per product (one per step of a layer): optimized from the first call, see GemmDriver.Multiply.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Rent(int length)
    {
        if (t_inUse)
        {
            return new float[length];
        }

        float[]? buffer = t_buffer;
        if (buffer is null || buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(length, (buffer?.Length ?? 0) * 2), pinned: true);
            t_buffer = buffer;
        }

        t_inUse = true;
        return buffer;
    }

    /// <summary>The first element of <paramref name="buffer"/> on a cache-line boundary (at most <see cref="AlignmentSlack"/> in).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe ref float AlignedStart(float[] buffer)
    {
        ref float start = ref MemoryMarshal.GetArrayDataReference(buffer);
        nuint misalignment = (nuint)Unsafe.AsPointer(ref start) & (CacheLineBytes - 1);
        nint skip = misalignment == 0 ? 0 : (nint)((CacheLineBytes - misalignment) / sizeof(float));
        return ref Unsafe.Add(ref start, skip);
    }

    /// <summary>Takes back a buffer from <see cref="Rent"/>.</summary>
    public static void Return(float[] buffer)
    {
        if (ReferenceEquals(buffer, t_buffer))
        {
            t_inUse = false;
        }
    }
}
