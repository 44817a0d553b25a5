using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Numerics.Providers;

/// <summary>A network runs on any provider: same results as on the built-in kernel, and every product goes through the provider.</summary>
public sealed class RecurrentNetworkProviderTests(ITestOutputHelper output)
{
    /// <summary>
    /// Two float32 implementations of the same network, differing only in the summation order inside the products,
    /// agree to about k·2⁻²⁴ per product (k ≤ 48 here, and up to steps·batch = 35 in the weight gradients), compounded
    /// over 7 steps and 2 layers. Measured worst case (MathNet and OpenBLAS, both variants): 2.7e-7 of the quantity's
    /// largest magnitude; 1e-5 of it is the tolerance the PyTorch parity tests use for the same float32-versus-float32
    /// comparison.
    /// </summary>
    private const double Tolerance = 1e-5;

    public static TheoryData<GruVariant, string> Cases => new()
    {
        { GruVariant.ResetBefore, "mathnet" },
        { GruVariant.ResetAfter, "mathnet" },
        { GruVariant.ResetBefore, "native" },
        { GruVariant.ResetAfter, "native" },
    };

    [Fact]
    public void Network_WithoutProvider_UsesTheManagedKernel()
    {
        Assert.Same(ManagedMatrixProvider.Instance, RecurrentNetwork.CreateGru(2, 4).MatrixProvider);
        Assert.Same(ManagedMatrixProvider.Instance, new RecurrentNetwork([new GruCell(2, 4)]).MatrixProvider);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_OnAnotherProvider_MatchTheManagedKernel(GruVariant variant, string which)
    {
        IMatrixProvider provider;
        if (which == "native")
        {
            Assert.SkipUnless(NativeBlasMatrixProvider.TryCreate(out NativeBlasMatrixProvider? native), "No BLAS exporting cblas_sgemm loads on this machine.");
            provider = native;
        }
        else
        {
            provider = MatrixProviders.MathNet();
        }

        Pass expected = Run(RecurrentNetwork.CreateGru(3, 16, layers: 2, outputSize: 2, variant, HeadPlacement.EveryStep));
        Pass actual = Run(RecurrentNetwork.CreateGru(3, 16, layers: 2, outputSize: 2, variant, HeadPlacement.EveryStep, provider));

        AssertClose(expected.Outputs, actual.Outputs, "outputs");
        AssertClose(expected.FinalStates, actual.FinalStates, "final states");
        AssertClose(expected.InferredOutputs, actual.InferredOutputs, "inference outputs");
        AssertClose(expected.ParameterGradients, actual.ParameterGradients, "parameter gradients");
        AssertClose(expected.InputGradients, actual.InputGradients, "input gradients");
        AssertClose(expected.InitialStateGradients, actual.InitialStateGradients, "initial state gradients");
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore)]
    [InlineData(GruVariant.ResetAfter)]
    public void EveryPass_SendsItsProductsThroughTheProvider(GruVariant variant)
    {
        var counting = new CountingProvider();
        var reference = new CountingProvider();
        Pass expected = Run(RecurrentNetwork.CreateGru(3, 16, layers: 2, outputSize: 2, variant, HeadPlacement.EveryStep, reference), reference);
        Pass actual = Run(RecurrentNetwork.CreateGru(3, 16, layers: 2, outputSize: 2, variant, HeadPlacement.EveryStep, counting), counting);

        // Both counting providers delegate to the managed GEMM, so results are identical bit for bit.
        Assert.Equal(expected.Outputs, actual.Outputs);
        Assert.Equal(expected.ParameterGradients, actual.ParameterGradients);
        Assert.Equal(expected.InputGradients, actual.InputGradients);
        Assert.Equal(expected.InferredOutputs, actual.InferredOutputs);

        // On the managed provider itself a small reset-after layer takes the fused step kernel instead of the GEMM
        // (GruStepKernels): same formulas, activations within a few ulp, so the same tolerance as another provider.
        Pass managed = Run(RecurrentNetwork.CreateGru(3, 16, layers: 2, outputSize: 2, variant, HeadPlacement.EveryStep));
        AssertClose(managed.Outputs, actual.Outputs, "outputs");
        AssertClose(managed.ParameterGradients, actual.ParameterGradients, "parameter gradients");
        AssertClose(managed.InferredOutputs, actual.InferredOutputs, "inference outputs");

        // Per layer: 1 input projection + 2 (reset-before) or 1 (reset-after) products per step; + 1 for the head.
        int perStep = variant == GruVariant.ResetBefore ? 2 : 1;
        Assert.Equal(2 * (1 + (Steps * perStep)) + 1, actual.ForwardProducts);
        Assert.Equal(actual.ForwardProducts, actual.InferProducts);
        Assert.True(actual.BackwardProducts > 2 * Steps, $"backward made {actual.BackwardProducts} products");
    }

    private const int Steps = 7;
    private const int Batch = 5;

    private static Pass Run(RecurrentNetwork network, CountingProvider? counting = null)
    {
        float[] parameters = network.CreateParameters(seed: 21);
        float[] inputs = Values(Steps * Batch * network.InputSize, seed: 22);
        float[] initialStates = Values(Batch * network.StateSize, seed: 23, scale: 0.5f);
        NetworkWorkspace workspace = network.CreateWorkspace();

        network.Forward(parameters, inputs, Steps, Batch, workspace, initialStates);
        int forwardProducts = counting?.Calls ?? 0;
        float[] outputs = workspace.Outputs.ToArray();
        float[] finalStates = new float[Batch * network.StateSize];
        workspace.CopyFinalStates(finalStates);

        float[] parameterGradients = new float[network.ParameterCount];
        float[] inputGradients = new float[inputs.Length];
        float[] initialStateGradients = new float[initialStates.Length];
        network.Backward(parameters, workspace, Values(outputs.Length, seed: 24), parameterGradients,
            Values(finalStates.Length, seed: 25), inputGradients, initialStateGradients);
        int backwardProducts = (counting?.Calls ?? 0) - forwardProducts;

        NetworkWorkspace inference = network.CreateWorkspace();
        network.Infer(parameters, inputs, Steps, Batch, inference, initialStates);
        int inferProducts = (counting?.Calls ?? 0) - forwardProducts - backwardProducts;

        return new Pass(outputs, finalStates, inference.Outputs.ToArray(), parameterGradients, inputGradients, initialStateGradients,
            forwardProducts, backwardProducts, inferProducts);
    }

    private void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(value => Math.Abs((double)value));
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            worst = Math.Max(worst, error);
            if (!(error <= Tolerance * scale))
            {
                Assert.Fail($"{what}[{i}] = {actual[i]:R}, managed kernel {expected[i]:R}: error {error:E3} > {Tolerance} × {scale:E3}.");
            }
        }

        output.WriteLine($"{what}: worst error {worst:E3} = {worst / scale:E3} of max |value| {scale:E3}");
    }

    private static float[] Values(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale))];
    }

    private sealed record Pass(float[] Outputs, float[] FinalStates, float[] InferredOutputs, float[] ParameterGradients,
        float[] InputGradients, float[] InitialStateGradients, int ForwardProducts, int BackwardProducts, int InferProducts);

    /// <summary>Counts the products and hands them to the managed kernel.</summary>
    private sealed class CountingProvider : IMatrixProvider
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Name => "counting";

        public void Multiply(MatrixTranspose transposeA, MatrixTranspose transposeB, int m, int n, int k,
            float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        {
            Interlocked.Increment(ref _calls);
            Gemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
    }
}
