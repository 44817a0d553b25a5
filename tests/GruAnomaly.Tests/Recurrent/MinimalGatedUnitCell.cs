using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent;

/// <summary>
/// A cell the library does not know, written the way a user would (plain loops, no input projection):
/// the minimal gated unit of Zhou et al. (2016), f = σ(x·W_xf + h·W_hf + b_f),
/// n = tanh(x·W_xn + (f ⊙ h)·W_hn + b_n), h' = (1 − f) ⊙ h + f ⊙ n.
/// </summary>
/// <param name="dropStateCarryTerm">Deliberately omits the direct term dh ⊙ (1 − f) of the previous-state gradient.</param>
internal sealed class MinimalGatedUnitCell(int inputSize, int hiddenSize, bool dropStateCarryTerm = false) : IRecurrentCell
{
    private int InputWeights => 0;

    private int RecurrentWeights => InputSize * 2 * HiddenSize;

    private int Bias => RecurrentWeights + HiddenSize * 2 * HiddenSize;

    public int InputSize { get; } = inputSize;

    public int HiddenSize { get; } = hiddenSize;

    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("input_weights", inputSize, 2 * hiddenSize, ParameterInitializer.GlorotUniform),
        new("recurrent_weights", hiddenSize, 2 * hiddenSize, ParameterInitializer.Orthogonal),
        new("bias", 1, 2 * hiddenSize, ParameterInitializer.Zeros),
    ];

    // Per row: f, n, f ⊙ h.
    public int CacheSize => 3 * HiddenSize;

    public int ScratchSize => 3 * HiddenSize;

    public void Forward(in CellForward step) =>
        Step(step.BatchSize, step.Parameters, step.Input, step.PreviousState, step.State, step.Cache);

    public void Infer(in CellInference step) =>
        Step(step.BatchSize, step.Parameters, step.Input, step.PreviousState, step.State, step.Scratch);

    public void Backward(in CellBackward step)
    {
        int h = HiddenSize, g = 2 * h;
        ReadOnlySpan<float> p = step.Parameters;
        Span<float> dp = step.ParameterGradients;
        var df = new float[h];
        var dn = new float[h];
        for (int b = 0; b < step.BatchSize; b++)
        {
            ReadOnlySpan<float> x = step.Input.Slice(b * InputSize, InputSize);
            ReadOnlySpan<float> prev = step.PreviousState.Slice(b * h, h);
            ReadOnlySpan<float> cache = step.Cache.Slice(b * CacheSize, CacheSize);
            ReadOnlySpan<float> dh = step.StateGradient.Slice(b * h, h);
            Span<float> dPrev = step.PreviousStateGradient.Slice(b * h, h);
            for (int j = 0; j < h; j++)
            {
                float f = cache[j], n = cache[h + j];
                if (!dropStateCarryTerm)
                {
                    dPrev[j] += dh[j] * (1 - f);
                }

                df[j] = dh[j] * (n - prev[j]);
                dn[j] = dh[j] * f * (1 - n * n);
            }

            for (int k = 0; k < h; k++)
            {
                // (f ⊙ h) fed the candidate through W_hn.
                float dfh = 0;
                for (int j = 0; j < h; j++)
                {
                    dfh += dn[j] * p[RecurrentWeights + k * g + h + j];
                    dp[RecurrentWeights + k * g + h + j] += cache[2 * h + k] * dn[j];
                }

                df[k] += dfh * prev[k];
                dPrev[k] += dfh * cache[k];
            }

            for (int j = 0; j < h; j++)
            {
                float f = cache[j];
                df[j] *= f * (1 - f);
                dp[Bias + j] += df[j];
                dp[Bias + h + j] += dn[j];
            }

            for (int k = 0; k < h; k++)
            {
                for (int j = 0; j < h; j++)
                {
                    dp[RecurrentWeights + k * g + j] += prev[k] * df[j];
                    dPrev[k] += df[j] * p[RecurrentWeights + k * g + j];
                }
            }

            for (int i = 0; i < InputSize; i++)
            {
                for (int j = 0; j < h; j++)
                {
                    dp[InputWeights + i * g + j] += x[i] * df[j];
                    dp[InputWeights + i * g + h + j] += x[i] * dn[j];
                    if (!step.InputGradient.IsEmpty)
                    {
                        step.InputGradient[b * InputSize + i] +=
                            df[j] * p[InputWeights + i * g + j] + dn[j] * p[InputWeights + i * g + h + j];
                    }
                }
            }
        }
    }

    private void Step(int batch, ReadOnlySpan<float> p, ReadOnlySpan<float> input, ReadOnlySpan<float> previous,
        Span<float> state, Span<float> record)
    {
        int h = HiddenSize, g = 2 * h;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> x = input.Slice(b * InputSize, InputSize);
            ReadOnlySpan<float> prev = previous.Slice(b * h, h);
            Span<float> cache = record.Slice(b * CacheSize, CacheSize);
            for (int j = 0; j < h; j++)
            {
                float a = p[Bias + j];
                for (int i = 0; i < InputSize; i++) a += x[i] * p[InputWeights + i * g + j];
                for (int k = 0; k < h; k++) a += prev[k] * p[RecurrentWeights + k * g + j];
                cache[j] = 1f / (1f + MathF.Exp(-a));
                cache[2 * h + j] = cache[j] * prev[j];
            }

            for (int j = 0; j < h; j++)
            {
                float a = p[Bias + h + j];
                for (int i = 0; i < InputSize; i++) a += x[i] * p[InputWeights + i * g + h + j];
                for (int k = 0; k < h; k++) a += cache[2 * h + k] * p[RecurrentWeights + k * g + h + j];
                float n = MathF.Tanh(a);
                cache[h + j] = n;
                state[b * h + j] = prev[j] + cache[j] * (n - prev[j]);
            }
        }
    }
}
