namespace GruAnomaly.Recurrent;

/// <summary>Which states of the top recurrent layer a <see cref="DenseHead"/> reads.</summary>
public enum HeadPlacement
{
    /// <summary>Only the last step's state: one prediction per sequence (forecasting from a window).</summary>
    LastStep = 0,

    /// <summary>Every step's state: one prediction per step (sequence to sequence).</summary>
    EveryStep = 1,
}

/// <summary>The two GRU formulations.</summary>
public enum GruVariant
{
    /// <summary>The classic GRU, reset gate applied before the recurrent product (<see cref="GruCell"/>).</summary>
    ResetBefore = 0,

    /// <summary>PyTorch's and cuDNN's GRU, reset gate applied after the recurrent product (<see cref="GruResetAfterCell"/>).</summary>
    ResetAfter = 1,
}
