namespace GruAnomaly.Data;

/// <summary>
/// Training examples for a recurrent network: each is a fixed-length input sequence and its targets, in time order
/// (example i comes no later in time than example i + 1, so a validation split can be taken from the end).
/// </summary>
public interface ISequenceDataset
{
    /// <summary>Gets the number of examples.</summary>
    int Count { get; }

    /// <summary>Gets the sequence length of every example.</summary>
    int Steps { get; }

    /// <summary>Gets the number of input features per step.</summary>
    int InputSize { get; }

    /// <summary>Gets the number of target values per target step (NaN marks a missing target).</summary>
    int TargetSize { get; }

    /// <summary>Gets the number of target steps: 1 when only the last step is predicted, <see cref="Steps"/> for every step.</summary>
    int TargetSteps { get; }

    /// <summary>Writes one example's inputs into slot <paramref name="slot"/> of a time-major batch (steps×batch×InputSize).</summary>
    /// <param name="example">Example index.</param>
    /// <param name="batchInputs">The batch buffer.</param>
    /// <param name="batchSize">Number of slots in the batch.</param>
    /// <param name="slot">Which slot to fill.</param>
    void WriteInputs(int example, Span<float> batchInputs, int batchSize, int slot);

    /// <summary>Writes one example's targets into slot <paramref name="slot"/> of a time-major batch (TargetSteps×batch×TargetSize).</summary>
    /// <param name="example">Example index.</param>
    /// <param name="batchTargets">The batch buffer.</param>
    /// <param name="batchSize">Number of slots in the batch.</param>
    /// <param name="slot">Which slot to fill.</param>
    void WriteTargets(int example, Span<float> batchTargets, int batchSize, int slot);
}
