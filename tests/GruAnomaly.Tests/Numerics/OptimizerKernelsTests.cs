using System.Numerics.Tensors;

using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Tests.Numerics;

public sealed class OptimizerKernelsTests
{
    public static TheoryData<string, string> LevelsAndDecays()
    {
        var data = new TheoryData<string, string>();
        foreach (string level in (string[])["Scalar", "Vector128", "Vector256", "Vector512"])
        {
            foreach (string decay in (string[])["none", "L2", "decoupled"])
            {
                data.Add(level, decay);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LevelsAndDecays))]
    public void TheOnePassAdamStepGivesTheBitsOfTheTensorPrimitivesPasses(string levelName, string decay)
    {
        // The reference is the update as it was before the fused kernel: ten TensorPrimitives passes, each rounded once.
        // Three steps, so that the moments carry over; lengths around every vector width and one long span.
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        var random = new Random(11);
        int[] lengths = [.. Enumerable.Range(0, 70), 1000];
        foreach (int length in lengths)
        {
            float[] parameters = Values(random, length, 1f), gradients = Values(random, length, 0.1f);
            float[] m = new float[length], v = new float[length];
            float[] expectedParameters = [.. parameters], expectedM = new float[length], expectedV = new float[length];
            for (int step = 1; step <= 3; step++)
            {
                AdamCoefficients c = Coefficients(step, decay);
                OptimizerKernels.AdamStep(level, parameters, gradients, m, v, c);
                Reference(expectedParameters, gradients, expectedM, expectedV, c);
                AssertBits(expectedParameters, parameters, $"parameters, {level}, {decay}, length {length}, step {step}");
                AssertBits(expectedM, m, $"first moment, {level}, {decay}, length {length}, step {step}");
                AssertBits(expectedV, v, $"second moment, {level}, {decay}, length {length}, step {step}");
                gradients = Values(random, length, 0.1f);
            }
        }
    }

    [Fact]
    public void SpansOfDifferentLengthsAreRefused()
    {
        AdamCoefficients c = Coefficients(1, "none");
        var error = Assert.Throws<ArgumentException>(() => OptimizerKernels.AdamStep(new float[4], new float[4], new float[3], new float[4], c));
        Assert.Contains("3", error.Message, StringComparison.Ordinal);
    }

    private static AdamCoefficients Coefficients(int step, string decay)
    {
        const double Beta1 = 0.9, Beta2 = 0.999, LearningRate = 1e-2, WeightDecay = 0.05;
        return new AdamCoefficients(
            0.9f, (float)(1 - Beta1), 0.999f, (float)(1 - Beta2),
            BiasCorrection2Sqrt: (float)Math.Sqrt(1 - Math.Pow(Beta2, step)),
            Epsilon: 1e-8f,
            StepSize: (float)(LearningRate / (1 - Math.Pow(Beta1, step))),
            L2WeightDecay: decay == "L2" ? (float)WeightDecay : 0f,
            DecoupledDecayFactor: decay == "decoupled" ? (float)(1 - (LearningRate * WeightDecay)) : 1f);
    }

    private static void Reference(float[] parameters, float[] gradients, float[] m, float[] v, AdamCoefficients c)
    {
        var scratch = new float[parameters.Length];
        ReadOnlySpan<float> gradient = gradients;
        if (c.DecoupledDecayFactor != 1f)
        {
            TensorPrimitives.Multiply(parameters, c.DecoupledDecayFactor, parameters);
        }
        else if (c.L2WeightDecay != 0f)
        {
            TensorPrimitives.MultiplyAdd(parameters, c.L2WeightDecay, gradients, scratch);
            gradient = scratch;
        }

        TensorPrimitives.Multiply(m, c.Beta1, m);
        TensorPrimitives.MultiplyAdd(gradient, c.OneMinusBeta1, m, m);
        TensorPrimitives.Multiply(gradient, gradient, scratch);
        TensorPrimitives.Multiply(v, c.Beta2, v);
        TensorPrimitives.MultiplyAdd(scratch, c.OneMinusBeta2, v, v);
        TensorPrimitives.Sqrt(v, scratch);
        TensorPrimitives.Divide(scratch, c.BiasCorrection2Sqrt, scratch);
        TensorPrimitives.Add(scratch, c.Epsilon, scratch);
        TensorPrimitives.Divide(m, scratch, scratch);
        TensorPrimitives.MultiplyAdd(scratch, -c.StepSize, parameters, parameters);
    }

    private static float[] Values(Random random, int length, float scale)
    {
        // Zeros among them: a zero gradient and a zero second moment reach the ε-only denominator.
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = i % 13 == 5 ? 0f : (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, index {i}: {actual[i]:R} against {expected[i]:R}");
        }
    }
}
