using System.Runtime.CompilerServices;
using GruAnomaly.Diagnostics;
using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>
/// A causal, dilated 1-D convolution written as a recurrent cell, so that it stacks below recurrent layers and streams,
/// trains (with truncated backpropagation) and saves like them:
/// <c>y_t[c] = b[c] + Σ_k Σ_i W[c, i, k] · x_{t−(K−1−k)·d}[i]</c>, inputs before the start being zero.
/// </summary>
/// <remarks>
/// <para>
/// This is PyTorch's <c>nn.Conv1d(InputSize, Channels, KernelSize, dilation=d, padding=(K−1)·d)</c> over a sequence of
/// length T with its output trimmed to the first T steps (the left padding is the zero initial state, the right padding is
/// dropped), with no activation: the recurrent layer above applies its own non-linearity to a learned filter bank of the
/// recent inputs, and the cell stays an exact, linear counterpart of PyTorch's.
/// </para>
/// <para>
/// State: each row is <c>[y_t | x_{t−(K−1)·d+1}, …, x_t]</c>, <see cref="StateSize"/> = Channels + (K−1)·d·InputSize: the
/// output, then the last (K−1)·d inputs, oldest first, which the next steps' windows read. Step t shifts that history by
/// one input. Its backward pass sends the gradient of every carried input back through the state chain to the step that
/// read it, so the gradient of an input sums every window it fell into.
/// </para>
/// <para>
/// Parameters: <c>weight</c>, Channels rows × (InputSize·KernelSize) columns holding PyTorch's C×I×K tensor in its memory
/// order (value <c>W[c, i, k]</c> at column <c>i·K + k</c>), so a PyTorch <c>conv.weight</c> copies in as it is; and
/// <c>bias</c> (1 × Channels). Both start as PyTorch's do: U(−1/√(I·K), 1/√(I·K)).
/// </para>
/// </remarks>
public sealed class CausalConvolutionCell : IRecurrentCell
{
    private readonly int _window;
    private readonly int _history;
    private readonly int _weightLength;

    /// <summary>Creates a cell.</summary>
    /// <param name="inputSize">Input features per step (positive).</param>
    /// <param name="channels">Output channels, the cell's <see cref="HiddenSize"/> (positive).</param>
    /// <param name="kernelSize">Taps per channel and input feature (positive).</param>
    /// <param name="dilation">Steps between taps (positive).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the parameters or the state would not fit in one array (<see cref="Array.MaxLength"/>).</exception>
    public CausalConvolutionCell(int inputSize, int channels, int kernelSize, int dilation = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dilation);
        // Every later size is a product of these: refuse here the ones an int cannot hold rather than let them wrap.
        Guard.ArraySize(nameof(kernelSize), "the cell's weight, channels × inputSize × kernelSize", channels, inputSize, kernelSize);
        Guard.ArraySize(nameof(dilation), "a state row, channels + (kernelSize − 1)·dilation·inputSize",
            channels + ((long)(kernelSize - 1) * dilation * inputSize));
        InputSize = inputSize;
        HiddenSize = channels;
        KernelSize = kernelSize;
        Dilation = dilation;
        _window = inputSize * kernelSize;
        _history = (kernelSize - 1) * dilation;
        _weightLength = channels * _window;
        float limit = 1f / MathF.Sqrt(_window);
        Parameters =
        [
            new ParameterSpec("weight", channels, _window, ParameterInitializer.Uniform(limit)),
            new ParameterSpec("bias", 1, channels, ParameterInitializer.Uniform(limit)),
        ];
    }

    /// <inheritdoc />
    public int InputSize { get; }

    /// <summary>Gets the number of output channels, the width of the output.</summary>
    public int HiddenSize { get; }

    /// <summary>Gets the number of output channels (the same as <see cref="HiddenSize"/>).</summary>
    public int Channels => HiddenSize;

    /// <summary>Gets the number of taps per channel and input feature.</summary>
    public int KernelSize { get; }

    /// <summary>Gets the number of steps between two taps.</summary>
    public int Dilation { get; }

    /// <summary>Gets how many past inputs the state carries: (KernelSize − 1)·Dilation, the receptive field minus one.</summary>
    public int HistoryLength => _history;

    /// <summary>Gets the width of one state row: Channels + HistoryLength·InputSize (the output, then the carried inputs).</summary>
    public int StateSize => HiddenSize + (_history * InputSize);

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Gets the record per row: the window of inputs the step read (InputSize·KernelSize, in the weight's column order).</summary>
    public int CacheSize => _window;

    /// <summary>Gets the scratch per row: one window (inference reads into it; backward writes its gradient there).</summary>
    public int ScratchSize => _window;

    /// <summary>Gets no bound: the output is a linear map of the inputs and the carried inputs are inputs.</summary>
    /// <value><see cref="float.PositiveInfinity"/>: restoring a saved stream refuses only values that are not finite.</value>
    public float StateBound => float.PositiveInfinity;

    /// <summary>Gets the per-step gradient width: the output's gradient (Channels), for the weight gradient of all steps at once.</summary>
    public int StepGradientSize => HiddenSize;

    /// <inheritdoc />
    // Once per step, called through the interface (so never inlined): optimized from the first call like Step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(in CellForward step) =>
        Step(step.Matrix, step.BatchSize, step.Parameters, step.Input, step.PreviousState, step.State, step.Cache);

    /// <inheritdoc />
    // Once per step, called through the interface (so never inlined): optimized from the first call like Step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Infer(in CellInference step) =>
        Step(step.Matrix, step.BatchSize, step.Parameters, step.Input, step.PreviousState, step.State, step.Scratch);

    /// <inheritdoc />
    // Runs per step and row: optimized from the first call (tier-0 code here is slow, and on one CPU the JIT waits ~1 s to promote it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(in CellBackward step)
    {
        int batch = step.BatchSize, channels = HiddenSize, width = StateSize, input = InputSize, k = KernelSize, last = k - 1;
        ReadOnlySpan<float> gradient = step.StateGradient;
        Span<float> windowGradients = step.Scratch[..(batch * _window)];

        // dWindow = dY·W for every row at once; dY is the output part of every state-gradient row.
        step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, _window, channels,
            1f, gradient, width, step.Parameters[.._weightLength], _window, 0f, windowGradients, _window);
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> rowGradient = gradient.Slice(row * width, width);
            ReadOnlySpan<float> windowGradient = windowGradients.Slice(row * _window, _window);
            Span<float> previous = step.PreviousStateGradient.Slice(row * width, width);
            rowGradient[..channels].CopyTo(step.StepGradient.Slice(row * channels, channels));

            // Taps 0…K−2 read carried inputs: their gradient goes to the slot of the previous state they were read from.
            for (int tap = 0; tap < last; tap++)
            {
                Span<float> slot = previous.Slice(channels + (tap * Dilation * input), input);
                for (int i = 0; i < input; i++)
                {
                    slot[i] += windowGradient[(i * k) + tap];
                }
            }

            // The shift: slot j of this state was slot j + 1 of the previous one, and its last slot is this step's input.
            if (_history > 1)
            {
                Span<float> shifted = previous.Slice(channels + input, (_history - 1) * input);
                ElementwiseKernels.Add(rowGradient.Slice(channels, (_history - 1) * input), shifted, shifted);
            }

            if (!step.InputGradient.IsEmpty)
            {
                Span<float> inputGradient = step.InputGradient.Slice(row * input, input);
                for (int i = 0; i < input; i++)
                {
                    inputGradient[i] += windowGradient[(i * k) + last];
                }

                if (_history > 0)
                {
                    ElementwiseKernels.Add(rowGradient.Slice(channels + ((_history - 1) * input), input), inputGradient, inputGradient);
                }
            }
        }
    }

    /// <inheritdoc />
    public void FinishBackward(in CellSequenceBackward sequence)
    {
        int rows = sequence.Rows, channels = HiddenSize;
        Span<float> gradients = sequence.ParameterGradients;
        ReadOnlySpan<float> outputGradients = sequence.StepGradients;

        // dW += dYᵀ·Windows over all steps at once; the bias enters every output unscaled.
        sequence.Matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, channels, _window, rows,
            1f, outputGradients, channels, sequence.Caches, _window, 1f, gradients[.._weightLength], _window);
        Span<float> bias = gradients.Slice(_weightLength, channels);
        for (int row = 0; row < rows; row++)
        {
            ElementwiseKernels.Add(bias, outputGradients.Slice(row * channels, channels), bias);
        }
    }

    // Runs per step and row: optimized from the first call (tier-0 code here is slow, and on one CPU the JIT waits ~1 s to promote it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(IMatrixProvider matrix, int batch, ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs,
        ReadOnlySpan<float> previousState, Span<float> state, Span<float> windows)
    {
        int channels = HiddenSize, width = StateSize, input = InputSize, k = KernelSize, last = k - 1;
        ReadOnlySpan<float> bias = parameters.Slice(_weightLength, channels);
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> previous = previousState.Slice(row * width, width);
            ReadOnlySpan<float> x = inputs.Slice(row * input, input);
            Span<float> window = windows.Slice(row * _window, _window);
            Span<float> next = state.Slice(row * width, width);

            // Tap k reads x_{t−(K−1−k)·d}: the current input for the last tap, otherwise carried slot k·d.
            for (int tap = 0; tap < k; tap++)
            {
                ReadOnlySpan<float> source = tap == last ? x : previous.Slice(channels + (tap * Dilation * input), input);
                for (int i = 0; i < input; i++)
                {
                    window[(i * k) + tap] = source[i];
                }
            }

            bias.CopyTo(next[..channels]);
            if (_history > 0)
            {
                previous.Slice(channels + input, (_history - 1) * input).CopyTo(next.Slice(channels, (_history - 1) * input));
                x.CopyTo(next.Slice(channels + ((_history - 1) * input), input));
            }
        }

        // y = b + Window·Wᵀ, written into the output part of every new state row.
        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, batch, channels, _window,
            1f, windows, _window, parameters[.._weightLength], _window, 1f, state, width);
    }
}
