using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Numerics;

/// <summary>
/// The fused small-hidden GRU backward steps (both forms) at every vector width (wider than the hardware runs in software
/// emulation, so a run with <c>DOTNET_EnableAVX2=0</c> or <c>DOTNET_EnableAVX512=0</c> still checks every path) against a
/// double-precision reference of the gradient formulas and against the cells' general path (element-wise kernels and
/// the general GEMM), on shapes that leave partial row tiles and partial or overlapping column vectors.
/// </summary>
public sealed class GruBackwardKernelsTests
{
    /// <summary>
    /// The gate gradients are products of at most five values of magnitude ≤ 1 (a few ulp); the previous state's gradient
    /// adds a float sum of up to 3·64 products of magnitude below 0.4 (about 2e-6 in the worst case, far less in
    /// practice). 2e-6 relative to max(1, |value|) leaves room for those roundings but not for a wrong formula, gate,
    /// column or a lane added twice.
    /// </summary>
    private const double Tolerance = 2e-6;

    /// <summary>Against the general path, which computes the same formulas with the same float operations: only the order of the product's sums may differ.</summary>
    private const double PathTolerance = 5e-7;

    public static TheoryData<string> Levels() => ["Scalar", "Vector128", "Vector256", "Vector512"];

    /// <summary>Hidden sizes around every vector width (partial, overlapping and duplicated column vectors) × batches with partial row tiles.</summary>
    private static IEnumerable<(int Hidden, int Batch)> OddShapes() =>
        from hidden in (int[])[1, 3, 5, 7, 8, 9, 16, 17, 24, 31, 32, 33, 48, 64]
        from batch in (int[])[1, 3, 17, 32]
        select (hidden, batch);

    [Theory]
    [MemberData(nameof(Levels))]
    public void ResetAfterMatchesTheFormulasOnOddShapes(string levelName)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        foreach ((int hidden, int batch) in OddShapes())
        {
            var step = new Step(batch, hidden, seed: (hidden * 100) + batch);
            float[] previousGradient = [.. step.InitialPreviousGradient];
            float[] stepGradient = new float[batch * 4 * hidden];
            GruBackwardKernels.ResetAfter(level, batch, hidden, step.StateGradient, step.Previous, step.Record, step.Transposed,
                previousGradient, stepGradient);

            (double[] expectedPrevious, double[] expectedStep) = step.ResetAfterReference();
            string where = $"{levelName}, hidden {hidden}, batch {batch}";
            AssertClose(expectedStep, stepGradient, Tolerance, where + ", step gradient");
            AssertClose(expectedPrevious, previousGradient, Tolerance, where + ", previous state's gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void ResetBeforeMatchesTheFormulasOnOddShapes(string levelName)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        foreach ((int hidden, int batch) in OddShapes())
        {
            var step = new Step(batch, hidden, seed: (hidden * 100) + batch);
            float[] previousGradient = [.. step.InitialPreviousGradient];
            float[] stepGradient = new float[batch * 3 * hidden];
            GruBackwardKernels.ResetBefore(level, batch, hidden, step.StateGradient, step.Previous, step.Record, step.Transposed,
                previousGradient, stepGradient, new float[batch * hidden]);

            (double[] expectedPrevious, double[] expectedStep) = step.ResetBeforeReference();
            string where = $"{levelName}, hidden {hidden}, batch {batch}";
            AssertClose(expectedStep, stepGradient, Tolerance, where + ", step gradient");
            AssertClose(expectedPrevious, previousGradient, Tolerance, where + ", previous state's gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void WritesNothingOutsideItsOutputsAndLeavesItsInputsAlone(string levelName)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        foreach (bool resetAfter in (bool[])[true, false])
        {
            foreach ((int hidden, int batch) in (ValueTuple<int, int>[])[(9, 5), (33, 3), (64, 17), (1, 1)])
            {
                var step = new Step(batch, hidden, seed: 7);
                float[] stateGradient = [.. step.StateGradient], previous = [.. step.Previous], record = [.. step.Record], transposed = [.. step.Transposed];
                int states = batch * hidden, width = (resetAfter ? 4 : 3) * hidden;
                float[] previousGradient = [.. step.InitialPreviousGradient, .. Sentinels()];
                float[] stepGradient = [.. Enumerable.Repeat(float.NaN, batch * width), .. Sentinels()];
                float[] scratch = [.. Enumerable.Repeat(float.NaN, states), .. Sentinels()];
                if (resetAfter)
                {
                    GruBackwardKernels.ResetAfter(level, batch, hidden, stateGradient, previous, record, transposed,
                        previousGradient.AsSpan(0, states), stepGradient.AsSpan(0, batch * width));
                }
                else
                {
                    GruBackwardKernels.ResetBefore(level, batch, hidden, stateGradient, previous, record, transposed,
                        previousGradient.AsSpan(0, states), stepGradient.AsSpan(0, batch * width), scratch.AsSpan(0, states));
                }

                string where = $"{levelName}, reset-after {resetAfter}, hidden {hidden}, batch {batch}";
                Assert.True(!previousGradient[..states].Any(float.IsNaN) && !stepGradient[..(batch * width)].Any(float.IsNaN), where);
                Assert.Equal(Sentinels(), previousGradient[states..]);
                Assert.Equal(Sentinels(), stepGradient[(batch * width)..]);
                Assert.Equal(Sentinels(), scratch[states..]);
                Assert.Equal(step.StateGradient, stateGradient);
                Assert.Equal(step.Previous, previous);
                Assert.Equal(step.Record, record);
                Assert.Equal(step.Transposed, transposed);
            }
        }

        static float[] Sentinels() => [-7.5f, 3.25f, 1e30f];
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void ARowGivesTheSameBitsWhateverItsPlaceInTheBatch(string levelName)
    {
        // Parallel training splits a batch across threads: a row's gradients must not depend on its neighbours or place.
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        const int Batch = 7, Hidden = 21;
        var step = new Step(Batch, Hidden, seed: 9);
        foreach (bool resetAfter in (bool[])[true, false])
        {
            int width = (resetAfter ? 4 : 3) * Hidden;
            (float[] previousGradient, float[] stepGradient) = Run(level, resetAfter, Batch, step.StateGradient, step.Previous, step.Record,
                step.Transposed, step.InitialPreviousGradient);
            for (int row = 0; row < Batch; row++)
            {
                (float[] single, float[] singleStep) = Run(level, resetAfter, 1, step.StateGradient.AsSpan(row * Hidden, Hidden).ToArray(),
                    step.Previous.AsSpan(row * Hidden, Hidden).ToArray(), step.Record.AsSpan(row * 4 * Hidden, 4 * Hidden).ToArray(),
                    step.Transposed, step.InitialPreviousGradient.AsSpan(row * Hidden, Hidden).ToArray());
                Assert.Equal(previousGradient.AsSpan(row * Hidden, Hidden).ToArray(), single);
                Assert.Equal(stepGradient.AsSpan(row * width, width).ToArray(), singleStep);
            }
        }
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(3, 5, true)]
    [InlineData(17, 31, true)]
    [InlineData(32, 32, true)]
    [InlineData(32, 33, true)]
    [InlineData(32, 64, true)]
    [InlineData(1, 1, false)]
    [InlineData(3, 5, false)]
    [InlineData(17, 31, false)]
    [InlineData(32, 32, false)]
    [InlineData(32, 33, false)]
    [InlineData(32, 64, false)]
    [InlineData(32, 80, true)]
    [InlineData(5, 97, false)]
    public void CellBackwardWithPreparedWeightsMatchesTheGeneralPath(int batch, int hidden, bool resetAfter)
    {
        // The cells take the fused kernel when the network hands them W_hᵀ (on the managed provider, hidden within
        // GruStepKernels.MaxHidden) and the general path without it; above MaxHidden the general GEMM reads W_hᵀ as given.
        IRecurrentCell cell = resetAfter ? new GruResetAfterCell(5, hidden) : new GruCell(5, hidden);
        float[] parameters = new RecurrentNetwork([cell]).CreateParameters(seed: 11);
        var random = new Random(12);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        float[] inputs = Values(batch * 5), previous = Values(batch * hidden), stateGradient = Values(batch * hidden);
        float[] initialPreviousGradient = Values(batch * hidden);
        float[] projection = new float[batch * cell.InputProjectionSize], state = new float[batch * hidden], cache = new float[batch * cell.CacheSize];
        cell.ProjectInputs(parameters, inputs, batch, projection, ManagedMatrixProvider.Instance);
        cell.Forward(new CellForward
        {
            BatchSize = batch, Parameters = parameters, Input = inputs, InputProjection = projection,
            PreviousState = previous, State = state, Cache = cache,
        });
        float[] prepared = new float[3 * hidden * hidden];
        ((IBackwardPreparation)cell).PrepareBackward(parameters, prepared);

        (float[] PreviousGradient, float[] StepGradient) Backward(ReadOnlySpan<float> weights)
        {
            float[] previousGradient = [.. initialPreviousGradient], stepGradient = new float[batch * cell.StepGradientSize];
            cell.Backward(new CellBackward
            {
                BatchSize = batch, Parameters = parameters, Input = inputs, InputProjection = projection, PreviousState = previous,
                State = state, Cache = cache, StateGradient = stateGradient, PreviousStateGradient = previousGradient,
                StepGradient = stepGradient, ParameterGradients = new float[parameters.Length], Scratch = new float[batch * cell.ScratchSize],
                Prepared = weights,
            });
            return (previousGradient, stepGradient);
        }

        (float[] expectedPrevious, float[] expectedStep) = Backward(default);
        (float[] previousGradient, float[] stepGradient) = Backward(prepared);
        AssertClose([.. expectedStep.Select(v => (double)v)], stepGradient, PathTolerance, "step gradient");
        AssertClose([.. expectedPrevious.Select(v => (double)v)], previousGradient, PathTolerance, "previous state's gradient");
    }

    [Theory]
    [InlineData(GruVariant.ResetAfter, 5)]
    [InlineData(GruVariant.ResetAfter, 32)]
    [InlineData(GruVariant.ResetBefore, 17)]
    [InlineData(GruVariant.ResetBefore, 64)]
    public void NetworkBackwardMatchesTheGeneralPath(GruVariant variant, int hidden)
    {
        // A whole training pass (2 layers, 20 steps, every gradient the network returns) with the fused backward step
        // against the same network with it switched off; the forwards are identical, only the backward steps differ.
        const int Steps = 20, Batch = 6, Inputs = 3;
        var network = RecurrentNetwork.CreateGru(Inputs, hidden, layers: 2, outputSize: 2, variant);
        float[] parameters = network.CreateParameters(seed: 21);
        var random = new Random(22);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        float[] inputs = Values(Steps * Batch * Inputs), outputGradients = Values(Batch * 2), finalStateGradients = Values(2 * Batch * hidden);
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Forward(parameters, inputs, Steps, Batch, workspace);

        float[] Gradients(bool fused)
        {
            float[] gradients = new float[network.ParameterCount], inputGradients = new float[inputs.Length], initial = new float[2 * Batch * hidden];
            network.BackwardPass(parameters, workspace, outputGradients, gradients, finalStateGradients, inputGradients, initial, truncationSteps: 0, prepareCells: fused);
            return [.. gradients, .. inputGradients, .. initial];
        }

        float[] expected = Gradients(fused: false), actual = Gradients(fused: true);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            // Only the order of the recurrent product's sums differs, step by step: rounding-sized relative to the largest gradient.
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 * scale, $"gradient {i}: {actual[i]:R}, expected {expected[i]:R} (largest {scale:R})");
        }
    }

    [Theory]
    [InlineData(GruVariant.ResetAfter, 80)]
    [InlineData(GruVariant.ResetBefore, 97)]
    public void AboveTheFusedSizesTheTransposedWeightsGiveTheSameBits(GruVariant variant, int hidden)
    {
        // Above GruStepKernels.MaxHidden the per-step products read W_hᵀ, transposed once per pass, instead of packing W_h
        // transposed at every step; the GEMM sums each element in the same order either way, so nothing may change.
        const int Steps = 9, Batch = 11, Inputs = 3;
        var network = RecurrentNetwork.CreateGru(Inputs, hidden, layers: 2, outputSize: 2, variant);
        float[] parameters = network.CreateParameters(seed: 23);
        var random = new Random(24);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        float[] inputs = Values(Steps * Batch * Inputs), outputGradients = Values(Batch * 2);
        NetworkWorkspace workspace = network.CreateWorkspace();
        network.Forward(parameters, inputs, Steps, Batch, workspace);

        float[] Gradients(bool prepared)
        {
            float[] gradients = new float[network.ParameterCount], inputGradients = new float[inputs.Length];
            network.BackwardPass(parameters, workspace, outputGradients, gradients, default, inputGradients, default, truncationSteps: 0, prepareCells: prepared);
            return [.. gradients, .. inputGradients];
        }

        Assert.Equal(Gradients(prepared: false), Gradients(prepared: true));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(37)]
    public void TransposeRecurrentWeightsTransposes(int hidden)
    {
        // Sizes below, at and across the copy's 16×16 blocks.
        float[] weights = [.. Enumerable.Range(0, hidden * 3 * hidden).Select(i => (float)i)];
        float[] transposed = new float[weights.Length];
        GruBackwardKernels.TransposeRecurrentWeights(hidden, weights, transposed);
        for (int p = 0; p < hidden; p++)
        {
            for (int c = 0; c < 3 * hidden; c++)
            {
                Assert.Equal(weights[(p * 3 * hidden) + c], transposed[(c * hidden) + p]);
            }
        }
    }

    private static (float[] PreviousGradient, float[] StepGradient) Run(SimdLevel level, bool resetAfter, int batch, float[] stateGradient,
        float[] previous, float[] record, float[] transposed, float[] initialPreviousGradient)
    {
        int hidden = stateGradient.Length / batch;
        float[] previousGradient = [.. initialPreviousGradient];
        float[] stepGradient = new float[batch * (resetAfter ? 4 : 3) * hidden];
        if (resetAfter)
        {
            GruBackwardKernels.ResetAfter(level, batch, hidden, stateGradient, previous, record, transposed, previousGradient, stepGradient);
        }
        else
        {
            GruBackwardKernels.ResetBefore(level, batch, hidden, stateGradient, previous, record, transposed, previousGradient, stepGradient,
                new float[batch * hidden]);
        }

        return (previousGradient, stepGradient);
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= tolerance * Math.Max(1, Math.Abs(expected[i]))))
            {
                Assert.Fail($"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R}: error {error:E3}.");
            }
        }
    }

    /// <summary>
    /// Seeded operands of one backward step: a record as the forward writes it (gates in (0, 1), candidate in (−1, 1)),
    /// weights of a hidden-sized layer's typical scale, and a previous-state gradient that already holds values (the
    /// kernels add to it).
    /// </summary>
    private sealed class Step
    {
        public Step(int batch, int hidden, int seed)
        {
            Batch = batch;
            Hidden = hidden;
            var random = new Random(seed);
            float Uniform(double low, double high) => (float)(low + (random.NextDouble() * (high - low)));
            float[] Values(int count, double low, double high) => [.. Enumerable.Range(0, count).Select(_ => Uniform(low, high))];
            StateGradient = Values(batch * hidden, -1, 1);
            Previous = Values(batch * hidden, -1, 1);
            InitialPreviousGradient = Values(batch * hidden, -1, 1);
            Weights = Values(hidden * 3 * hidden, -1.7 / Math.Sqrt(hidden), 1.7 / Math.Sqrt(hidden));
            Transposed = new float[Weights.Length];
            GruBackwardKernels.TransposeRecurrentWeights(hidden, Weights, Transposed);
            Record = new float[batch * 4 * hidden];
            for (int row = 0; row < batch; row++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    int at = (row * 4 * hidden) + j;
                    Record[at] = Uniform(0.01, 0.99);
                    Record[at + hidden] = Uniform(0.01, 0.99);
                    Record[at + (2 * hidden)] = Uniform(-0.99, 0.99);
                    Record[at + (3 * hidden)] = Uniform(-2, 2);
                }
            }
        }

        public int Batch { get; }

        public int Hidden { get; }

        public float[] StateGradient { get; }

        public float[] Previous { get; }

        public float[] InitialPreviousGradient { get; }

        public float[] Weights { get; }

        public float[] Transposed { get; }

        /// <summary>Row layout [r | z | n | fourth]: h·W_hn + b_hn for reset-after, r ⊙ h for reset-before (unused by its backward).</summary>
        public float[] Record { get; }

        /// <summary>The reset-after gradients in double precision: step gradient rows [dr̃ | dz̃ | d(h·W_hn + b_hn) | dñ].</summary>
        public (double[] PreviousGradient, double[] StepGradient) ResetAfterReference()
        {
            int h = Hidden, gates = 3 * h;
            double[] step = new double[Batch * 4 * h], previousGradient = new double[Batch * h];
            for (int row = 0; row < Batch; row++)
            {
                for (int j = 0; j < h; j++)
                {
                    (double g, double r, double z, double n, double prev) = Operands(row, j);
                    double recurrentN = Record[(row * 4 * h) + (3 * h) + j];
                    double candidate = g * (1 - z) * (1 - (n * n));
                    int at = row * 4 * h;
                    step[at + j] = candidate * recurrentN * r * (1 - r);
                    step[at + h + j] = g * (prev - n) * z * (1 - z);
                    step[at + (2 * h) + j] = candidate * r;
                    step[at + (3 * h) + j] = candidate;
                }

                for (int p = 0; p < h; p++)
                {
                    double sum = InitialPreviousGradient[(row * h) + p] + (StateGradient[(row * h) + p] * (double)Record[(row * 4 * h) + h + p]);
                    for (int c = 0; c < gates; c++)
                    {
                        sum += step[(row * 4 * h) + c] * Weights[(p * gates) + c];
                    }

                    previousGradient[(row * h) + p] = sum;
                }
            }

            return (previousGradient, step);
        }

        /// <summary>The reset-before gradients in double precision: step gradient rows [dr̃ | dz̃ | dñ].</summary>
        public (double[] PreviousGradient, double[] StepGradient) ResetBeforeReference()
        {
            int h = Hidden, gates = 3 * h;
            double[] step = new double[Batch * gates], previousGradient = new double[Batch * h], reset = new double[h];
            for (int row = 0; row < Batch; row++)
            {
                for (int j = 0; j < h; j++)
                {
                    (double g, _, double z, double n, double prev) = Operands(row, j);
                    step[(row * gates) + h + j] = g * (prev - n) * z * (1 - z);
                    step[(row * gates) + (2 * h) + j] = g * (1 - z) * (1 - (n * n));
                }

                for (int p = 0; p < h; p++)
                {
                    // s = dñ·W_hnᵀ, the gradient of r ⊙ h.
                    double s = 0;
                    for (int c = 0; c < h; c++)
                    {
                        s += step[(row * gates) + (2 * h) + c] * Weights[(p * gates) + (2 * h) + c];
                    }

                    reset[p] = s;
                    (_, double r, _, _, double prev) = Operands(row, p);
                    step[(row * gates) + p] = s * prev * r * (1 - r);
                }

                for (int p = 0; p < h; p++)
                {
                    (double g, double r, double z, _, _) = Operands(row, p);
                    double sum = InitialPreviousGradient[(row * h) + p] + (g * z) + (reset[p] * r);
                    for (int c = 0; c < 2 * h; c++)
                    {
                        sum += step[(row * gates) + c] * Weights[(p * gates) + c];
                    }

                    previousGradient[(row * h) + p] = sum;
                }
            }

            return (previousGradient, step);
        }

        private (double G, double R, double Z, double N, double Previous) Operands(int row, int j)
        {
            int at = (row * 4 * Hidden) + j;
            return (StateGradient[(row * Hidden) + j], Record[at], Record[at + Hidden], Record[at + (2 * Hidden)], Previous[(row * Hidden) + j]);
        }
    }
}
