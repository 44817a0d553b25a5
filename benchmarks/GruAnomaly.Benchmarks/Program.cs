using BenchmarkDotNet.Running;

using GruAnomaly.Benchmarks.Comparison;
using GruAnomaly.Benchmarks.FirstCall;

if (args.Length > 0 && args[0] == "compare")
{
    return ComparisonWorkloads.Run(args[1..]);
}

// One workload's first call in a fresh process, for benchmarks/firstcall.sh (pinned against unpinned).
if (args.Length > 0 && args[0] == "firstcall")
{
    return FirstCallWorkloads.Run(args[1..]);
}

// --no-avx512 runs the benchmarks in a child process with DOTNET_EnableAVX512=0, so the JIT reports
// Vector512.IsHardwareAccelerated = false and every kernel takes its 256-bit path (on a host without AVX-512 this
// changes nothing). It is shorthand for BenchmarkDotNet's own `--envVars DOTNET_EnableAVX512:0`; to compare both in
// one report, run once with and once without it. (.NET 10 reads DOTNET_EnableAVX512; with the older DOTNET_EnableAVX512F=0
// Vector512 stayed accelerated on an AVX-512 host, so the flag silently measured the 512-bit path.) Example:
//   dotnet run -c Release --project benchmarks/GruAnomaly.Benchmarks -- --job short --filter '*Streaming*' --no-avx512
if (args.Contains("--no-avx512"))
{
    args = [.. args.Where(arg => arg != "--no-avx512"), "--envVars", "DOTNET_EnableAVX512:0"];
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
