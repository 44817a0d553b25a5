using GruAnomaly.Numerics;

namespace GruAnomaly.Tests.Numerics;

/// <summary>
/// <see cref="Gemm"/> against a naive double-precision reference, for every transpose combination and every
/// instruction set the machine accelerates.
/// </summary>
/// <remarks>
/// Tolerance: |c − reference| ≤ 1e-5 · (|alpha|·Σₚ|op(a)[i,p]|·|op(b)[p,j]| + |beta|·|c_old[i,j]|), i.e. relative
/// to the magnitude sum, which bounds float32 rounding of any summation order (k·2⁻²⁴ ≈ 3e-5 worst case at
/// k = 512, far less in practice) and does not blow up when the result itself cancels to near zero.
/// </remarks>
public sealed class GemmTests
{
    private const double Tolerance = 1e-5;

    /// <summary>Padding values: NaN in a and b (must never be read), a finite sentinel in c (must never be written).</summary>
    private const float CSentinel = 777f;

    private const int Guard = 16;

    private static readonly string[] Levels = ["Scalar", "Vector128", "Vector256", "Vector512"];

    private static readonly MatrixTranspose[] Transposes = [MatrixTranspose.None, MatrixTranspose.Transpose];

    /// <summary>
    /// (m, n, k): tiny, primes, widths that are not multiples of any vector width (ragged panels), widths that end
    /// on a full 1- or 2-vector panel (40, 56), GRU shapes, m = 1 and n = 1 (the vector paths), and sizes past
    /// the k (256) and n (240) blocks.
    /// </summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1),
        (2, 3, 1),
        (7, 13, 5),
        (31, 37, 41),
        (3, 97, 17),
        (5, 1, 33),
        (17, 70, 19),
        (6, 40, 3),
        (12, 56, 10),
        (32, 192, 64),
        (1, 192, 64),
        (1, 29, 300),
        (3200, 192, 8),
        (9, 500, 300),
    ];

    /// <summary>(alpha, beta, whether the old c is NaN): overwrite, accumulate, and a general blend.</summary>
    private static readonly (float Alpha, float Beta, bool NaNc)[] Scalings =
    [
        (1f, 0f, true),
        (-0.75f, 1f, false),
        (1.5f, 0.5f, false),
    ];

    public static TheoryData<string, int, int, int, MatrixTranspose, MatrixTranspose> Cases
    {
        get
        {
            var data = new TheoryData<string, int, int, int, MatrixTranspose, MatrixTranspose>();
            foreach (string level in Levels)
            {
                foreach ((int m, int n, int k) in Shapes)
                {
                    foreach (MatrixTranspose ta in Transposes)
                    {
                        foreach (MatrixTranspose tb in Transposes)
                        {
                            data.Add(level, m, n, k, ta, tb);
                        }
                    }
                }
            }

            return data;
        }
    }

    public static TheoryData<string, MatrixTranspose, MatrixTranspose> EmulatedCases
    {
        get
        {
            var data = new TheoryData<string, MatrixTranspose, MatrixTranspose>();
            foreach (string level in Levels)
            {
                foreach (MatrixTranspose ta in Transposes)
                {
                    foreach (MatrixTranspose tb in Transposes)
                    {
                        data.Add(level, ta, tb);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Multiply_MatchesDoubleReference(string level, int m, int n, int k, MatrixTranspose transposeA, MatrixTranspose transposeB)
    {
        SimdLevel simd = Enum.Parse<SimdLevel>(level);
        Assert.SkipUnless(SimdLevels.IsAccelerated(simd), $"{level} is not accelerated on this machine (best: {SimdLevels.Best}).");

        foreach (bool padded in new[] { false, true })
        {
            foreach ((float alpha, float beta, bool nanC) in Scalings)
            {
                var problem = Problem.Create(seed: HashCode.Combine(m, n, k, transposeA, transposeB, padded), m, n, k, transposeA, transposeB, padded, nanC);
                problem.Run(alpha, beta, (ta, tb, mm, nn, kk, al, a, lda, b, ldb, be, c, ldc) =>
                    Gemm.Multiply(simd, ta, tb, mm, nn, kk, al, a, lda, b, ldb, be, c, ldc));
                problem.AssertMatchesReference(alpha, beta, $"{level} {transposeA}/{transposeB} m={m} n={n} k={k} padded={padded} alpha={alpha} beta={beta}");
            }
        }
    }

    /// <summary>
    /// Levels the hardware lacks still run (the runtime emulates their vectors, slowly), so on small shapes even a
    /// machine without AVX-512 checks the 512-bit code paths: edge tiles, every panel width, both gemv forms.
    /// </summary>
    [Theory]
    [MemberData(nameof(EmulatedCases))]
    public void MultiplyExact_AnyLevel_MatchesDoubleReference(string level, MatrixTranspose transposeA, MatrixTranspose transposeB)
    {
        SimdLevel simd = Enum.Parse<SimdLevel>(level);
        // For 16 lanes (panels of 48): ragged 1-, 2- and 3-vector panels, full 1- and 2-vector panels (n = 64, 80),
        // every column strip of the m = 1 path (n = 150), a packed row-major b (m ≥ 17) and both cache blocks (n > 480, k > 256).
        (int M, int N, int K)[] shapes =
        [
            (1, 1, 1), (7, 13, 5), (1, 53, 9), (1, 150, 9), (6, 1, 21), (9, 113, 7), (5, 70, 3), (4, 96, 2),
            (4, 80, 5), (8, 64, 6), (20, 100, 9), (5, 500, 260),
        ];
        foreach ((int m, int n, int k) in shapes)
        {
            foreach ((float alpha, float beta, bool nanC) in Scalings)
            {
                var problem = Problem.Create(seed: HashCode.Combine(m, n, k, 7), m, n, k, transposeA, transposeB, padded: true, nanC);
                problem.Run(alpha, beta, (ta, tb, mm, nn, kk, al, a, lda, b, ldb, be, c, ldc) =>
                    Gemm.MultiplyExact(simd, ta, tb, mm, nn, kk, al, a, lda, b, ldb, be, c, ldc));
                problem.AssertMatchesReference(alpha, beta, $"exact {level} {transposeA}/{transposeB} m={m} n={n} k={k} alpha={alpha} beta={beta}");
            }
        }
    }

    [Fact]
    public void Multiply_PublicEntry_MatchesBestLevelBitForBit()
    {
        var viaPublic = Problem.Create(seed: 11, 31, 37, 41, MatrixTranspose.None, MatrixTranspose.Transpose, padded: true, nanC: false);
        var viaInternal = Problem.Create(seed: 11, 31, 37, 41, MatrixTranspose.None, MatrixTranspose.Transpose, padded: true, nanC: false);
        viaPublic.Run(0.5f, 0.25f, Gemm.Multiply);
        viaInternal.Run(0.5f, 0.25f, (ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc) =>
            Gemm.Multiply(SimdLevel.Vector512, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc));
        Assert.Equal(viaInternal.C, viaPublic.C);
    }

    [Theory]
    [InlineData(0f, true)]
    [InlineData(1f, false)]
    [InlineData(0.5f, false)]
    public void Multiply_KIsZero_ScalesC(float beta, bool nanC)
    {
        float[] c = [1f, 2f, 3f, CSentinel, 4f, 5f, 6f, CSentinel];
        float[] expected = [beta * 1f, beta * 2f, beta * 3f, CSentinel, beta * 4f, beta * 5f, beta * 6f, CSentinel];
        if (nanC)
        {
            c = [float.NaN, float.NaN, float.NaN, CSentinel, float.NaN, float.NaN, float.NaN, CSentinel];
        }

        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, 2, 3, 0, 1f, [], 1, [], 3, beta, c, 4);

        Assert.Equal(expected, c);
    }

    [Fact]
    public void Multiply_AlphaIsZero_ScalesCWithoutReadingOperands()
    {
        float[] a = [float.NaN, float.NaN, float.NaN, float.NaN];
        float[] b = [float.NaN, float.NaN, float.NaN, float.NaN];
        float[] c = [2f, 4f, 6f, 8f];

        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, 2, 2, 2, 0f, a, 2, b, 2, 0.5f, c, 2);

        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, c);
    }

    [Theory]
    [InlineData(0, 5, 3)]
    [InlineData(5, 0, 3)]
    [InlineData(0, 0, 0)]
    public void Multiply_EmptyResult_LeavesCUntouched(int m, int n, int k)
    {
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = [CSentinel, CSentinel];

        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, m, n, k, 1f, a, Math.Max(1, k), b, Math.Max(1, n), 0f, c, Math.Max(1, n));

        Assert.Equal(new[] { CSentinel, CSentinel }, c);
    }

    [Fact]
    public void Multiply_SameInputs_GivesIdenticalResults()
    {
        var first = Problem.Create(seed: 5, 33, 100, 257, MatrixTranspose.Transpose, MatrixTranspose.None, padded: false, nanC: false);
        var second = Problem.Create(seed: 5, 33, 100, 257, MatrixTranspose.Transpose, MatrixTranspose.None, padded: false, nanC: false);
        first.Run(1f, 1f, Gemm.Multiply);
        second.Run(1f, 1f, Gemm.Multiply);
        Assert.Equal(first.C, second.C);
    }

    [Theory]
    [InlineData(-1, 2, 2, "m")]
    [InlineData(2, -1, 2, "n")]
    [InlineData(2, 2, -1, "k")]
    public void Multiply_NegativeSize_Throws(int m, int n, int k, string parameter)
    {
        float[] buffer = new float[16];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, m, n, k, 1f, buffer, 2, buffer, 2, 0f, buffer, 2));
        Assert.Equal(parameter, ex.ParamName);
    }

    [Theory]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 4, 5, 5, "lda", "at least 5")]
    [InlineData(MatrixTranspose.Transpose, MatrixTranspose.None, 2, 5, 5, "lda", "at least 3")]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 5, 6, 5, "ldb", "at least 7")]
    [InlineData(MatrixTranspose.None, MatrixTranspose.Transpose, 5, 4, 5, "ldb", "at least 5")]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 5, 7, 6, "ldc", "at least 7")]
    public void Multiply_LeadingDimensionTooSmall_Throws(
        MatrixTranspose transposeA, MatrixTranspose transposeB, int lda, int ldb, int ldc, string parameter, string message)
    {
        // op(a) is 3×5, op(b) is 5×7, c is 3×7.
        float[] buffer = new float[64];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(transposeA, transposeB, 3, 7, 5, 1f, buffer, lda, buffer, ldb, 0f, new float[64], ldc));
        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multiply_ZeroLeadingDimensionForEmptyMatrix_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, 0, 0, 0, 1f, [], 0, [], 1, 0f, [], 1));
        Assert.Equal("lda", ex.ParamName);
    }

    [Theory]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 14, 35, 21, "a", "at least 15")]
    [InlineData(MatrixTranspose.Transpose, MatrixTranspose.None, 14, 35, 21, "a", "at least 15")]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 15, 34, 21, "b", "at least 35")]
    [InlineData(MatrixTranspose.None, MatrixTranspose.Transpose, 15, 34, 21, "b", "at least 35")]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 15, 35, 20, "c", "at least 21")]
    public void Multiply_SpanTooShort_Throws(
        MatrixTranspose transposeA, MatrixTranspose transposeB, int aLength, int bLength, int cLength, string parameter, string message)
    {
        // op(a) is 3×5, op(b) is 5×7, c is 3×7, all tightly packed: a needs 15, b 35, c 21 elements.
        int lda = transposeA == MatrixTranspose.None ? 5 : 3;
        int ldb = transposeB == MatrixTranspose.None ? 7 : 5;
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(transposeA, transposeB, 3, 7, 5, 1f, new float[aLength], lda, new float[bLength], ldb, 0f, new float[cLength], 7));
        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multiply_SubMatrixSpanTooShort_CountsLeadingDimension()
    {
        // 3×5 a with lda 8 needs 2·8 + 5 = 21 elements, not 15.
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, 3, 7, 5, 1f, new float[20], 8, new float[35], 7, 0f, new float[21], 7));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("at least 21", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multiply_UndefinedTranspose_Throws()
    {
        float[] buffer = new float[16];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply((MatrixTranspose)2, MatrixTranspose.None, 2, 2, 2, 1f, buffer, 2, buffer, 2, 0f, buffer, 2));
        Assert.Equal("transposeA", ex.ParamName);
    }

    internal delegate void GemmCall(
        MatrixTranspose transposeA, MatrixTranspose transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);

    /// <summary>
    /// One GEMM problem with its operands embedded in larger arrays: NaN guards before and after each operand and
    /// in the padding of a and b (a kernel that reads outside op(a) or op(b) poisons its result), a finite
    /// sentinel around and inside the padding of c (a kernel that writes outside c is caught).
    /// </summary>
    internal sealed class Problem
    {
        private readonly float[] _a;
        private readonly float[] _b;
        private readonly float[] _cOld;

        private Problem(
            MatrixTranspose ta, MatrixTranspose tb, int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc)
        {
            TransposeA = ta;
            TransposeB = tb;
            M = m;
            N = n;
            K = k;
            _a = a;
            Lda = lda;
            _b = b;
            Ldb = ldb;
            C = c;
            _cOld = (float[])c.Clone();
            Ldc = ldc;
        }

        public MatrixTranspose TransposeA { get; }

        public MatrixTranspose TransposeB { get; }

        public int M { get; }

        public int N { get; }

        public int K { get; }

        public int Lda { get; }

        public int Ldb { get; }

        public int Ldc { get; }

        public float[] C { get; }

        public static Problem Create(int seed, int m, int n, int k, MatrixTranspose ta, MatrixTranspose tb, bool padded, bool nanC)
        {
            var random = new Random(seed);
            (int aRows, int aCols) = ta == MatrixTranspose.None ? (m, k) : (k, m);
            (int bRows, int bCols) = tb == MatrixTranspose.None ? (k, n) : (n, k);
            int lda = Math.Max(1, aCols + (padded ? 3 : 0));
            int ldb = Math.Max(1, bCols + (padded ? 5 : 0));
            int ldc = Math.Max(1, n + (padded ? 7 : 0));
            float[] a = Fill(aRows, aCols, lda, float.NaN, () => Uniform(random));
            float[] b = Fill(bRows, bCols, ldb, float.NaN, () => Uniform(random));
            float[] c = Fill(m, n, ldc, CSentinel, nanC ? () => float.NaN : () => Uniform(random));
            return new Problem(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
        }

        public void Run(float alpha, float beta, GemmCall gemm)
        {
            gemm(
                TransposeA, TransposeB, M, N, K, alpha,
                Operand(_a, TransposeA == MatrixTranspose.None ? M : K, TransposeA == MatrixTranspose.None ? K : M, Lda), Lda,
                Operand(_b, TransposeB == MatrixTranspose.None ? K : N, TransposeB == MatrixTranspose.None ? N : K, Ldb), Ldb,
                beta,
                C.AsSpan(Guard, Required(M, N, Ldc)), Ldc);
        }

        public void AssertMatchesReference(float alpha, float beta, string label)
        {
            for (int index = 0; index < C.Length; index++)
            {
                int offset = index - Guard;
                int i = offset >= 0 ? offset / Ldc : -1;
                int j = offset >= 0 ? offset % Ldc : -1;
                if (i < 0 || i >= M || j >= N)
                {
                    if (C[index].CompareTo(_cOld[index]) != 0)
                    {
                        Assert.Fail($"{label}: wrote outside c at array index {index} ({C[index]} instead of {_cOld[index]}).");
                    }

                    continue;
                }

                double sum = 0, magnitude = 0;
                for (int p = 0; p < K; p++)
                {
                    double product = (double)ElementA(i, p) * ElementB(p, j);
                    sum += product;
                    magnitude += Math.Abs(product);
                }

                double old = _cOld[index];
                double expected = alpha * sum;
                double bound = Math.Abs(alpha) * magnitude;
                if (beta != 0f)
                {
                    expected += beta * old;
                    bound += Math.Abs(beta * old);
                }

                double actual = C[index];
                if (!(Math.Abs(actual - expected) <= Tolerance * bound))
                {
                    Assert.Fail($"{label}: c[{i},{j}] = {actual:R}, expected {expected:R} (error {Math.Abs(actual - expected):E3} > {Tolerance} × {bound:E3}).");
                }
            }
        }

        private float ElementA(int i, int p) =>
            TransposeA == MatrixTranspose.None ? _a[Guard + (i * Lda) + p] : _a[Guard + (p * Lda) + i];

        private float ElementB(int p, int j) =>
            TransposeB == MatrixTranspose.None ? _b[Guard + (p * Ldb) + j] : _b[Guard + (j * Ldb) + p];

        private static ReadOnlySpan<float> Operand(float[] storage, int rows, int cols, int ld) =>
            storage.AsSpan(Guard, Required(rows, cols, ld));

        private static int Required(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : ((rows - 1) * ld) + cols;

        private static float[] Fill(int rows, int cols, int ld, float padding, Func<float> value)
        {
            float[] storage = new float[Guard + (rows * ld) + Guard];
            Array.Fill(storage, padding);
            for (int r = 0; r < rows; r++)
            {
                for (int col = 0; col < cols; col++)
                {
                    storage[Guard + (r * ld) + col] = value();
                }
            }

            return storage;
        }

        private static float Uniform(Random random) => (float)((random.NextDouble() * 2) - 1);
    }
}

[Collection(typeof(AllocationMeasurementCollection))]
public class GemmAllocationTests
{
    [Theory]
    [InlineData(32, 192, 64, MatrixTranspose.None, MatrixTranspose.None)]
    [InlineData(32, 192, 64, MatrixTranspose.None, MatrixTranspose.Transpose)]
    [InlineData(64, 192, 32, MatrixTranspose.Transpose, MatrixTranspose.None)]
    [InlineData(9, 500, 300, MatrixTranspose.Transpose, MatrixTranspose.Transpose)]
    [InlineData(1, 192, 64, MatrixTranspose.None, MatrixTranspose.None)]
    [InlineData(1, 192, 64, MatrixTranspose.Transpose, MatrixTranspose.Transpose)]
    [InlineData(40, 1, 64, MatrixTranspose.Transpose, MatrixTranspose.None)]
    public void Multiply_AfterWarmUp_DoesNotAllocate(int m, int n, int k, MatrixTranspose transposeA, MatrixTranspose transposeB)
    {
        var problem = GemmTests.Problem.Create(seed: 3, m, n, k, transposeA, transposeB, padded: true, nanC: false);
        for (int i = 0; i < 3; i++)
        {
            problem.Run(1f, 0f, Gemm.Multiply);
        }

        long allocated = Allocations.On(() => problem.Run(1f, 0f, Gemm.Multiply));

        Assert.Equal(0, allocated);
    }
}
