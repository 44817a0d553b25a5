using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent;

/// <summary>
/// The fused gate functions at every vector width (wider than the hardware runs in software emulation) against a
/// scalar reference of the same formula: element-wise with no reordering, so results must be bit-identical.
/// </summary>
public sealed class GateMathTests
{
    public static TheoryData<string> Levels() => ["Scalar", "Vector128", "Vector256", "Vector512"];

    [Theory]
    [MemberData(nameof(Levels))]
    public void BackwardBlendMatchesTheScalarFormulaAtEveryLength(string levelName)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        var random = new Random(1);
        for (int length = 0; length <= 70; length++)
        {
            float[] Values() => [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];
            float[] dh = Values(), z = Values(), n = Values(), previous = Values(), dPrevious = Values();
            float[] expectedPrevious = [.. dPrevious];
            var expectedUpdate = new float[length];
            var expectedCandidate = new float[length];
            for (int i = 0; i < length; i++)
            {
                expectedPrevious[i] += dh[i] * z[i];
                expectedUpdate[i] = dh[i] * (previous[i] - n[i]) * z[i] * (1 - z[i]);
                expectedCandidate[i] = dh[i] * (1 - z[i]) * (1 - (n[i] * n[i]));
            }

            var update = new float[length];
            var candidate = new float[length];
            GateMath.BackwardBlend(level, dh, z, n, previous, dPrevious, update, candidate);

            Assert.Equal(expectedPrevious, dPrevious);
            Assert.Equal(expectedUpdate, update);
            Assert.Equal(expectedCandidate, candidate);
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void SigmoidDerivativeMatchesTheScalarFormulaAtEveryLength(string levelName)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        var random = new Random(2);
        for (int length = 0; length <= 70; length++)
        {
            float[] gradient = [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];
            float[] sigmoid = [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble())];
            float[] expected = [.. gradient.Select((g, i) => g * sigmoid[i] * (1 - sigmoid[i]))];

            GateMath.SigmoidDerivativeInPlace(level, gradient, sigmoid);

            Assert.Equal(expected, gradient);
        }
    }
}
