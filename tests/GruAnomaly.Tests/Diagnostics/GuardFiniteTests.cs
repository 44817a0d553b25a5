using GruAnomaly.Diagnostics;

namespace GruAnomaly.Tests.Diagnostics;

/// <summary>
/// <see cref="Guard.AllFinite"/>, the library's own finiteness scan, against <see cref="float.IsFinite"/> at every
/// length across the vector widths (so the vector body and the scalar tail both see every kind of value at every
/// position), and the exception <see cref="Guard.Finite"/> builds from it.
/// </summary>
public sealed class GuardFiniteTests
{
    private static readonly float[] NonFinite = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(-1)];

    /// <summary>Finite values at the edges of the format: the largest, the smallest normal and subnormal, both zeros.</summary>
    private static readonly float[] EdgeFinite = [float.MaxValue, float.MinValue, 1.1754944e-38f, float.Epsilon, -float.Epsilon, 0f, -0f];

    [Fact]
    public void EveryLengthAndPosition_MatchesIsFinite()
    {
        for (int length = 0; length <= 70; length++)
        {
            float[] values = Values(length);
            Assert.True(Guard.AllFinite(values), $"length {length}, all finite");
            for (int position = 0; position < length; position++)
            {
                foreach (float bad in NonFinite)
                {
                    float kept = values[position];
                    values[position] = bad;
                    Assert.False(Guard.AllFinite(values), $"length {length}, {bad} at {position}");
                    Assert.False(Guard.AllFinite(values.AsSpan(position)), $"length {length}, {bad} first of an unaligned slice");
                    values[position] = kept;
                }
            }
        }
    }

    [Fact]
    public void Finite_NamesTheFirstBadValueAndItsIndex()
    {
        float[] values = Values(40);
        values[33] = float.PositiveInfinity;
        values[35] = float.NaN;
        ArgumentException error = Assert.Throws<ArgumentException>(() => Guard.Finite(values, "inputs", "inputs"));
        Assert.Equal("inputs", error.ParamName);
        Assert.Contains($"contains {float.PositiveInfinity} at index 33", error.Message, StringComparison.Ordinal);
    }

    private static float[] Values(int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = i < EdgeFinite.Length ? EdgeFinite[i] : MathF.Sin(i) * 1e30f;
        }

        return values;
    }
}
