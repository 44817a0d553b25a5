using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent;

/// <summary>A cell that hands every member to another cell; a test overrides the step it wants to change.</summary>
/// <param name="inner">The cell that does the work.</param>
public abstract class DelegatingCell(IRecurrentCell inner) : IRecurrentCell
{
    public int InputSize => inner.InputSize;

    public int HiddenSize => inner.HiddenSize;

    public IReadOnlyList<ParameterSpec> Parameters => inner.Parameters;

    public int CacheSize => inner.CacheSize;

    public int ScratchSize => inner.ScratchSize;

    public int InputProjectionSize => inner.InputProjectionSize;

    public int StepGradientSize => inner.StepGradientSize;

    public void ProjectInputs(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows, Span<float> projections, IMatrixProvider matrix) =>
        inner.ProjectInputs(parameters, inputs, rows, projections, matrix);

    public virtual void Forward(in CellForward step) => inner.Forward(step);

    public virtual void Infer(in CellInference step) => inner.Infer(step);

    public virtual void Backward(in CellBackward step) => inner.Backward(step);

    public virtual void FinishBackward(in CellSequenceBackward sequence) => inner.FinishBackward(sequence);
}
