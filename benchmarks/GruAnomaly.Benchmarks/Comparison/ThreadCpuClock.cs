using System.Runtime.InteropServices;

namespace GruAnomaly.Benchmarks.Comparison;

/// <summary>
/// CPU time of the calling thread in nanoseconds (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>, Linux). On a shared
/// host another process time-slices the pinned core, and wall time then measures the neighbour as much as the code; the
/// thread's own CPU time does not count the slices it was not running. (<c>/proc/thread-self/schedstat</c> is no
/// substitute: it is only brought up to date at scheduler ticks, so it moves in steps of milliseconds.)
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    public static long Nanoseconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out TimeSpec time) != 0)
        {
            throw new InvalidOperationException($"clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
