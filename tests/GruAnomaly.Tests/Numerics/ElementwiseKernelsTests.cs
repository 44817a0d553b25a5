using System.Numerics.Tensors;

using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Tests.Numerics;

/// <summary>
/// The fully optimized element-wise kernels replace <see cref="TensorPrimitives"/> in the hot loops. The arithmetic ones
/// promise that results do not change: at the width TensorPrimitives itself uses (the widest accelerated one), every
/// length 0…256, in place and not, must agree bit for bit. Sigmoid and tanh use the library's own single-precision exp
/// instead of the runtime's (which stayed in tier-0 code on one CPU), so they are held to accuracy against double
/// precision instead. Narrower widths are checked against the scalar formula.
/// </summary>
public sealed class ElementwiseKernelsTests
{
    /// <summary>Three units in the last place of a float, relative: the own exp is within 2 ulp, and one division rounds once more.</summary>
    private const double ActivationTolerance = 3.0 / (1 << 23);

    public static TheoryData<string> Operations() => ["Add", "Multiply", "MultiplyAdd", "Lerp"];

    public static TheoryData<string> Activations() => ["Sigmoid", "Tanh"];

    [Theory]
    [MemberData(nameof(Activations))]
    public void Activations_are_within_three_ulp_of_double_precision_at_every_length(string operation)
    {
        // Spans shorter than one vector of the widest accelerated width go to TensorPrimitives itself (not checked here).
        static bool Run(string operation, float[] x, float[] destination) => operation == "Sigmoid"
            ? ElementwiseKernels.TryUnary<ElementwiseKernels.SigmoidOp>(SimdLevels.Best, x, destination)
            : ElementwiseKernels.TryUnary<ElementwiseKernels.TanhOp>(SimdLevels.Best, x, destination);
        var random = new Random(7);
        double worst = 0;
        int ran = 0;
        for (int length = 0; length <= 256; length++)
        {
            float[] x = Values(random, length);
            var actual = new float[length];
            float[] inPlace = [.. x];
            if (!Run(operation, x, actual) || !Run(operation, inPlace, inPlace))
            {
                continue;
            }

            ran++;
            for (int i = 0; i < length; i++)
            {
                double exact = operation == "Sigmoid" ? 1 / (1 + Math.Exp(-(double)x[i])) : Math.Tanh(x[i]);
                double error = Math.Abs(actual[i] - exact) / Math.Max(Math.Abs(exact), 1e-30);
                worst = Math.Max(worst, error);
                Assert.True(error <= ActivationTolerance, $"{operation}({x[i]:R}) at length {length}: {actual[i]:R}, exact {exact:R} (relative error {error:E2})");
                Assert.Equal(BitConverter.SingleToInt32Bits(actual[i]), BitConverter.SingleToInt32Bits(inPlace[i]));
                // The sign of a result is right, except that of zero: tanh(−0) gives +0 (the odd polynomial adds −0 to +0).
                Assert.True(exact == 0 || double.IsNegative(exact) == float.IsNegative(actual[i]), $"{operation}({x[i]:R}): sign of {actual[i]:R}");
            }
        }

        Assert.True(ran >= 240, $"the kernel ran at only {ran} lengths");
        Assert.True(worst > 0, "the comparison saw no rounding at all: the reference is not independent");
    }

    public static TheoryData<string, string> OperationsAndLevels()
    {
        var data = new TheoryData<string, string>();
        foreach (string operation in (string[])["Sigmoid", "Tanh", "Add", "Multiply", "MultiplyAdd", "Lerp"])
        {
            foreach (string level in (string[])["Vector128", "Vector256", "Vector512"])
            {
                data.Add(operation, level);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void MatchesTensorPrimitivesBitForBitAtEveryLength(string operation)
    {
        var random = new Random(7);
        for (int length = 0; length <= 256; length++)
        {
            float[] x = Values(random, length), y = Values(random, length), z = Values(random, length, amounts: true);
            var expected = new float[length];
            var actual = new float[length];
            Reference(operation, x, y, z, expected);
            Ours(operation, x, y, z, actual);
            AssertBits(expected, actual, operation, length);

            // In place: the destination is the first operand, as the cells call Sigmoid(gates, gates) and Tanh(n, n).
            float[] inPlace = [.. x];
            Ours(operation, inPlace, y, z, inPlace);
            AssertBits(expected, inPlace, operation + " in place", length);
        }
    }

    [Theory]
    [MemberData(nameof(OperationsAndLevels))]
    public void EveryWidthAgreesWithTheScalarFormula(string operation, string levelName)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        var random = new Random(3);
        for (int length = 0; length <= 100; length++)
        {
            float[] x = Values(random, length), y = Values(random, length), z = Values(random, length, amounts: true);
            var actual = new float[length];
            bool ran = operation is "Sigmoid" or "Tanh"
                ? operation == "Sigmoid"
                    ? ElementwiseKernels.TryUnary<ElementwiseKernels.SigmoidOp>(level, x, actual)
                    : ElementwiseKernels.TryUnary<ElementwiseKernels.TanhOp>(level, x, actual)
                : operation switch
                {
                    "Add" => ElementwiseKernels.TryTernary<ElementwiseKernels.AddOp>(level, x, y, y, actual),
                    "Multiply" => ElementwiseKernels.TryTernary<ElementwiseKernels.MultiplyOp>(level, x, y, y, actual),
                    "MultiplyAdd" => ElementwiseKernels.TryTernary<ElementwiseKernels.MultiplyAddOp>(level, x, y, z, actual),
                    _ => ElementwiseKernels.TryTernary<ElementwiseKernels.LerpOp>(level, x, y, z, actual),
                };
            int width = level switch { SimdLevel.Vector128 => 4, SimdLevel.Vector256 => 8, _ => 16 };
            Assert.Equal(length >= width, ran);
            for (int i = 0; ran && i < length; i++)
            {
                float expected = operation switch
                {
                    "Sigmoid" => 1f / (1f + MathF.Exp(-x[i])),
                    "Tanh" => MathF.Tanh(x[i]),
                    "Add" => x[i] + y[i],
                    "Multiply" => x[i] * y[i],
                    "MultiplyAdd" => (x[i] * y[i]) + z[i],
                    _ => (x[i] * (1 - z[i])) + (y[i] * z[i]),
                };
                Assert.True(MathF.Abs(expected - actual[i]) <= 1e-6f * MathF.Max(1f, MathF.Abs(expected)),
                    $"{operation} at {level}, length {length}, index {i}: {actual[i]} against {expected}");
            }
        }
    }

    private static float[] Values(Random random, int length, bool amounts = false)
    {
        // Wide inputs reach the saturated ends of sigmoid and tanh; zeros and tiny values their sign handling.
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = amounts ? (float)random.NextDouble()
                : (i % 17) switch
                {
                    0 => 0f,
                    1 => -0f,
                    2 => 1e-30f * (float)(random.NextDouble() - 0.5),
                    _ => (float)((random.NextDouble() - 0.5) * 40),
                };
        }

        return values;
    }

    private static void Reference(string operation, float[] x, float[] y, float[] z, float[] destination)
    {
        switch (operation)
        {
            case "Sigmoid" when x.Length > 0: TensorPrimitives.Sigmoid(x, destination); break;
            case "Sigmoid": break;
            case "Tanh": TensorPrimitives.Tanh(x, destination); break;
            case "Add": TensorPrimitives.Add(x, y, destination); break;
            case "Multiply": TensorPrimitives.Multiply(x, y, destination); break;
            case "MultiplyAdd": TensorPrimitives.MultiplyAdd(x, y, z, destination); break;
            default: TensorPrimitives.Lerp(x, y, z, destination); break;
        }
    }

    private static void Ours(string operation, float[] x, float[] y, float[] z, float[] destination)
    {
        switch (operation)
        {
            case "Sigmoid" when x.Length > 0: ElementwiseKernels.Sigmoid(x, destination); break;
            case "Sigmoid": break;
            case "Tanh": ElementwiseKernels.Tanh(x, destination); break;
            case "Add": ElementwiseKernels.Add(x, y, destination); break;
            case "Multiply": ElementwiseKernels.Multiply(x, y, destination); break;
            case "MultiplyAdd": ElementwiseKernels.MultiplyAdd(x, y, z, destination); break;
            default: ElementwiseKernels.Lerp(x, y, z, destination); break;
        }
    }

    private static void AssertBits(float[] expected, float[] actual, string what, int length)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, length {length}, index {i}: {actual[i]:R} against TensorPrimitives' {expected[i]:R}");
        }
    }
}
