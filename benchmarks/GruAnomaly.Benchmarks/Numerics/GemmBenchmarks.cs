using System.Globalization;
using System.Numerics.Tensors;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

using GruAnomaly.Numerics;

namespace GruAnomaly.Benchmarks.Numerics;

/// <summary>
/// <see cref="Gemm.Multiply"/> for each transpose combination against a row-axpy loop over TensorPrimitives, on
/// the GRU's shapes (m×k×n): batch 32 with hidden 64/128 (n = 3·hidden), 100 time steps × batch 32, one streaming
/// row, and 512³ for comparison with published numbers.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GemmBenchmarkConfig))]
public class GemmBenchmarks
{
    private GemmOperands _operands = null!;

    [Params("32x64x192", "32x128x384", "3200x64x192", "1x64x192", "512x512x512")]
    public string Shape { get; set; } = "32x64x192";

    [GlobalSetup]
    public void Setup() => _operands = new GemmOperands(Shape);

    /// <summary>What the library did before its own kernel: C[i, ·] = Σₚ A[i, p]·B[p, ·], one MultiplyAdd per row of B.</summary>
    [Benchmark(Baseline = true)]
    public void RowAxpy()
    {
        GemmOperands o = _operands;
        for (int i = 0; i < o.M; i++)
        {
            Span<float> row = o.C.AsSpan(i * o.N, o.N);
            row.Clear();
            for (int p = 0; p < o.K; p++)
            {
                TensorPrimitives.MultiplyAdd(o.B.AsSpan(p * o.N, o.N), o.A[(i * o.K) + p], row, row);
            }
        }
    }

    [Benchmark]
    public void GemmNN()
    {
        GemmOperands o = _operands;
        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, o.M, o.N, o.K, 1f, o.A, o.K, o.B, o.N, 0f, o.C, o.N);
    }

    [Benchmark]
    public void GemmNT()
    {
        GemmOperands o = _operands;
        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, o.M, o.N, o.K, 1f, o.A, o.K, o.BTransposed, o.K, 0f, o.C, o.N);
    }

    [Benchmark]
    public void GemmTN()
    {
        GemmOperands o = _operands;
        Gemm.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, o.M, o.N, o.K, 1f, o.ATransposed, o.M, o.B, o.N, 0f, o.C, o.N);
    }

    [Benchmark]
    public void GemmTT()
    {
        GemmOperands o = _operands;
        Gemm.Multiply(MatrixTranspose.Transpose, MatrixTranspose.Transpose, o.M, o.N, o.K, 1f, o.ATransposed, o.M, o.BTransposed, o.K, 0f, o.C, o.N);
    }
}

/// <summary>The NN product at each instruction set the machine accelerates (run with DOTNET_EnableAVX512=0 etc. to compare further; .NET 10 ignores the older DOTNET_EnableAVX512F).</summary>
[MemoryDiagnoser]
[Config(typeof(GemmBenchmarkConfig))]
public class GemmSimdLevelBenchmarks
{
    private GemmOperands _operands = null!;

    [Params("32x64x192", "32x128x384", "3200x64x192", "1x64x192", "512x512x512")]
    public string Shape { get; set; } = "32x64x192";

    [ParamsSource(nameof(AcceleratedLevels))]
    public GemmSimdLevel Level { get; set; }

    public static IEnumerable<GemmSimdLevel> AcceleratedLevels =>
        Enum.GetValues<GemmSimdLevel>().Where(level => SimdLevels.IsAccelerated((SimdLevel)level));

    [GlobalSetup]
    public void Setup() => _operands = new GemmOperands(Shape);

    [Benchmark]
    public void GemmNN()
    {
        GemmOperands o = _operands;
        Gemm.Multiply((SimdLevel)Level, MatrixTranspose.None, MatrixTranspose.None, o.M, o.N, o.K, 1f, o.A, o.K, o.B, o.N, 0f, o.C, o.N);
    }
}

/// <summary>Public mirror of the library's internal SimdLevel, which generated benchmark code cannot name.</summary>
public enum GemmSimdLevel
{
    Scalar = SimdLevel.Scalar,
    Vector128 = SimdLevel.Vector128,
    Vector256 = SimdLevel.Vector256,
    Vector512 = SimdLevel.Vector512,
}

/// <summary>Adds a GFLOP/s column (2·m·n·k per operation) so results compare directly with other BLAS numbers.</summary>
public sealed class GemmBenchmarkConfig : ManualConfig
{
    public GemmBenchmarkConfig()
    {
        AddColumn(new GflopsColumn());
    }

    private sealed class GflopsColumn : IColumn
    {
        public string Id => nameof(GflopsColumn);

        public string ColumnName => "GFLOP/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "2·m·n·k floating-point operations per mean time";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            if (meanNanoseconds is not > 0 || benchmarkCase.Parameters["Shape"] is not string shape)
            {
                return "-";
            }

            var (m, k, n) = GemmOperands.Parse(shape);
            return (2.0 * m * n * k / meanNanoseconds.Value).ToString("F1", CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}

/// <summary>Seeded operands for an "m×k×n" shape, stored both ways so every transpose reads the same values.</summary>
internal sealed class GemmOperands
{
    public GemmOperands(string shape)
    {
        (M, K, N) = Parse(shape);
        var random = new Random(42);
        A = new float[M * K];
        B = new float[K * N];
        C = new float[M * N];
        ATransposed = new float[K * M];
        BTransposed = new float[N * K];
        for (int i = 0; i < M; i++)
        {
            for (int p = 0; p < K; p++)
            {
                A[(i * K) + p] = ATransposed[(p * M) + i] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        for (int p = 0; p < K; p++)
        {
            for (int j = 0; j < N; j++)
            {
                B[(p * N) + j] = BTransposed[(j * K) + p] = (float)((random.NextDouble() * 2) - 1);
            }
        }
    }

    public int M { get; }

    public int K { get; }

    public int N { get; }

    public float[] A { get; }

    public float[] ATransposed { get; }

    public float[] B { get; }

    public float[] BTransposed { get; }

    public float[] C { get; }

    public static (int M, int K, int N) Parse(string shape)
    {
        string[] parts = shape.Split('x');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}
