using System.Runtime.Intrinsics;

using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Numerics;

/// <summary>
/// The fused small-hidden GRU steps (both forms) at every vector width (wider than the hardware runs in software emulation, so a run
/// with <c>DOTNET_EnableAVX2=0</c> still checks the 256- and 512-bit code) against a double-precision reference of the
/// GRU formulas and against the cells' unfused path (general GEMM and element-wise kernels), on shapes that
/// leave partial row tiles and partial column vectors.
/// </summary>
public sealed class GruStepKernelsTests
{
    /// <summary>
    /// Pre-activations are float sums of up to 64 products of magnitude ≤ 1 (≈ 64 · 2⁻²⁴ ≈ 4e-6 in the worst case,
    /// far less in practice) and the activations are within 9e-8 of the exact ones (measured over [−100, 100]);
    /// states and gates lie in [−1, 1], so 2e-6 absolute leaves room for the sums but not for a wrong formula, gate
    /// order or column.
    /// </summary>
    private const double Tolerance = 2e-6;

    public static TheoryData<string> Levels() => ["Scalar", "Vector128", "Vector256", "Vector512"];

    public static TheoryData<string, bool> LevelsAndRecording()
    {
        var data = new TheoryData<string, bool>();
        foreach (string level in (string[])["Scalar", "Vector128", "Vector256", "Vector512"])
        {
            data.Add(level, true);
            data.Add(level, false);
        }

        return data;
    }

    /// <summary>
    /// Hidden sizes around every vector width (partial and overlapping column vectors) × batches with partial row tiles;
    /// at 512 bits, 8-row tiles whole (8), partial (5, 13) and followed by a 4-row tile (12).
    /// </summary>
    private static IEnumerable<(int Hidden, int Batch)> OddShapes() =>
        from hidden in (int[])[1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64]
        from batch in (int[])[1, 2, 3, 5, 8, 12, 13]
        select (hidden, batch);

    [Theory]
    [MemberData(nameof(Levels))]
    public void ActivationsAreWithinTwoUnitsInTheLastPlaceOfOne(string levelName)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        float[] x = [.. Enumerable.Range(-40_000, 80_001).Select(i => i * 2.5e-3f), -87.5f, -150f, 150f, 1e-30f, -1e-30f, 0f, -0f];
        float[] sigmoid = Apply(level, x, tanh: false), tanh = Apply(level, x, tanh: true);
        for (int i = 0; i < x.Length; i++)
        {
            double expectedSigmoid = 1 / (1 + Math.Exp(-(double)x[i])), expectedTanh = Math.Tanh(x[i]);
            Assert.True(Math.Abs(sigmoid[i] - expectedSigmoid) <= 1.2e-7, $"sigmoid({x[i]:R}) = {sigmoid[i]:R}, expected {expectedSigmoid:R}");
            Assert.True(Math.Abs(tanh[i] - expectedTanh) <= 1.2e-7, $"tanh({x[i]:R}) = {tanh[i]:R}, expected {expectedTanh:R}");

            // Relative accuracy where it matters for gradients: a sigmoid far in its tail, s(1 − s) ≈ s.
            if (x[i] is < -1f and > -80f)
            {
                Assert.True(Math.Abs(sigmoid[i] - expectedSigmoid) <= 4e-7 * expectedSigmoid, $"sigmoid({x[i]:R}) = {sigmoid[i]:R}, expected {expectedSigmoid:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void ActivationsKeepNaNAndSaturateAtInfinity(string levelName)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, float.NaN, 0f, float.NaN];
        float[] sigmoid = Apply(level, x, tanh: false), tanh = Apply(level, x, tanh: true);
        Assert.Equal([float.NaN, 1f, 0f, 1f, 0f, float.NaN, 0.5f, float.NaN], sigmoid, (a, b) => a.Equals(b) || Math.Abs(a - b) < 1e-37);
        Assert.Equal([float.NaN, 1f, -1f, 1f, -1f, float.NaN, 0f, float.NaN], tanh);
    }

    [Theory]
    [MemberData(nameof(LevelsAndRecording))]
    public void ResetAfterStepMatchesTheFormulasOnOddShapes(string levelName, bool recording)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        foreach ((int hidden, int batch) in OddShapes())
        {
            var step = new Step(batch, hidden, seed: (hidden * 100) + batch);
            float[] state = new float[batch * hidden];
            float[] record = recording ? new float[batch * 4 * hidden] : [];
            GruStepKernels.ResetAfter(level, batch, hidden, step.Previous, step.Weights, step.Bias, step.Projection, state, record);

            Expected expected = step.Reference();
            string where = $"{levelName}, hidden {hidden}, batch {batch}";
            AssertClose(expected.State, state, where + ", state");
            if (recording)
            {
                AssertClose(expected.Record, record, where + ", record");
            }
        }
    }

    [Theory]
    [MemberData(nameof(LevelsAndRecording))]
    public void ResetBeforeStepMatchesTheFormulasOnOddShapes(string levelName, bool recording)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        foreach ((int hidden, int batch) in OddShapes())
        {
            var step = new Step(batch, hidden, seed: (hidden * 100) + batch);
            float[] state = new float[batch * hidden];
            float[] record = new float[batch * 4 * hidden];
            GruStepKernels.ResetBefore(level, batch, hidden, step.Previous, step.Weights, step.Projection, state, record, recording);

            Expected expected = step.ResetBeforeReference();
            string where = $"{levelName}, hidden {hidden}, batch {batch}";
            AssertClose(expected.State, state, where + ", state");
            for (int row = 0; row < batch; row++)
            {
                // r, z and r ⊙ h always (the candidate's product reads r ⊙ h from the record); n only when recording.
                int at = row * 4 * hidden;
                AssertClose(expected.Record[at..(at + (2 * hidden))], record[at..(at + (2 * hidden))], where + ", r and z");
                AssertClose(expected.Record[(at + (3 * hidden))..(at + (4 * hidden))], record[(at + (3 * hidden))..(at + (4 * hidden))], where + ", r ⊙ h");
                float[] n = record[(at + (2 * hidden))..(at + (3 * hidden))];
                if (recording)
                {
                    AssertClose(expected.Record[(at + (2 * hidden))..(at + (3 * hidden))], n, where + ", n");
                }
                else
                {
                    Assert.All(n, value => Assert.Equal(0f, value));
                }
            }
        }
    }

    [Fact]
    public void ResetAfterStepWritesNothingOutsideItsOutputs()
    {
        const int Batch = 5, Hidden = 9;
        var step = new Step(Batch, Hidden, seed: 5);
        float[] state = Enumerable.Repeat(float.NaN, (Batch * Hidden) + 3).ToArray();
        float[] record = Enumerable.Repeat(float.NaN, (Batch * 4 * Hidden) + 3).ToArray();
        GruStepKernels.ResetAfter(Batch, Hidden, step.Previous, step.Weights, step.Bias, step.Projection, state.AsSpan(0, Batch * Hidden), record.AsSpan(0, Batch * 4 * Hidden));

        Assert.DoesNotContain(state[..(Batch * Hidden)], float.IsNaN);
        Assert.DoesNotContain(record[..(Batch * 4 * Hidden)], float.IsNaN);
        Assert.All(state[(Batch * Hidden)..], value => Assert.True(float.IsNaN(value)));
        Assert.All(record[(Batch * 4 * Hidden)..], value => Assert.True(float.IsNaN(value)));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void ARowGivesTheSameBitsWhateverItsPlaceInTheBatch(string levelName)
    {
        // Streaming one row and running it inside a batch must not drift apart: each lane runs the same operations.
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        const int Batch = 7, Hidden = 21;
        var step = new Step(Batch, Hidden, seed: 9);
        float[] batchState = new float[Batch * Hidden];
        GruStepKernels.ResetAfter(level, Batch, Hidden, step.Previous, step.Weights, step.Bias, step.Projection, batchState, []);
        for (int row = 0; row < Batch; row++)
        {
            float[] single = new float[Hidden];
            GruStepKernels.ResetAfter(level, 1, Hidden, step.Previous.AsSpan(row * Hidden, Hidden), step.Weights, step.Bias,
                step.Projection.AsSpan(row * 3 * Hidden, 3 * Hidden), single, []);
            Assert.Equal(batchState.AsSpan(row * Hidden, Hidden).ToArray(), single);
        }

        float[] record = new float[Batch * 4 * Hidden];
        GruStepKernels.ResetBefore(level, Batch, Hidden, step.Previous, step.Weights, step.Projection, batchState, record, recording: false);
        for (int row = 0; row < Batch; row++)
        {
            float[] single = new float[Hidden];
            GruStepKernels.ResetBefore(level, 1, Hidden, step.Previous.AsSpan(row * Hidden, Hidden), step.Weights,
                step.Projection.AsSpan(row * 3 * Hidden, 3 * Hidden), single, new float[4 * Hidden], recording: false);
            Assert.Equal(batchState.AsSpan(row * Hidden, Hidden).ToArray(), single);
        }
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(3, 7, true)]
    [InlineData(32, 32, true)]
    [InlineData(13, 64, true)]
    [InlineData(1, 1, false)]
    [InlineData(3, 7, false)]
    [InlineData(32, 32, false)]
    [InlineData(13, 64, false)]
    public void CellStepOnTheManagedProviderMatchesTheUnfusedPath(int batch, int hidden, bool resetAfter)
    {
        // The cell takes the fused kernel on the library's own provider and the GEMM + element-wise path on any other.
        IRecurrentCell cell = resetAfter ? new GruResetAfterCell(5, hidden) : new GruCell(5, hidden);
        float[] parameters = new RecurrentNetwork([cell]).CreateParameters(seed: 11);
        var random = new Random(12);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        float[] inputs = Values(batch * 5), previous = Values(batch * hidden);
        float[] projection = new float[batch * cell.InputProjectionSize];
        cell.ProjectInputs(parameters, inputs, batch, projection, ManagedMatrixProvider.Instance);

        (float[] State, float[] Cache) Forward(IMatrixProvider matrix)
        {
            float[] state = new float[batch * hidden], cache = new float[batch * cell.CacheSize];
            cell.Forward(new CellForward
            {
                BatchSize = batch, Parameters = parameters, Input = inputs, InputProjection = projection,
                PreviousState = previous, State = state, Cache = cache, Matrix = matrix,
            });
            return (state, cache);
        }

        float[] Infer(IMatrixProvider matrix)
        {
            float[] state = new float[batch * hidden];
            cell.Infer(new CellInference
            {
                BatchSize = batch, Parameters = parameters, Input = inputs, InputProjection = projection,
                PreviousState = previous, State = state, Scratch = new float[batch * cell.ScratchSize], Matrix = matrix,
            });
            return state;
        }

        var unfused = new GemmForwardingProvider();
        (float[] expectedState, float[] expectedCache) = Forward(unfused);
        (float[] state, float[] cache) = Forward(ManagedMatrixProvider.Instance);
        AssertClose(expectedState, state, "forward state");
        AssertClose(expectedCache, cache, "forward record");
        AssertClose(Infer(unfused), Infer(ManagedMatrixProvider.Instance), "inference state");
        Assert.Equal(state, Infer(ManagedMatrixProvider.Instance));
    }

    private static float[] Apply(SimdLevel level, float[] x, bool tanh)
    {
        // One lane of a full vector at the level's width: the generic activation the tiles call.
        float[] result = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            result[i] = level switch
            {
                SimdLevel.Vector512 => Lane<Vector512Ops, Vector512<float>>(x[i], tanh, v => Vector512.Create(v), v => v.ToScalar()),
                SimdLevel.Vector256 => Lane<Vector256Ops, Vector256<float>>(x[i], tanh, v => Vector256.Create(v), v => v.ToScalar()),
                SimdLevel.Vector128 => Lane<Vector128Ops, Vector128<float>>(x[i], tanh, v => Vector128.Create(v), v => v.ToScalar()),
                _ => Lane<ScalarOps, float>(x[i], tanh, v => v, v => v),
            };
        }

        return result;
    }

    private static float Lane<TOps, TVector>(float x, bool tanh, Func<float, TVector> create, Func<TVector, float> first)
        where TOps : ISimdOps<TVector>
        where TVector : struct =>
        first(tanh ? SimdActivations.Tanh<TOps, TVector>(create(x)) : SimdActivations.Sigmoid<TOps, TVector>(create(x)));

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (!(error <= Tolerance * Math.Max(1, Math.Abs(expected[i]))))
            {
                Assert.Fail($"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R}: error {error:E3}.");
            }
        }
    }

    private sealed record Expected(float[] State, float[] Record);

    /// <summary>Seeded operands of one step, with weights of a hidden-sized layer's typical scale.</summary>
    private sealed class Step
    {
        public Step(int batch, int hidden, int seed)
        {
            Batch = batch;
            Hidden = hidden;
            var random = new Random(seed);
            float[] Values(int count, double scale) => [.. Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale))];
            Previous = Values(batch * hidden, 1);
            Weights = Values(hidden * 3 * hidden, 1.7 / Math.Sqrt(hidden));
            Bias = Values(3 * hidden, 0.5);
            Projection = Values(batch * 3 * hidden, 2);
        }

        public int Batch { get; }

        public int Hidden { get; }

        public float[] Previous { get; }

        public float[] Weights { get; }

        public float[] Bias { get; }

        public float[] Projection { get; }

        /// <summary>The reset-before formulas in double precision (biases are inside the projection).</summary>
        public Expected ResetBeforeReference()
        {
            int h = Hidden, gates = 3 * h;
            var state = new float[Batch * h];
            var record = new float[Batch * 4 * h];
            var r = new double[h];
            for (int row = 0; row < Batch; row++)
            {
                for (int j = 0; j < h; j++)
                {
                    double sr = Projection[(row * gates) + j], sz = Projection[(row * gates) + h + j];
                    for (int p = 0; p < h; p++)
                    {
                        sr += Previous[(row * h) + p] * (double)Weights[(p * gates) + j];
                        sz += Previous[(row * h) + p] * (double)Weights[(p * gates) + h + j];
                    }

                    r[j] = 1 / (1 + Math.Exp(-sr));
                    record[(row * 4 * h) + j] = (float)r[j];
                    record[(row * 4 * h) + h + j] = (float)(1 / (1 + Math.Exp(-sz)));
                    record[(row * 4 * h) + (3 * h) + j] = (float)(r[j] * Previous[(row * h) + j]);
                }

                for (int j = 0; j < h; j++)
                {
                    double sn = Projection[(row * gates) + (2 * h) + j];
                    for (int p = 0; p < h; p++)
                    {
                        sn += r[p] * Previous[(row * h) + p] * Weights[(p * gates) + (2 * h) + j];
                    }

                    double n = Math.Tanh(sn), z = record[(row * 4 * h) + h + j];
                    record[(row * 4 * h) + (2 * h) + j] = (float)n;
                    state[(row * h) + j] = (float)(((1 - z) * n) + (z * Previous[(row * h) + j]));
                }
            }

            return new Expected(state, record);
        }

        /// <summary>The reset-after formulas in double precision.</summary>
        public Expected Reference()
        {
            int h = Hidden, gates = 3 * h;
            var state = new float[Batch * h];
            var record = new float[Batch * 4 * h];
            for (int row = 0; row < Batch; row++)
            {
                for (int j = 0; j < h; j++)
                {
                    double sr = Bias[j], sz = Bias[h + j], sn = Bias[(2 * h) + j];
                    for (int p = 0; p < h; p++)
                    {
                        double hp = Previous[(row * h) + p];
                        sr += hp * Weights[(p * gates) + j];
                        sz += hp * Weights[(p * gates) + h + j];
                        sn += hp * Weights[(p * gates) + (2 * h) + j];
                    }

                    double r = 1 / (1 + Math.Exp(-(sr + Projection[(row * gates) + j])));
                    double z = 1 / (1 + Math.Exp(-(sz + Projection[(row * gates) + h + j])));
                    double n = Math.Tanh(Projection[(row * gates) + (2 * h) + j] + (r * sn));
                    state[(row * h) + j] = (float)(((1 - z) * n) + (z * Previous[(row * h) + j]));
                    int at = (row * 4 * h) + j;
                    record[at] = (float)r;
                    record[at + h] = (float)z;
                    record[at + (2 * h)] = (float)n;
                    record[at + (3 * h)] = (float)sn;
                }
            }

            return new Expected(state, record);
        }
    }
}
