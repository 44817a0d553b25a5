using GruAnomaly.Training;

namespace GruAnomaly.Tests.Training;

public sealed class GradientClippingTests
{
    [Fact]
    public void Global_norm_on_hand_values()
    {
        Assert.Equal(5f, GradientClipping.GlobalNorm([3f, 4f]));
        Assert.Equal(13f, GradientClipping.GlobalNorm([0f, -5f, 0f, 12f]));
        Assert.Equal(0f, GradientClipping.GlobalNorm([]));
    }

    [Fact]
    public void Global_norm_matches_a_double_precision_reference_for_many_lengths()
    {
        Random random = new(7);
        for (int length = 0; length <= 130; length++)
        {
            float[] values = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            double expected = Math.Sqrt(values.Sum(v => (double)v * v));
            Assert.Equal((float)expected, GradientClipping.GlobalNorm(values));
        }
    }

    [Fact]
    public void Global_norm_does_not_overflow_for_large_finite_gradients()
    {
        // Σg² = 4e40 overflows float (max ≈ 3.4e38) but not double; the norm 2e20 is representable.
        float[] gradients = [1e20f, -1e20f, 1e20f, 1e20f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f];
        Assert.Equal(2e20f, GradientClipping.GlobalNorm(gradients), 1e14f);
    }

    [Fact]
    public void Clipping_scales_by_max_norm_over_norm_plus_epsilon()
    {
        float[] gradients = [3f, 4f];
        float norm = GradientClipping.ClipByGlobalNorm(gradients, 1f);

        Assert.Equal(5f, norm);
        float scale = 1f / (5f + 1e-6f);
        Assert.Equal([3f * scale, 4f * scale], gradients);
        Assert.True(GradientClipping.GlobalNorm(gradients) < 1f);
        Assert.Equal(1f, GradientClipping.GlobalNorm(gradients), 1e-6f);
    }

    [Fact]
    public void Clipping_leaves_gradients_at_or_below_the_limit_untouched()
    {
        float[] below = [0.3f, 0.4f];
        Assert.Equal(0.5f, GradientClipping.ClipByGlobalNorm(below, 1f));
        Assert.Equal([0.3f, 0.4f], below);

        float[] atLimit = [3f, 4f];
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm(atLimit, 5f));
        Assert.Equal([3f, 4f], atLimit);

        float[] unlimited = [3e30f, 4e30f];
        GradientClipping.ClipByGlobalNorm(unlimited, float.PositiveInfinity);
        Assert.Equal([3e30f, 4e30f], unlimited);
    }

    [Fact]
    public void Clipping_a_long_vector_keeps_its_direction()
    {
        float[] gradients = Enumerable.Range(0, 1001).Select(i => (float)Math.Sin(i)).ToArray();
        float[] original = (float[])gradients.Clone();
        float norm = GradientClipping.ClipByGlobalNorm(gradients, 2f);

        Assert.True(norm > 2f);
        float scale = 2f / (norm + 1e-6f);
        for (int i = 0; i < gradients.Length; i++)
        {
            Assert.Equal(original[i] * scale, gradients[i]);
        }
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_norm_is_returned_and_gradients_are_left_for_the_trainer(float bad)
    {
        float[] gradients = [100f, bad, 100f];
        float norm = GradientClipping.ClipByGlobalNorm(gradients, 1f);

        Assert.False(float.IsFinite(norm));
        Assert.Equal(float.IsNaN(bad), float.IsNaN(norm));
        Assert.Equal([100f, bad, 100f], gradients);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Max_norm_must_be_positive(float maxNorm)
    {
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[2], maxNorm)).ParamName);
    }

    [Fact]
    public void Same_inputs_give_bit_identical_results()
    {
        float[] first = Enumerable.Range(0, 777).Select(i => (float)Math.Cos(i * 0.37) * 3).ToArray();
        float[] second = (float[])first.Clone();
        float a = GradientClipping.ClipByGlobalNorm(first, 1.5f);
        float b = GradientClipping.ClipByGlobalNorm(second, 1.5f);

        Assert.Equal(BitConverter.SingleToInt32Bits(a), BitConverter.SingleToInt32Bits(b));
        Assert.Equal(first, second);
    }
}