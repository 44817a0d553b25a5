using GruAnomaly.Numerics;

namespace GruAnomaly.Recurrent;

/// <summary>A fully connected output layer, <c>y = h·W + b</c>, that maps recurrent states to predictions.</summary>
/// <remarks>Parameters: <c>weights</c> (InputSize × OutputSize, Glorot uniform) and <c>bias</c> (1 × OutputSize, zeros).</remarks>
public sealed class DenseHead
{
    /// <summary>Creates a head.</summary>
    /// <param name="inputSize">Width of the states it reads (positive).</param>
    /// <param name="outputSize">Number of outputs (positive).</param>
    public DenseHead(int inputSize, int outputSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        InputSize = inputSize;
        OutputSize = outputSize;
        Parameters =
        [
            new ParameterSpec("weights", inputSize, outputSize, ParameterInitializer.GlorotUniform),
            new ParameterSpec("bias", 1, outputSize, ParameterInitializer.Zeros),
        ];
    }

    /// <summary>Gets the width of the states it reads.</summary>
    public int InputSize { get; }

    /// <summary>Gets the number of outputs.</summary>
    public int OutputSize { get; }

    /// <summary>Gets the parameters in layout order.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Computes <c>outputs = inputs·W + b</c> for <paramref name="rows"/> rows.</summary>
    /// <param name="parameters">The head's parameters.</param>
    /// <param name="inputs">rows×InputSize.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="outputs">rows×OutputSize, overwritten.</param>
    /// <param name="matrix">The source of the matrix product; <see langword="null"/> for <see cref="ManagedMatrixProvider.Instance"/>.</param>
    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows, Span<float> outputs, IMatrixProvider? matrix = null) =>
        GateMath.ProjectWithBias(matrix ?? ManagedMatrixProvider.Instance, inputs, rows, InputSize, parameters[..(InputSize * OutputSize)],
            parameters.Slice(InputSize * OutputSize, OutputSize), outputs, OutputSize);

    /// <summary>Adds the gradients of the parameters and, when requested, of the inputs.</summary>
    /// <param name="parameters">The head's parameters.</param>
    /// <param name="inputs">rows×InputSize, as given to <see cref="Forward"/>.</param>
    /// <param name="outputGradients">rows×OutputSize.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="parameterGradients">Added to.</param>
    /// <param name="inputGradients">rows×InputSize, added to; empty when not needed.</param>
    /// <param name="matrix">The source of the matrix products; <see langword="null"/> for <see cref="ManagedMatrixProvider.Instance"/>.</param>
    public void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, int rows,
        Span<float> parameterGradients, Span<float> inputGradients, IMatrixProvider? matrix = null)
    {
        int weightCount = InputSize * OutputSize;
        matrix ??= ManagedMatrixProvider.Instance;
        GateMath.AccumulateProjectionGradients(matrix, inputs, rows, InputSize, outputGradients, OutputSize, OutputSize,
            parameterGradients[..weightCount], OutputSize, parameterGradients.Slice(weightCount, OutputSize));
        if (!inputGradients.IsEmpty)
        {
            matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, InputSize, OutputSize,
                1f, outputGradients, OutputSize, parameters[..weightCount], OutputSize, 1f, inputGradients, InputSize);
        }
    }
}
