using BenchmarkDotNet.Running;

using GruAnomaly.Benchmarks.Comparison;

if (args.Length > 0 && args[0] == "compare")
{
    return ComparisonWorkloads.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
