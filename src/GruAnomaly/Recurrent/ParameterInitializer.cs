namespace GruAnomaly.Recurrent;

/// <summary>Draws the initial values of a parameter from a seeded random source.</summary>
/// <remarks>Implementations must draw only from the given <see cref="Random"/> so that a seed fixes the network.</remarks>
public abstract class ParameterInitializer
{
    /// <summary>All zeros (the usual choice for biases).</summary>
    public static ParameterInitializer Zeros { get; } = new ConstantInitializer(0f);

    /// <summary>
    /// Glorot (Xavier) uniform: U(−a, a) with <c>a = √(6 / (rows + columns))</c>, as Keras initializes a GRU kernel.
    /// </summary>
    public static ParameterInitializer GlorotUniform { get; } = new GlorotUniformInitializer();

    /// <summary>
    /// Orthogonal: every square <c>rows×rows</c> block of the matrix (one per gate when columns = 3·rows) is a random
    /// orthogonal matrix, as Keras initializes a GRU's recurrent kernel; keeps the recurrent map norm-preserving at start.
    /// </summary>
    public static ParameterInitializer Orthogonal { get; } = new OrthogonalInitializer();

    /// <summary>Every value equal to <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    public static ParameterInitializer Constant(float value) => new ConstantInitializer(value);

    /// <summary>U(−<paramref name="limit"/>, <paramref name="limit"/>); PyTorch's GRU uses <c>limit = 1/√hidden</c> for every tensor.</summary>
    /// <param name="limit">Positive half-width of the interval.</param>
    public static ParameterInitializer Uniform(float limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return new UniformInitializer(limit);
    }

    /// <summary>Fills <paramref name="values"/> (a row-major <paramref name="rows"/>×<paramref name="columns"/> matrix).</summary>
    /// <param name="values">Destination, of length rows·columns.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="random">The only source of randomness.</param>
    public abstract void Initialize(Span<float> values, int rows, int columns, Random random);

    private sealed class ConstantInitializer(float value) : ParameterInitializer
    {
        public override void Initialize(Span<float> values, int rows, int columns, Random random) => values.Fill(value);

        public override string ToString() => $"Constant({value})";
    }

    private sealed class UniformInitializer(float limit) : ParameterInitializer
    {
        public override void Initialize(Span<float> values, int rows, int columns, Random random)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2 - 1) * limit);
            }
        }

        public override string ToString() => $"Uniform({limit})";
    }

    private sealed class GlorotUniformInitializer : ParameterInitializer
    {
        public override void Initialize(Span<float> values, int rows, int columns, Random random) =>
            new UniformInitializer((float)Math.Sqrt(6.0 / (rows + columns))).Initialize(values, rows, columns, random);

        public override string ToString() => "GlorotUniform";
    }

    private sealed class OrthogonalInitializer : ParameterInitializer
    {
        public override void Initialize(Span<float> values, int rows, int columns, Random random)
        {
            // Square blocks side by side; a non-multiple width gets one orthonormal set of rows or columns instead.
            int block = columns % rows == 0 ? rows : columns;
            for (int start = 0; start < columns; start += block)
            {
                FillOrthogonalBlock(values, rows, columns, start, Math.Min(block, columns - start), random);
            }
        }

        public override string ToString() => "Orthogonal";

        private static void FillOrthogonalBlock(Span<float> values, int rows, int columns, int firstColumn, int width, Random random)
        {
            // Gram–Schmidt in double on Gaussian vectors: orthonormal along the longer side of the block.
            bool alongColumns = rows >= width;
            int vectorLength = alongColumns ? rows : width;
            int vectorCount = alongColumns ? width : rows;
            var basis = new double[vectorCount * vectorLength];
            for (int v = 0; v < vectorCount; v++)
            {
                Span<double> current = basis.AsSpan(v * vectorLength, vectorLength);
                double norm;
                do
                {
                    for (int i = 0; i < vectorLength; i++)
                    {
                        current[i] = NextGaussian(random);
                    }

                    for (int previous = 0; previous < v; previous++)
                    {
                        ReadOnlySpan<double> other = basis.AsSpan(previous * vectorLength, vectorLength);
                        double projection = 0;
                        for (int i = 0; i < vectorLength; i++)
                        {
                            projection += current[i] * other[i];
                        }

                        for (int i = 0; i < vectorLength; i++)
                        {
                            current[i] -= projection * other[i];
                        }
                    }

                    norm = 0;
                    for (int i = 0; i < vectorLength; i++)
                    {
                        norm += current[i] * current[i];
                    }

                    norm = Math.Sqrt(norm);
                }
                while (norm < 1e-6);

                for (int i = 0; i < vectorLength; i++)
                {
                    double value = current[i] / norm;
                    current[i] = value;
                    int row = alongColumns ? i : v;
                    int column = firstColumn + (alongColumns ? v : i);
                    values[row * columns + column] = (float)value;
                }
            }
        }

        private static double NextGaussian(Random random)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
