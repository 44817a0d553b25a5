using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent.Streaming;

/// <summary>
/// The streamer's batch-1 product at every instruction-set level (levels the hardware lacks run emulated), on shapes that
/// fill whole vector panels and shapes that leave ragged ones, against a double-precision reference.
/// </summary>
public class PackedMatrixTests
{
    public static TheoryData<string, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (SimdLevel level in Enum.GetValues<SimdLevel>())
        {
            foreach ((int first, int second, int columns) in new[] { (1, 0, 1), (0, 5, 7), (3, 4, 33), (1, 64, 128), (64, 64, 64), (8, 1, 100), (65, 0, 17) })
            {
                data.Add(level.ToString(), first, second, columns);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_product_equals_a_double_precision_reference_within_the_summation_bound(string levelName, int firstRows, int secondRows, int columns)
    {
        SimdLevel level = Enum.Parse<SimdLevel>(levelName);
        int rows = firstRows + secondRows;
        float[] weights = NetworkStreamerTests.RandomValues(rows * columns, 1);
        float[] bias = NetworkStreamerTests.RandomValues(columns, 2);
        float[] vector = NetworkStreamerTests.RandomValues(rows, 3);
        // The weights sit inside a wider matrix (leading dimension columns + 3, from column 2) as a gate block does.
        int ld = columns + 3;
        var stored = new float[rows * ld];
        for (int r = 0; r < rows; r++)
        {
            weights.AsSpan(r * columns, columns).CopyTo(stored.AsSpan((r * ld) + 2));
        }

        var matrix = new PackedMatrix(rows, columns, level);
        matrix.SetRows(0, stored, firstRows, ld, 2);
        matrix.SetRows(firstRows, stored.AsSpan(firstRows * ld), secondRows, ld, 2);
        matrix.AddBias(bias);
        var y = new float[matrix.PaddedColumns];
        y.AsSpan(columns).Fill(float.NaN);

        matrix.Multiply(vector.AsSpan(0, firstRows), vector.AsSpan(firstRows), matrix.Bias, y);

        for (int j = 0; j < columns; j++)
        {
            double exact = bias[j], magnitude = Math.Abs(bias[j]);
            for (int k = 0; k < rows; k++)
            {
                exact += (double)vector[k] * weights[(k * columns) + j];
                magnitude += Math.Abs((double)vector[k] * weights[(k * columns) + j]);
            }

            // Recursive summation of rows + 1 terms in float32 (FMA or not): |error| ≤ (rows + 1)·2⁻²⁴·Σ|terms|.
            double bound = (rows + 1) * Math.Pow(2, -24) * magnitude;
            Assert.True(Math.Abs(y[j] - exact) <= bound, $"column {j}: {y[j]} vs {exact}, bound {bound}");
        }

        Assert.All(y.AsSpan(columns).ToArray(), padded => Assert.Equal(0f, padded));
    }

    [Fact]
    public void The_addend_may_be_the_output_itself()
    {
        var matrix = new PackedMatrix(2, 3);
        matrix.SetRows(0, [1, 2, 3, 4, 5, 6], 2, 3, 0);
        var y = new float[matrix.PaddedColumns];
        y[0] = 10;
        y[1] = 20;
        y[2] = 30;

        matrix.Multiply([1f], [2f], y, y);

        // [1 2]·[[1 2 3] [4 5 6]] = [9 12 15], plus the old y.
        Assert.Equal([19f, 32f, 45f], y[..3]);
    }
}
