using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent.Streaming;

/// <summary>
/// The streamer's batch path (<see cref="NetworkStreamer"/>'s Advance: a chunk's input side, then the time loop, then the
/// head over the chunk) against its one-point step: the same outputs, states and step counts to the last bit, and the
/// kernels it is made of against <see cref="PackedMatrix.Multiply"/>, at every instruction-set level.
/// </summary>
public class StreamAdvanceTests
{
    public static TheoryData<string, int, int, int> SplitCases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (SimdLevel level in Enum.GetValues<SimdLevel>())
        {
            foreach ((int first, int second, int columns) in new[] { (1, 32, 64), (3, 5, 33), (4, 24, 48), (0, 7, 5), (7, 0, 70) })
            {
                data.Add(level.ToString(), first, second, columns);
            }
        }

        return data;
    }

    private static PackedMatrix Matrix(int rows, int columns, SimdLevel level, int seed)
    {
        var matrix = new PackedMatrix(rows, columns, level);
        matrix.SetRows(0, NetworkStreamerTests.RandomValues(rows * columns, seed), rows, columns, 0);
        matrix.AddBias(NetworkStreamerTests.RandomValues(columns, seed + 1));
        return matrix;
    }

    [Theory]
    [MemberData(nameof(SplitCases))]
    public void A_product_split_into_its_two_segments_equals_the_whole_product_bit_for_bit(string levelName, int firstRows, int secondRows, int columns)
    {
        PackedMatrix matrix = Matrix(firstRows + secondRows, columns, Enum.Parse<SimdLevel>(levelName), 5);
        float[] vector = NetworkStreamerTests.RandomValues(firstRows + secondRows, 7);
        var whole = new float[matrix.PaddedColumns];
        matrix.Multiply(vector.AsSpan(0, firstRows), vector.AsSpan(firstRows), matrix.Bias, whole);

        var even = new float[matrix.PaddedColumns];
        var odd = new float[matrix.PaddedColumns];
        var split = new float[matrix.PaddedColumns];
        matrix.MultiplyFirst(vector.AsSpan(0, firstRows), matrix.Bias, even, odd);
        matrix.MultiplySecond(firstRows, vector.AsSpan(firstRows), even, odd, split);

        Assert.Equal(Bits(whole), Bits(split));
    }

    [Theory]
    [InlineData("Scalar", 32, 2, 37)]
    [InlineData("Vector128", 32, 2, 37)]
    [InlineData("Vector256", 33, 5, 70)]
    [InlineData("Vector512", 32, 2, 128)]
    [InlineData("Vector512", 7, 70, 1)]
    [InlineData("Vector512", 1, 3, 31)]
    public void The_product_of_many_rows_equals_each_rows_own_product_bit_for_bit(string levelName, int rows, int columns, int count)
    {
        PackedMatrix matrix = Matrix(rows, columns, Enum.Parse<SimdLevel>(levelName), 11);
        float[] x = NetworkStreamerTests.RandomValues(count * rows, 13);
        int stride = (count + matrix.RowBlock - 1) / matrix.RowBlock * matrix.RowBlock;
        // Lanes past the last row hold garbage, which must not reach the output.
        var transposed = Enumerable.Repeat(float.NaN, rows * stride).ToArray();
        for (int r = 0; r < count; r++)
        {
            for (int k = 0; k < rows; k++)
            {
                transposed[(k * stride) + r] = x[(r * rows) + k];
            }
        }

        var many = new float[count * columns];
        matrix.MultiplyRows(transposed, stride, count, many);

        var one = new float[matrix.PaddedColumns];
        for (int r = 0; r < count; r++)
        {
            matrix.Multiply(x.AsSpan(r * rows, rows), default, matrix.Bias, one);
            Assert.Equal(Bits(one.AsSpan(0, columns)), Bits(many.AsSpan(r * columns, columns)));
        }
    }

    public static TheoryData<GruVariant, int, int, int, bool> NetworkCases() => new()
    {
        // variant, input size, hidden, layers, head; lengths cross the chunk of 128 points.
        { GruVariant.ResetBefore, 1, 32, 1, true },
        { GruVariant.ResetAfter, 1, 32, 1, true },
        { GruVariant.ResetBefore, 3, 24, 2, true },
        { GruVariant.ResetAfter, 2, 17, 2, false },
        { GruVariant.ResetBefore, 4, 8, 3, true },
    };

    [Theory]
    [MemberData(nameof(NetworkCases))]
    public void Advancing_through_a_series_equals_stepping_it_point_by_point_bit_for_bit(GruVariant variant, int inputSize, int hidden, int layers, bool head)
    {
        RecurrentNetwork network = RecurrentNetwork.CreateGru(inputSize, hidden, layers, head ? 2 * inputSize : null, variant, HeadPlacement.EveryStep);
        AssertAdvanceEqualsSteps(network, points: 300, seed: 3);
    }

    [Fact]
    public void A_network_of_other_cells_advances_point_by_point_with_the_same_values()
    {
        var network = new RecurrentNetwork([new MinimalGatedUnitCell(2, 6), new GruCell(6, 5)], new DenseHead(5, 2), HeadPlacement.EveryStep);
        AssertAdvanceEqualsSteps(network, points: 140, seed: 8);
    }

    [Fact]
    public void A_non_finite_input_is_refused()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateGru(1, 4, 1, 1, headPlacement: HeadPlacement.EveryStep);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(1));
        float[] inputs = [1f, 2f, float.NaN, 4f];
        Assert.Throws<ArgumentException>(() =>
            streamer.Advance(streamer.CreateState(), inputs, new float[4], streamer.CreateAdvanceBuffers()));
    }

    /// <summary>
    /// Advances one state over the series in uneven pieces (one point, a chunk and more, the rest) from a saved state, and
    /// steps another point by point: outputs, final state and step count must be equal to the last bit.
    /// </summary>
    private static void AssertAdvanceEqualsSteps(RecurrentNetwork network, int points, int seed)
    {
        var parameters = new float[network.ParameterCount];
        foreach (ParameterSlot slot in network.ParameterSlots)
        {
            NetworkStreamerTests.RandomValues(slot.Length, seed + slot.Offset, 0.5f).CopyTo(slot.Slice(parameters.AsSpan()));
        }

        NetworkStreamer streamer = network.CreateStreamer(parameters);
        float[] inputs = NetworkStreamerTests.RandomValues(points * network.InputSize, seed + 1, 2f);
        float[] initial = NetworkStreamerTests.RandomValues(network.StateSize, seed + 2, 0.8f);
        int inputSize = streamer.InputSize, outputSize = streamer.OutputSize;

        StreamState stepped = streamer.CreateState();
        stepped.RestoreFrom(initial, 5);
        var expected = new float[points * outputSize];
        for (int t = 0; t < points; t++)
        {
            streamer.Step(stepped, inputs.AsSpan(t * inputSize, inputSize), expected.AsSpan(t * outputSize, outputSize));
        }

        StreamState advanced = streamer.CreateState();
        advanced.RestoreFrom(initial, 5);
        NetworkStreamer.AdvanceBuffers run = streamer.CreateAdvanceBuffers();
        var actual = new float[points * outputSize];
        int[] cuts = [0, 1, 1 + NetworkStreamer.AdvanceChunk + 3, points];
        for (int piece = 0; piece + 1 < cuts.Length; piece++)
        {
            int from = cuts[piece], to = cuts[piece + 1];
            streamer.Advance(advanced, inputs.AsSpan(from * inputSize, (to - from) * inputSize),
                actual.AsSpan(from * outputSize, (to - from) * outputSize), run);
        }

        Assert.Equal(Bits(expected), Bits(actual));
        Assert.Equal(Bits(stepped.HiddenState), Bits(advanced.HiddenState));
        Assert.Equal(stepped.StepsSeen, advanced.StepsSeen);
    }

    internal static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        }

        return bits;
    }
}
