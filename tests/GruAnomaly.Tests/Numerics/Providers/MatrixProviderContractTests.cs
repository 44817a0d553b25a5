using GruAnomaly.Numerics;

namespace GruAnomaly.Tests.Numerics.Providers;

/// <summary>
/// The contract every <see cref="IMatrixProvider"/> must meet, run once per provider by the subclasses: results
/// against a double-precision reference (bound in <see cref="ProviderProblem.AssertMatchesReference"/>), BLAS edge
/// cases, and argument checks identical to <see cref="Gemm"/>'s.
/// </summary>
public abstract class MatrixProviderContractTests
{
    private static readonly MatrixTranspose[] Transposes = [MatrixTranspose.None, MatrixTranspose.Transpose];

    /// <summary>(alpha, beta, whether the old c is NaN): overwrite (NaN must not survive), accumulate, a general blend.</summary>
    private static readonly (float Alpha, float Beta, bool NaNc)[] Scalings =
    [
        (1f, 0f, true),
        (-0.75f, 1f, false),
        (1.5f, 0.5f, false),
    ];

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 },
        { 7, 13, 5 },
        { 33, 65, 17 },
        { 1, 192, 64 },
        { 32, 192, 64 },
        { 3, 2, 300 },
    };

    /// <summary>Creates the provider under test, or returns null (and says why) when this machine cannot provide it.</summary>
    protected abstract IMatrixProvider? CreateProvider(out string unavailableReason);

    protected IMatrixProvider Provider()
    {
        IMatrixProvider? provider = CreateProvider(out string reason);
        Assert.SkipWhen(provider is null, reason);
        return provider!;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_AllTransposesPaddingsAndOffsets_MatchDoubleReference(int m, int n, int k)
    {
        IMatrixProvider provider = Provider();
        foreach (MatrixTranspose ta in Transposes)
        {
            foreach (MatrixTranspose tb in Transposes)
            {
                foreach ((int padding, int offset) in new[] { (0, 0), (3, 0), (0, 11), (2, 5) })
                {
                    foreach ((float alpha, float beta, bool nanC) in Scalings)
                    {
                        var problem = ProviderProblem.Create(HashCode.Combine(m, n, k, ta, tb, padding, offset), m, n, k, ta, tb, padding, offset, nanC);
                        problem.Run(provider, alpha, beta);
                        problem.AssertMatchesReference(alpha, beta,
                            $"{provider.Name} {ta}/{tb} m={m} n={n} k={k} padding={padding} offset={offset} alpha={alpha} beta={beta}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(0f, true)]
    [InlineData(1f, false)]
    [InlineData(0.5f, false)]
    public void Multiply_KIsZero_ScalesC(float beta, bool nanC)
    {
        IMatrixProvider provider = Provider();
        const float s = ProviderProblem.CSentinel;
        float[] c = nanC ? [float.NaN, float.NaN, float.NaN, s, float.NaN, float.NaN, float.NaN, s] : [1f, 2f, 3f, s, 4f, 5f, 6f, s];
        float[] expected = nanC ? [0f, 0f, 0f, s, 0f, 0f, 0f, s] : [beta * 1f, beta * 2f, beta * 3f, s, beta * 4f, beta * 5f, beta * 6f, s];

        provider.Multiply(MatrixTranspose.None, MatrixTranspose.None, 2, 3, 0, 1f, [], 1, [], 3, beta, c, 4);

        Assert.Equal(expected, c);
    }

    [Fact]
    public void Multiply_AlphaIsZero_ScalesCWithoutReadingOperands()
    {
        IMatrixProvider provider = Provider();
        float[] nan = [float.NaN, float.NaN, float.NaN, float.NaN];
        float[] c = [2f, 4f, 6f, 8f];

        provider.Multiply(MatrixTranspose.None, MatrixTranspose.None, 2, 2, 2, 0f, nan, 2, nan, 2, 0.5f, c, 2);

        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, c);
    }

    [Theory]
    [InlineData(0, 5, 3)]
    [InlineData(5, 0, 3)]
    [InlineData(0, 0, 0)]
    public void Multiply_EmptyResult_LeavesCUntouched(int m, int n, int k)
    {
        IMatrixProvider provider = Provider();
        float[] c = [ProviderProblem.CSentinel, ProviderProblem.CSentinel];

        provider.Multiply(MatrixTranspose.None, MatrixTranspose.None, m, n, k, 1f, new float[m * k], Math.Max(1, k),
            new float[k * n], Math.Max(1, n), 0f, c, Math.Max(1, n));

        Assert.Equal(new[] { ProviderProblem.CSentinel, ProviderProblem.CSentinel }, c);
    }

    /// <summary>A hand-worked product: [[1, 2, 3], [4, 5, 6]]·[[1, 0], [0, 1], [1, 1]] = [[4, 5], [10, 11]].</summary>
    [Fact]
    public void Multiply_SmallExample_GivesHandWorkedResult()
    {
        IMatrixProvider provider = Provider();
        float[] a = [1, 2, 3, 4, 5, 6];
        float[] b = [1, 0, 0, 1, 1, 1];
        float[] c = new float[4];

        provider.Multiply(MatrixTranspose.None, MatrixTranspose.None, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2);

        Assert.Equal(new float[] { 4, 5, 10, 11 }, c);
    }

    [Fact]
    public void Multiply_ConcurrentCallers_GetTheSameResultsAsOneCaller()
    {
        IMatrixProvider provider = Provider();
        const int Problems = 16;
        var sequential = new ProviderProblem[Problems];
        var concurrent = new ProviderProblem[Problems];
        for (int i = 0; i < Problems; i++)
        {
            // Two shapes that share lengths, so that pooled buffers of equal size are in use at the same time.
            (int m, int n, int k) = i % 2 == 0 ? (12, 20, 9) : (20, 12, 9);
            sequential[i] = ProviderProblem.Create(i, m, n, k, MatrixTranspose.None, MatrixTranspose.Transpose, 1, 3, nanC: false);
            concurrent[i] = ProviderProblem.Create(i, m, n, k, MatrixTranspose.None, MatrixTranspose.Transpose, 1, 3, nanC: false);
            sequential[i].Run(provider, 1f, 0.5f);
        }

        Parallel.For(0, Problems, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i].Run(provider, 1f, 0.5f));

        for (int i = 0; i < Problems; i++)
        {
            Assert.Equal(sequential[i].C, concurrent[i].C);
        }
    }

    [Fact]
    public void Name_IsNotEmpty() => Assert.False(string.IsNullOrWhiteSpace(Provider().Name));

    [Theory]
    [InlineData(-1, 2, 2)]
    [InlineData(2, -1, 2)]
    [InlineData(2, 2, -1)]
    public void Multiply_NegativeSize_ThrowsLikeGemm(int m, int n, int k)
    {
        IMatrixProvider provider = Provider();
        float[] buffer = new float[16];
        AssertThrowsLikeGemm<ArgumentOutOfRangeException>((p, c) =>
            p.Multiply(MatrixTranspose.None, MatrixTranspose.None, m, n, k, 1f, buffer, 2, buffer, 2, 0f, c, 2), provider);
    }

    [Theory]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 4, 5, 5)]
    [InlineData(MatrixTranspose.Transpose, MatrixTranspose.None, 2, 5, 5)]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 5, 6, 5)]
    [InlineData(MatrixTranspose.None, MatrixTranspose.Transpose, 5, 4, 5)]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 5, 7, 6)]
    public void Multiply_LeadingDimensionTooSmall_ThrowsLikeGemm(MatrixTranspose ta, MatrixTranspose tb, int lda, int ldb, int ldc)
    {
        IMatrixProvider provider = Provider();
        float[] buffer = new float[64];
        AssertThrowsLikeGemm<ArgumentOutOfRangeException>((p, c) =>
            p.Multiply(ta, tb, 3, 7, 5, 1f, buffer, lda, buffer, ldb, 0f, c, ldc), provider);
    }

    [Theory]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 14, 35, 21)]
    [InlineData(MatrixTranspose.Transpose, MatrixTranspose.None, 14, 35, 21)]
    [InlineData(MatrixTranspose.None, MatrixTranspose.Transpose, 15, 34, 21)]
    [InlineData(MatrixTranspose.None, MatrixTranspose.None, 15, 35, 20)]
    public void Multiply_SpanTooShort_ThrowsLikeGemm(MatrixTranspose ta, MatrixTranspose tb, int aLength, int bLength, int cLength)
    {
        IMatrixProvider provider = Provider();
        int lda = ta == MatrixTranspose.None ? 5 : 3;
        int ldb = tb == MatrixTranspose.None ? 7 : 5;
        AssertThrowsLikeGemm<ArgumentException>((p, c) =>
            p.Multiply(ta, tb, 3, 7, 5, 1f, new float[aLength], lda, new float[bLength], ldb, 0f, c[..cLength], 7), provider);
    }

    [Fact]
    public void Multiply_UndefinedTranspose_ThrowsLikeGemm()
    {
        IMatrixProvider provider = Provider();
        float[] buffer = new float[16];
        AssertThrowsLikeGemm<ArgumentOutOfRangeException>((p, c) =>
            p.Multiply(MatrixTranspose.None, (MatrixTranspose)2, 2, 2, 2, 1f, buffer, 2, buffer, 2, 0f, c, 2), provider);
    }

    /// <summary>The provider throws the same exception type, parameter name and message as the managed kernel.</summary>
    private static void AssertThrowsLikeGemm<TException>(Action<IMatrixProvider, float[]> call, IMatrixProvider provider)
        where TException : ArgumentException
    {
        TException expected = Assert.Throws<TException>(() => call(ManagedMatrixProvider.Instance, new float[64]));
        TException actual = Assert.Throws<TException>(() => call(provider, new float[64]));
        Assert.False(string.IsNullOrEmpty(actual.ParamName));
        Assert.Equal(expected.ParamName, actual.ParamName);
        Assert.Equal(expected.Message, actual.Message);
    }
}

/// <summary>The contract against the built-in SIMD kernel.</summary>
public sealed class ManagedMatrixProviderContractTests : MatrixProviderContractTests
{
    protected override IMatrixProvider? CreateProvider(out string unavailableReason)
    {
        unavailableReason = string.Empty;
        return ManagedMatrixProvider.Instance;
    }
}

/// <summary>The contract against MathNet's managed provider.</summary>
public sealed class MathNetMatrixProviderContractTests : MatrixProviderContractTests
{
    protected override IMatrixProvider? CreateProvider(out string unavailableReason)
    {
        unavailableReason = string.Empty;
        return MatrixProviders.MathNet();
    }
}

/// <summary>The contract against a system BLAS; skipped on machines without one (CI may lack it).</summary>
public sealed class NativeBlasMatrixProviderContractTests : MatrixProviderContractTests
{
    protected override IMatrixProvider? CreateProvider(out string unavailableReason)
    {
        unavailableReason = $"No BLAS exporting cblas_sgemm loads on this machine (tried {string.Join(", ", NativeBlasMatrixProvider.DefaultLibraryNames)}).";
        return NativeBlasMatrixProvider.TryCreate(out NativeBlasMatrixProvider? provider) ? provider : null;
    }
}
