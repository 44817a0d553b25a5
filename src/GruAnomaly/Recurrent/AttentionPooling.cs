using System.Numerics.Tensors;
using GruAnomaly.Numerics;

namespace GruAnomaly.Recurrent;

/// <summary>
/// Additive (Bahdanau-style) attention pooling over a window's steps: instead of the last step's top state
/// <c>h_T</c>, a <see cref="DenseHead"/> reads the context <c>c = Σ_t α_t·h_t</c>, where
/// <c>e_t = tanh(h_t·W + b)·v</c> and <c>α = softmax_t(e)</c> over the steps of each sequence.
/// </summary>
/// <remarks>
/// <para>
/// Parameters, laid out in this order: <c>weights</c> W (InputSize × AttentionSize, Glorot uniform), <c>bias</c> b
/// (1 × AttentionSize, zeros) and <c>score</c> v (1 × AttentionSize, Glorot uniform). Row vectors as in the cells:
/// <c>W</c> is the transpose of a <c>torch.nn.Linear(InputSize, AttentionSize).weight</c>. The score has no bias: a
/// constant added to every <c>e_t</c> cancels in the softmax.
/// </para>
/// <para>
/// States are time-major, <c>states[(t·batch + b)·InputSize + i]</c>, the layout of
/// <see cref="NetworkWorkspace.LayerOutputs"/>. Like <see cref="DenseHead"/>, the pooling holds no values and no buffers:
/// it is immutable and shared by every thread, and callers pass spans (the network's workspace holds them), so a pass
/// allocates nothing.
/// </para>
/// </remarks>
public sealed class AttentionPooling
{
    /// <summary>Creates the pooling.</summary>
    /// <param name="inputSize">Width H of the states it reads (positive); also the width of the context it outputs.</param>
    /// <param name="attentionSize">Width A of the hidden layer that scores each step (positive).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public AttentionPooling(int inputSize, int attentionSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(attentionSize);
        InputSize = inputSize;
        AttentionSize = attentionSize;
        Parameters =
        [
            new ParameterSpec("weights", inputSize, attentionSize, ParameterInitializer.GlorotUniform),
            new ParameterSpec("bias", 1, attentionSize, ParameterInitializer.Zeros),
            new ParameterSpec("score", 1, attentionSize, ParameterInitializer.GlorotUniform),
        ];
        ParameterCount = (inputSize + 2) * attentionSize;
    }

    /// <summary>Gets the width H of the states it reads and of the context it outputs.</summary>
    public int InputSize { get; }

    /// <summary>Gets the width A of the layer that scores each step.</summary>
    public int AttentionSize { get; }

    /// <summary>Gets the parameters in layout order.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Gets the number of parameter values, <c>(InputSize + 2)·AttentionSize</c>.</summary>
    public int ParameterCount { get; }

    /// <summary>Used only by tests: leaves one term out of <see cref="Backward"/> to show that the gradient check notices.</summary>
    internal AttentionTerm OmittedTerm { get; init; }

    /// <summary>Gets how many scratch values <see cref="Backward"/> needs for <paramref name="rows"/> = steps·batch rows.</summary>
    /// <param name="rows">steps × batch.</param>
    /// <returns><c>rows·(AttentionSize + 1)</c>.</returns>
    public int BackwardScratchSize(int rows) => rows * (AttentionSize + 1);

    /// <summary>Computes the attention weights of every step and the context of every sequence.</summary>
    /// <param name="parameters">The pooling's parameters (<see cref="ParameterCount"/> values).</param>
    /// <param name="states">steps×batch×InputSize, time-major.</param>
    /// <param name="steps">Steps per sequence (positive).</param>
    /// <param name="batch">Sequences (positive).</param>
    /// <param name="context">batch×InputSize, overwritten with <c>Σ_t α_t·h_t</c>.</param>
    /// <param name="weights">steps×batch, time-major, overwritten with α (each sequence's weights sum to 1).</param>
    /// <param name="activations">steps×batch×AttentionSize, overwritten with <c>tanh(h_t·W + b)</c>; <see cref="Backward"/> reads it.</param>
    /// <param name="matrix">The source of the matrix product; <see langword="null"/> for <see cref="ManagedMatrixProvider.Instance"/>.</param>
    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> states, int steps, int batch, Span<float> context,
        Span<float> weights, Span<float> activations, IMatrixProvider? matrix = null)
    {
        int hidden = InputSize, width = AttentionSize, rows = steps * batch;
        ReadOnlySpan<float> w = parameters[..(hidden * width)];
        ReadOnlySpan<float> bias = parameters.Slice(hidden * width, width);
        ReadOnlySpan<float> score = parameters.Slice((hidden + 1) * width, width);
        Span<float> u = activations[..(rows * width)];
        GateMath.ProjectWithBias(matrix ?? ManagedMatrixProvider.Instance, states, rows, hidden, w, bias, u, width);
        TensorPrimitives.Tanh(u, u);
        for (int row = 0; row < rows; row++)
        {
            weights[row] = TensorPrimitives.Dot(u.Slice(row * width, width), score);
        }

        for (int b = 0; b < batch; b++)
        {
            // Softmax over the steps of sequence b (a column of the time-major scores), shifted by its maximum so exp never overflows.
            float max = float.NegativeInfinity;
            for (int t = 0; t < steps; t++)
            {
                max = Math.Max(max, weights[(t * batch) + b]);
            }

            float sum = 0f;
            for (int t = 0; t < steps; t++)
            {
                float e = MathF.Exp(weights[(t * batch) + b] - max);
                weights[(t * batch) + b] = e;
                sum += e;
            }

            float inverse = 1f / sum;
            for (int t = 0; t < steps; t++)
            {
                weights[(t * batch) + b] *= inverse;
            }
        }

        context[..(batch * hidden)].Clear();
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                Span<float> c = context.Slice(b * hidden, hidden);
                TensorPrimitives.MultiplyAdd(states.Slice(((t * batch) + b) * hidden, hidden), weights[(t * batch) + b], c, c);
            }
        }
    }

    /// <summary>
    /// Adds the gradients of the parameters and of every step's state, given the gradient of the loss with respect to the
    /// context: through the weighted sum (<c>α_t·g</c>), and through the scores (softmax, tanh layer).
    /// </summary>
    /// <param name="parameters">The pooling's parameters.</param>
    /// <param name="states">steps×batch×InputSize, as given to <see cref="Forward"/>.</param>
    /// <param name="weights">The attention weights <see cref="Forward"/> wrote.</param>
    /// <param name="activations">The activations <see cref="Forward"/> wrote.</param>
    /// <param name="contextGradients">batch×InputSize: ∂loss/∂context.</param>
    /// <param name="steps">Steps per sequence.</param>
    /// <param name="batch">Sequences.</param>
    /// <param name="parameterGradients">The pooling's <see cref="ParameterCount"/> gradients, added to.</param>
    /// <param name="stateGradients">steps×batch×InputSize, added to.</param>
    /// <param name="scratch">At least <see cref="BackwardScratchSize"/>(steps·batch) values, overwritten.</param>
    /// <param name="matrix">The source of the matrix products; <see langword="null"/> for <see cref="ManagedMatrixProvider.Instance"/>.</param>
    public void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> states, ReadOnlySpan<float> weights, ReadOnlySpan<float> activations,
        ReadOnlySpan<float> contextGradients, int steps, int batch, Span<float> parameterGradients, Span<float> stateGradients,
        Span<float> scratch, IMatrixProvider? matrix = null)
    {
        int hidden = InputSize, width = AttentionSize, rows = steps * batch;
        matrix ??= ManagedMatrixProvider.Instance;
        ReadOnlySpan<float> w = parameters[..(hidden * width)];
        ReadOnlySpan<float> score = parameters.Slice((hidden + 1) * width, width);
        Span<float> scoreGradients = scratch[..rows];
        Span<float> activationGradients = scratch.Slice(rows, rows * width);

        // ∂L/∂α_t = g·h_t; the weighted sum also hands α_t·g straight to h_t.
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int row = (t * batch) + b;
                ReadOnlySpan<float> g = contextGradients.Slice(b * hidden, hidden);
                scoreGradients[row] = TensorPrimitives.Dot(g, states.Slice(row * hidden, hidden));
                if (OmittedTerm != AttentionTerm.WeightedSum)
                {
                    Span<float> stateGradient = stateGradients.Slice(row * hidden, hidden);
                    TensorPrimitives.MultiplyAdd(g, weights[row], stateGradient, stateGradient);
                }
            }
        }

        // Softmax: ∂L/∂e_t = α_t·(∂L/∂α_t − Σ_s α_s·∂L/∂α_s).
        for (int b = 0; b < batch; b++)
        {
            // In double: the ∂L/∂e_t of a sequence sum to zero, so the bias's gradient is a sum of cancelling terms and
            // the rounding of the centering would dominate it.
            double mean = 0;
            for (int t = 0; t < steps; t++)
            {
                mean += (double)weights[(t * batch) + b] * scoreGradients[(t * batch) + b];
            }

            if (OmittedTerm == AttentionTerm.SoftmaxCentering)
            {
                mean = 0;
            }

            for (int t = 0; t < steps; t++)
            {
                int row = (t * batch) + b;
                scoreGradients[row] = (float)(weights[row] * (scoreGradients[row] - mean));
            }
        }

        // e_t = u_t·v: ∂L/∂v += Σ_t ∂L/∂e_t·u_t; ∂L/∂(h_t·W + b) = ∂L/∂e_t·v ⊙ (1 − u_t²).
        int weightCount = hidden * width;
        Span<float> scoreGradient = parameterGradients.Slice(weightCount + width, width);
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> u = activations.Slice(row * width, width);
            float e = scoreGradients[row];
            TensorPrimitives.MultiplyAdd(u, e, scoreGradient, scoreGradient);
            Span<float> a = activationGradients.Slice(row * width, width);
            for (int k = 0; k < width; k++)
            {
                a[k] = e * score[k] * (1f - (u[k] * u[k]));
            }
        }

        GateMath.AccumulateProjectionGradients(matrix, states, rows, hidden, activationGradients, width, width,
            parameterGradients[..weightCount], width, parameterGradients.Slice(weightCount, width));
        if (OmittedTerm != AttentionTerm.Scores)
        {
            matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, hidden, width,
                1f, activationGradients, width, w, width, 1f, stateGradients, hidden);
        }
    }
}

/// <summary>A term of <see cref="AttentionPooling.Backward"/> that a test leaves out to see the gradient check fail.</summary>
internal enum AttentionTerm
{
    /// <summary>Nothing left out.</summary>
    None = 0,

    /// <summary>The gradient reaching a state through the weighted sum, <c>α_t·g</c>.</summary>
    WeightedSum = 1,

    /// <summary>The softmax's centering, <c>− Σ_s α_s·∂L/∂α_s</c>.</summary>
    SoftmaxCentering = 2,

    /// <summary>The gradient reaching a state through its score, <c>∂L/∂(h·W + b)·Wᵀ</c>.</summary>
    Scores = 3,
}
