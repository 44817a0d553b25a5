using GruAnomaly.Numerics;

namespace GruAnomaly.Recurrent;

/// <summary>
/// A cell whose backward steps read an arrangement of its parameters that the network makes once per backward pass
/// (the GRU cells: the recurrent weights transposed, for the fused small-hidden backward step), instead of every step
/// making it again. Internal: the network owns the buffer (<see cref="CellBackward.Prepared"/>); a cell called without it
/// takes its general path.
/// </summary>
internal interface IBackwardPreparation
{
    /// <summary>How many values <see cref="PrepareBackward"/> writes for a pass on <paramref name="matrix"/>; 0 when none.</summary>
    int BackwardPreparationSize(IMatrixProvider matrix);

    /// <summary>Writes the arrangement of <paramref name="parameters"/> that the backward steps of one pass read.</summary>
    void PrepareBackward(ReadOnlySpan<float> parameters, Span<float> prepared);
}
