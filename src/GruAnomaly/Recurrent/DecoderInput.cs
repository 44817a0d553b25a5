namespace GruAnomaly.Recurrent;

/// <summary>What an <see cref="EncoderDecoderNetwork"/>'s decoder reads at each step after the first (which reads zeros).</summary>
public enum DecoderInput
{
    /// <summary>
    /// The true previous value of the window in reversed order (teacher forcing): the same computation as in training,
    /// one batched pass over all steps.
    /// </summary>
    TeacherForcing = 0,

    /// <summary>
    /// The decoder's own previous prediction, as EncDec-AD (Malhotra et al., 2016) reconstructs at test time: the window
    /// reaches the decoder only through the encoder's final states. Inference only, run step by step.
    /// </summary>
    Autoregressive = 1,
}
