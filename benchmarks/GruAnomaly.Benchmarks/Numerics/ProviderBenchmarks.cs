using BenchmarkDotNet.Attributes;

using GruAnomaly.Numerics;

namespace GruAnomaly.Benchmarks.Numerics;

/// <summary>
/// The same product, <c>C = A·B</c>, through each <see cref="IMatrixProvider"/>: the built-in SIMD kernel (baseline),
/// MathNet's managed provider, and a system BLAS through <see cref="NativeBlasMatrixProvider"/>. Shapes are m×k×n (as
/// in <see cref="GemmBenchmarks"/>) for batch 32 with hidden 64, 256 and 512 (n = 3·hidden), 100 steps × batch 32 at
/// hidden 64, and one streaming row.
/// </summary>
/// <remarks>
/// OpenBLAS 0.3.21 picks a generic SSE3 kernel on CPUs it does not know; run with <c>OPENBLAS_CORETYPE</c> set to the
/// machine's core (for example <c>Haswell</c> for AVX2, <c>SkylakeX</c> for AVX-512) and <c>OPENBLAS_NUM_THREADS=1</c>
/// to compare one core with one core.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(GemmBenchmarkConfig))]
public class ProviderBenchmarks
{
    private GemmOperands _operands = null!;
    private MathNetMatrixProvider _mathNet = null!;
    private NativeBlasMatrixProvider? _native;

    [Params("32x64x192", "32x256x768", "32x512x1536", "3200x64x192", "1x64x192")]
    public string Shape { get; set; } = "32x64x192";

    [GlobalSetup]
    public void Setup()
    {
        _operands = new GemmOperands(Shape);
        _mathNet = MatrixProviders.MathNet();
        NativeBlasMatrixProvider.TryCreate(out _native);
        Console.WriteLine($"// Providers: {ManagedMatrixProvider.Instance.Name}; {_mathNet.Name}; {_native?.Name ?? "no native BLAS"}");
    }

    [Benchmark(Baseline = true)]
    public void ManagedSimd() => Multiply(ManagedMatrixProvider.Instance);

    [Benchmark]
    public void MathNetManaged() => Multiply(_mathNet);

    [Benchmark]
    public void NativeBlas() =>
        Multiply(_native ?? throw new InvalidOperationException("No BLAS exporting cblas_sgemm loads on this machine (install libopenblas0)."));

    private void Multiply(IMatrixProvider provider)
    {
        GemmOperands o = _operands;
        provider.Multiply(MatrixTranspose.None, MatrixTranspose.None, o.M, o.N, o.K, 1f, o.A, o.K, o.B, o.N, 0f, o.C, o.N);
    }
}
