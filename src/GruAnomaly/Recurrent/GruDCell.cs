using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using GruAnomaly.Diagnostics;
using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>
/// GRU-D (Che et al., "Recurrent Neural Networks for Multivariate Time Series with Missing Values", Scientific Reports
/// 2018): a GRU that reads which values are missing and how long ago each feature was last observed, and decays the
/// input towards the feature's mean and the state towards zero over a gap, so that gaps are modelled instead of filled.
/// </summary>
/// <remarks>
/// <para>
/// Per step, for <c>D</c> = <see cref="Features"/> features, the input row is <c>[x | m | δ | x_last]</c>
/// (<see cref="IRecurrentCell.InputSize"/> = 4·D): <c>x</c> the values (any finite value where missing), <c>m</c> 1 where
/// observed and 0 where missing, <c>δ</c> the time since the feature was last observed before this step (0 at the first
/// step), and <c>x_last</c> its last observed value. With <c>x̄</c> = <see cref="Means"/>:
/// </para>
/// <list type="bullet">
/// <item><description><c>γx = exp(−max(0, wγx ⊙ δ + bγx))</c>, <c>x̂ = m ⊙ x + (1 − m) ⊙ (γx ⊙ x_last + (1 − γx) ⊙ x̄)</c>;</description></item>
/// <item><description><c>γh = exp(−max(0, δ·Wγh + bγh))</c>, <c>ĥ = γh ⊙ h_{t−1}</c>;</description></item>
/// <item><description><c>r = σ([x̂, m]·W_r + ĥ·U_r + b_r)</c>, <c>z = σ([x̂, m]·W_z + ĥ·U_z + b_z)</c>,
/// <c>n = tanh([x̂, m]·W_n + (r ⊙ ĥ)·U_n + b_n)</c>, <c>h = (1 − z) ⊙ n + z ⊙ ĥ</c> (as <see cref="GruCell"/>, with ĥ
/// for the previous state).</description></item>
/// </list>
/// <para>
/// Parameters, in order: <c>input_decay_weights</c> (1 × D, wγx, constant 0.05), <c>input_decay_bias</c> (1 × D, zeros),
/// <c>state_decay_weights</c> (D × H, Wγh, constant 0.01), <c>state_decay_bias</c> (1 × H, zeros), <c>input_weights</c>
/// (2·D × 3·H: the rows of x̂, then the rows of m; Glorot uniform), <c>recurrent_weights</c> (H × 3·H, orthogonal per
/// gate), <c>bias</c> (1 × 3·H, zeros); gate blocks in the order r, z, n. The decay weights start small and positive:
/// at zero (or negative) the max(0, ·) would pass no gradient and the decays could never be learned, and small decays
/// start the cell close to a GRU over the forward-filled input and the mask.
/// </para>
/// <para>
/// Everything that depends only on the input (γx, x̂, γh and the input side of the gates) is computed for all steps at
/// once in <see cref="ProjectInputs"/>, so the time loop does the work of a <see cref="GruCell"/> plus one product by γh.
/// </para>
/// </remarks>
public sealed class GruDCell : IRecurrentCell
{
    private readonly float[] _means;
    private readonly int _gates;
    private readonly int _inputDecayBiasOffset;
    private readonly int _stateDecayOffset;
    private readonly int _stateDecayBiasOffset;
    private readonly int _inputOffset;
    private readonly int _recurrentOffset;
    private readonly int _biasOffset;

    /// <summary>Creates a cell.</summary>
    /// <param name="features">D, the features of the series (positive); the cell reads 4·D inputs per step.</param>
    /// <param name="hiddenSize">State units (positive).</param>
    /// <param name="means">x̄, the value each feature decays towards over a gap (D finite values; 0 after standard scaling). Copied.</param>
    /// <param name="timeUnit">
    /// The time δ is counted in when a series has timestamps (δ = elapsed time / <paramref name="timeUnit"/>), or
    /// <see langword="null"/> to count it in steps. The cell itself only reads δ; the detector records the unit here so
    /// that it is saved with the weights that learned it.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the parameters would not fit in one array, or the time unit is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="means"/> does not hold <paramref name="features"/> finite values.</exception>
    public GruDCell(int features, int hiddenSize, ReadOnlySpan<float> means, TimeSpan? timeUnit = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        Guard.ArraySize(nameof(features), "the cell's input, 4·features", 4, features);
        Guard.ArraySize(nameof(hiddenSize), "the cell's parameters, 3·hiddenSize × (2·features + hiddenSize + 1) + (features + 1)·(hiddenSize + 2)",
            3L * hiddenSize * ((2L * features) + hiddenSize + 1) + ((features + 1L) * (hiddenSize + 2)));
        Guard.Length(means.Length, features, nameof(means), "one mean per feature");
        Guard.Finite(means, nameof(means), "feature means");
        if (timeUnit is TimeSpan unit && unit <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeUnit), timeUnit, "The time unit must be positive (or null for steps).");
        }

        Features = features;
        HiddenSize = hiddenSize;
        TimeUnit = timeUnit;
        _means = means.ToArray();
        _gates = 3 * hiddenSize;
        _inputDecayBiasOffset = features;
        _stateDecayOffset = 2 * features;
        _stateDecayBiasOffset = _stateDecayOffset + (features * hiddenSize);
        _inputOffset = _stateDecayBiasOffset + hiddenSize;
        _recurrentOffset = _inputOffset + (2 * features * _gates);
        _biasOffset = _recurrentOffset + (hiddenSize * _gates);
        Parameters =
        [
            new ParameterSpec("input_decay_weights", 1, features, ParameterInitializer.Constant(0.05f)),
            new ParameterSpec("input_decay_bias", 1, features, ParameterInitializer.Zeros),
            new ParameterSpec("state_decay_weights", features, hiddenSize, ParameterInitializer.Constant(0.01f)),
            new ParameterSpec("state_decay_bias", 1, hiddenSize, ParameterInitializer.Zeros),
            new ParameterSpec("input_weights", 2 * features, _gates, ParameterInitializer.GlorotUniform),
            new ParameterSpec("recurrent_weights", hiddenSize, _gates, ParameterInitializer.Orthogonal),
            new ParameterSpec("bias", 1, _gates, ParameterInitializer.Zeros),
        ];
    }

    /// <summary>Gets D, the number of features of the series; <see cref="InputSize"/> is 4·D.</summary>
    public int Features { get; }

    /// <summary>Gets x̄, the value each feature's input decays towards over a gap.</summary>
    public ReadOnlySpan<float> Means => _means;

    /// <summary>Gets the time δ is counted in for a series with timestamps, or <see langword="null"/> when δ is counted in steps.</summary>
    public TimeSpan? TimeUnit { get; }

    /// <summary>Gets the number of inputs per step, 4·<see cref="Features"/>: <c>[x | m | δ | x_last]</c>.</summary>
    public int InputSize => 4 * Features;

    /// <inheritdoc />
    public int HiddenSize { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Gets the record per row: r, z, n, r ⊙ ĥ, ĥ, x̂ and m (5·HiddenSize + 2·Features).</summary>
    public int CacheSize => (5 * HiddenSize) + (2 * Features);

    /// <summary>Gets the scratch per row: an inference step's r, z, n, r ⊙ ĥ and ĥ (5·HiddenSize).</summary>
    public int ScratchSize => 5 * HiddenSize;

    /// <inheritdoc />
    /// <remarks>ĥ = γh ⊙ h with γh in (0, 1] and h' = (1 − z)·n + z·ĥ with n in [−1, 1]: a state within [−1, 1] stays within it.</remarks>
    public float StateBound => 1f;

    /// <summary>
    /// Gets the projection width: the input side of the three gates with bias (3·HiddenSize), max(0, δ·Wγh + bγh)
    /// (HiddenSize), x̂ and m (2·Features).
    /// </summary>
    public int InputProjectionSize => (4 * HiddenSize) + (2 * Features);

    /// <summary>Gets the per-step gradient width: the gradients of the gates' and γh's pre-activations and of x̂ (4·HiddenSize + Features).</summary>
    public int StepGradientSize => (4 * HiddenSize) + Features;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ProjectInputs(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows, Span<float> projections, IMatrixProvider matrix)
    {
        int d = Features, h = HiddenSize, width = InputProjectionSize, stride = InputSize;
        ReadOnlySpan<float> inputDecay = parameters[..d], inputDecayBias = parameters.Slice(_inputDecayBiasOffset, d);
        ReadOnlySpan<float> stateDecayBias = parameters.Slice(_stateDecayBiasOffset, h), bias = parameters.Slice(_biasOffset, _gates);
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> input = inputs.Slice(row * stride, stride);
            Span<float> projection = projections.Slice(row * width, width);
            bias.CopyTo(projection);
            stateDecayBias.CopyTo(projection.Slice(_gates, h));
            Span<float> decayed = projection.Slice(4 * h, d);
            for (int f = 0; f < d; f++)
            {
                float mask = input[d + f];
                float gamma = MathF.Exp(-MathF.Max(0f, (inputDecay[f] * input[(2 * d) + f]) + inputDecayBias[f]));
                decayed[f] = (mask * input[f]) + ((1f - mask) * ((gamma * input[(3 * d) + f]) + ((1f - gamma) * _means[f])));
            }

            input.Slice(d, d).CopyTo(projection.Slice((4 * h) + d, d));
        }

        // [x̂ | m]·W + b for the gates, and δ·Wγh + bγh for the state decay, each one product over every row.
        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, rows, _gates, 2 * d,
            1f, projections[(4 * h)..], width, parameters.Slice(_inputOffset, 2 * d * _gates), _gates, 1f, projections, width);
        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, rows, h, d,
            1f, inputs[(2 * d)..], stride, parameters.Slice(_stateDecayOffset, d * h), h, 1f, projections[_gates..], width);
        for (int row = 0; row < rows; row++)
        {
            Span<float> decay = projections.Slice((row * width) + _gates, h);
            TensorPrimitives.Max(decay, 0f, decay);
        }
    }

    /// <inheritdoc />
    // Once per step, called through the interface (so never inlined): optimized from the first call like Step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(in CellForward step) =>
        Step(step.Matrix, step.BatchSize, step.Parameters, step.InputProjection, step.PreviousState, step.State, step.Cache, CacheSize, record: true);

    /// <inheritdoc />
    // Once per step, called through the interface (so never inlined): optimized from the first call like Step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Infer(in CellInference step) =>
        Step(step.Matrix, step.BatchSize, step.Parameters, step.InputProjection, step.PreviousState, step.State, step.Scratch, ScratchSize, record: false);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(in CellBackward step)
    {
        int batch = step.BatchSize, h = HiddenSize, d = Features, record = CacheSize, width = StepGradientSize, projectionWidth = InputProjectionSize;
        ReadOnlySpan<float> recurrent = step.Parameters.Slice(_recurrentOffset, h * _gates);
        Span<float> decayedGradient = step.Scratch[..(batch * h)];
        Span<float> resetStateGradient = step.Scratch.Slice(batch * h, batch * h);

        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> cache = step.Cache.Slice(row * record, record);
            Span<float> preactivation = step.StepGradient.Slice(row * width, width);
            Span<float> decayed = decayedGradient.Slice(row * h, h);
            decayed.Clear();
            GateMath.BackwardBlend(step.StateGradient.Slice(row * h, h), cache.Slice(h, h), cache.Slice(2 * h, h), cache.Slice(4 * h, h),
                decayed, preactivation.Slice(h, h), preactivation.Slice(2 * h, h));
        }

        // (r ⊙ ĥ) fed the candidate's recurrent product: its gradient flows to r and to ĥ.
        step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, batch, h, h,
            1f, step.StepGradient[(2 * h)..], width, recurrent[(2 * h)..], _gates, 0f, resetStateGradient, h);
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> cache = step.Cache.Slice(row * record, record);
            ReadOnlySpan<float> r = cache[..h], decayedState = cache.Slice(4 * h, h);
            ReadOnlySpan<float> resetGradient = resetStateGradient.Slice(row * h, h);
            Span<float> preactivation = step.StepGradient.Slice(row * width, width);
            Span<float> decayed = decayedGradient.Slice(row * h, h);
            ElementwiseKernels.MultiplyAdd(resetGradient, r, decayed, decayed);
            ElementwiseKernels.Multiply(resetGradient, decayedState, preactivation[..h]);
            GateMath.SigmoidDerivativeInPlace(preactivation[..h], r);
        }

        step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, batch, h, 2 * h,
            1f, step.StepGradient, width, recurrent, _gates, 1f, decayedGradient, h);

        // ĥ = γh ⊙ h with γh = exp(−q), q = max(0, ·) from the projection: dh += γh ⊙ dĥ, dq̃ = −γh ⊙ h ⊙ dĥ where q > 0.
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> decay = step.InputProjection.Slice((row * projectionWidth) + _gates, h);
            ReadOnlySpan<float> previous = step.PreviousState.Slice(row * h, h);
            ReadOnlySpan<float> decayed = decayedGradient.Slice(row * h, h);
            Span<float> previousGradient = step.PreviousStateGradient.Slice(row * h, h);
            Span<float> decayPreactivation = step.StepGradient.Slice((row * width) + _gates, h);
            for (int j = 0; j < h; j++)
            {
                float gamma = MathF.Exp(-decay[j]);
                previousGradient[j] += gamma * decayed[j];
                decayPreactivation[j] = decay[j] > 0f ? -gamma * previous[j] * decayed[j] : 0f;
            }
        }

        // dx̂ = dA·W_x̂ᵀ for FinishBackward, which turns it into the gradients of the input decay (and of the inputs).
        step.Matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, batch, d, _gates,
            1f, step.StepGradient, width, step.Parameters.Slice(_inputOffset, d * _gates), _gates, 0f, step.StepGradient[(4 * h)..], width);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FinishBackward(in CellSequenceBackward sequence)
    {
        int rows = sequence.Rows, h = HiddenSize, d = Features, record = CacheSize, width = StepGradientSize, stride = InputSize;
        ReadOnlySpan<float> parameters = sequence.Parameters, stepGradients = sequence.StepGradients, inputs = sequence.Inputs;
        Span<float> gradients = sequence.ParameterGradients, inputGradients = sequence.InputGradients;
        IMatrixProvider matrix = sequence.Matrix;

        // Gates: dW += [x̂ | m]ᵀ·dA, db += Σ dA, dU_rz += ĥᵀ·dA_rz, dU_n += (r ⊙ ĥ)ᵀ·dA_n.
        matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, 2 * d, _gates, rows,
            1f, sequence.Caches[(5 * h)..], record, stepGradients, width, 1f, gradients.Slice(_inputOffset, 2 * d * _gates), _gates);
        Span<float> biasGradient = gradients.Slice(_biasOffset, _gates);
        for (int row = 0; row < rows; row++)
        {
            ElementwiseKernels.Add(biasGradient, stepGradients.Slice(row * width, _gates), biasGradient);
        }

        Span<float> recurrentGradient = gradients.Slice(_recurrentOffset, h * _gates);
        matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, h, 2 * h, rows,
            1f, sequence.Caches[(4 * h)..], record, stepGradients, width, 1f, recurrentGradient, _gates);
        matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, h, h, rows,
            1f, sequence.Caches[(3 * h)..], record, stepGradients[(2 * h)..], width, 1f, recurrentGradient[(2 * h)..], _gates);

        // State decay: dWγh += δᵀ·dq̃, dbγh += Σ dq̃.
        matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, d, h, rows,
            1f, inputs[(2 * d)..], stride, stepGradients[_gates..], width, 1f, gradients.Slice(_stateDecayOffset, d * h), h);
        Span<float> stateDecayBiasGradient = gradients.Slice(_stateDecayBiasOffset, h);
        for (int row = 0; row < rows; row++)
        {
            ElementwiseKernels.Add(stateDecayBiasGradient, stepGradients.Slice((row * width) + _gates, h), stateDecayBiasGradient);
        }

        // Input decay, from dx̂: x̂ = m·x + (1 − m)·(γx·x_last + (1 − γx)·x̄), γx = exp(−max(0, p)), p = wγx·δ + bγx.
        ReadOnlySpan<float> inputDecay = parameters[..d], inputDecayBias = parameters.Slice(_inputDecayBiasOffset, d);
        Span<float> inputDecayGradient = gradients[..d], inputDecayBiasGradient = gradients.Slice(_inputDecayBiasOffset, d);
        bool wantInputs = !inputGradients.IsEmpty;
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> input = inputs.Slice(row * stride, stride);
            ReadOnlySpan<float> decayedGradient = stepGradients.Slice((row * width) + (4 * h), d);
            for (int f = 0; f < d; f++)
            {
                float value = input[f], mask = input[d + f], delta = input[(2 * d) + f], last = input[(3 * d) + f];
                float preactivation = (inputDecay[f] * delta) + inputDecayBias[f];
                float gamma = MathF.Exp(-MathF.Max(0f, preactivation));
                float gradient = decayedGradient[f];
                float decayGradient = preactivation > 0f ? -gamma * gradient * (1f - mask) * (last - _means[f]) : 0f;
                inputDecayGradient[f] += decayGradient * delta;
                inputDecayBiasGradient[f] += decayGradient;
                if (wantInputs)
                {
                    Span<float> inputGradient = inputGradients.Slice(row * stride, stride);
                    inputGradient[f] += gradient * mask;
                    inputGradient[d + f] += gradient * (value - ((gamma * last) + ((1f - gamma) * _means[f])));
                    inputGradient[(2 * d) + f] += decayGradient * inputDecay[f];
                    inputGradient[(3 * d) + f] += gradient * (1f - mask) * gamma;
                }
            }
        }

        if (wantInputs)
        {
            // m also enters the gates directly, and δ the state decay.
            matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, d, _gates,
                1f, stepGradients, width, parameters.Slice(_inputOffset + (d * _gates), d * _gates), _gates, 1f, inputGradients[d..], stride);
            matrix.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, d, h,
                1f, stepGradients[_gates..], width, parameters.Slice(_stateDecayOffset, d * h), h, 1f, inputGradients[(2 * d)..], stride);
        }
    }

    // Runs per step and row: optimized from the first call (tier-0 code here is slow, and on one CPU the JIT waits ~1 s to promote it).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(IMatrixProvider matrix, int batch, ReadOnlySpan<float> parameters, ReadOnlySpan<float> projection,
        ReadOnlySpan<float> previousState, Span<float> state, Span<float> buffer, int width, bool record)
    {
        int h = HiddenSize, d = Features, projectionWidth = InputProjectionSize;
        ReadOnlySpan<float> recurrent = parameters.Slice(_recurrentOffset, h * _gates);

        // Row layout [r | z | n | r⊙ĥ | ĥ (| x̂ | m when recording)]: pre-activations built in place, then squashed.
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<float> source = projection.Slice(row * projectionWidth, projectionWidth);
            Span<float> cache = buffer.Slice(row * width, width);
            source[.._gates].CopyTo(cache);
            Span<float> decayedState = cache.Slice(4 * h, h);
            TensorPrimitives.Negate(source.Slice(_gates, h), decayedState);
            TensorPrimitives.Exp(decayedState, decayedState);
            ElementwiseKernels.Multiply(decayedState, previousState.Slice(row * h, h), decayedState);
            if (record)
            {
                source.Slice(4 * h, 2 * d).CopyTo(cache[(5 * h)..]);
            }
        }

        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, 2 * h, h,
            1f, buffer[(4 * h)..], width, recurrent, _gates, 1f, buffer, width);
        for (int row = 0; row < batch; row++)
        {
            Span<float> cache = buffer.Slice(row * width, width);
            ElementwiseKernels.Sigmoid(cache[..(2 * h)], cache[..(2 * h)]);
            ElementwiseKernels.Multiply(cache[..h], cache.Slice(4 * h, h), cache.Slice(3 * h, h));
        }

        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, batch, h, h,
            1f, buffer[(3 * h)..], width, recurrent[(2 * h)..], _gates, 1f, buffer[(2 * h)..], width);
        for (int row = 0; row < batch; row++)
        {
            Span<float> cache = buffer.Slice(row * width, width);
            Span<float> n = cache.Slice(2 * h, h);
            ElementwiseKernels.Tanh(n, n);
            GateMath.Blend(cache.Slice(h, h), n, cache.Slice(4 * h, h), state.Slice(row * h, h));
        }
    }
}
