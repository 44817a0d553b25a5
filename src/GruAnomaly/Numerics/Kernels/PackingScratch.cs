using System.Runtime.CompilerServices;

namespace GruAnomaly.Numerics.Kernels;

/// <summary>
/// Each thread's scratch buffer for the GEMM's packed panels and gathered vectors. <c>ArrayPool.Shared</c> would do the
/// same job, but it lends buffers across threads and trims them at gen-2 collections, so a warm product would now and
/// then allocate; a thread's own buffer stays. It carries nothing from one call to the next (every user writes what it
/// reads), and a nested use on the same thread gets a fresh array instead of sharing.
/// </summary>
internal static class PackingScratch
{
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
            buffer = new float[Math.Max(length, (buffer?.Length ?? 0) * 2)];
            t_buffer = buffer;
        }

        t_inUse = true;
        return buffer;
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
