using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GruAnomaly.Numerics;
using GruAnomaly.Numerics.Kernels;

namespace GruAnomaly.Recurrent;

/// <summary>The element-wise part of one <see cref="LstmCell"/> row, fused: one pass over memory per step and direction.</summary>
internal static class LstmMath
{
    /// <summary>
    /// From the pre-activations <c>[i | f | g | o]</c> (overwritten with the activations σ, σ, tanh, σ):
    /// <c>c' = f ⊙ c + i ⊙ g</c>, <c>tanhC = tanh(c')</c>, <c>h' = o ⊙ tanhC</c>.
    /// </summary>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> previousCell, Span<float> cell, Span<float> output, Span<float> tanhCell) =>
        Forward(SimdLevels.Best, gates, previousCell, cell, output, tanhCell);

    /// <summary>As <see cref="Forward(Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float})"/>, at a chosen vector width (tests reach every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(SimdLevel level, Span<float> gates, ReadOnlySpan<float> previousCell, Span<float> cell, Span<float> output, Span<float> tanhCell)
    {
        int length = previousCell.Length;
        if (length == 0)
        {
            return;
        }

        // One bounds check per operand up front; the loops below index without checks.
        _ = gates[(4 * length) - 1] + cell[length - 1] + output[length - 1] + tanhCell[length - 1];
        var o = new ForwardOperands(gates, previousCell, cell, output, tanhCell);
        int done = level switch
        {
            SimdLevel.Vector512 => Forward<Vector512Ops, Vector512<float>>(o, length),
            SimdLevel.Vector256 => Forward<Vector256Ops, Vector256<float>>(o, length),
            SimdLevel.Vector128 => Forward<Vector128Ops, Vector128<float>>(o, length),
            _ => 0,
        };

        Forward<ScalarOps, float>(o, length, done);
    }

    /// <summary>
    /// Backward of <see cref="Forward(Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float})"/> given
    /// <c>dh'</c> and <c>dc'</c> (the total gradients of the new state's two parts): with
    /// <c>dc = dc' + dh' ⊙ o ⊙ (1 − tanhC²)</c>, writes the pre-activation gradients
    /// <c>[dc ⊙ g ⊙ i(1 − i) | dc ⊙ c ⊙ f(1 − f) | dc ⊙ i ⊙ (1 − g²) | dh' ⊙ tanhC ⊙ o(1 − o)]</c> and adds
    /// <c>dc ⊙ f</c> to the previous cell state's gradient.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> cellGradient, ReadOnlySpan<float> activations,
        ReadOnlySpan<float> tanhCell, ReadOnlySpan<float> previousCell, Span<float> previousCellGradient, Span<float> preactivationGradients) =>
        Backward(SimdLevels.Best, outputGradient, cellGradient, activations, tanhCell, previousCell, previousCellGradient, preactivationGradients);

    /// <summary>As <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>, at a chosen vector width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Backward(SimdLevel level, ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> cellGradient, ReadOnlySpan<float> activations,
        ReadOnlySpan<float> tanhCell, ReadOnlySpan<float> previousCell, Span<float> previousCellGradient, Span<float> preactivationGradients)
    {
        int length = outputGradient.Length;
        if (length == 0)
        {
            return;
        }

        _ = cellGradient[length - 1] + activations[(4 * length) - 1] + tanhCell[length - 1] + previousCell[length - 1]
            + previousCellGradient[length - 1] + preactivationGradients[(4 * length) - 1];
        var o = new BackwardOperands(outputGradient, cellGradient, activations, tanhCell, previousCell, previousCellGradient, preactivationGradients);
        int done = level switch
        {
            SimdLevel.Vector512 => Backward<Vector512Ops, Vector512<float>>(o, length),
            SimdLevel.Vector256 => Backward<Vector256Ops, Vector256<float>>(o, length),
            SimdLevel.Vector128 => Backward<Vector128Ops, Vector128<float>>(o, length),
            _ => 0,
        };

        Backward<ScalarOps, float>(o, length, done);
    }

    /// <summary>Runs whole vectors of <typeparamref name="TOps"/> from <paramref name="start"/>; returns where it stopped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Forward<TOps, TVector>(in ForwardOperands o, int length, int start = 0)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        nint f = length, g = 2 * length, out_ = 3 * length;
        int i = start;
        for (; i <= length - TOps.Count; i += TOps.Count)
        {
            TVector input = TOps.Sigmoid(TOps.Load(ref o.Gates, i));
            TVector forget = TOps.Sigmoid(TOps.Load(ref o.Gates, f + i));
            TVector candidate = TOps.Tanh(TOps.Load(ref o.Gates, g + i));
            TVector output = TOps.Sigmoid(TOps.Load(ref o.Gates, out_ + i));
            TVector cell = TOps.MultiplyAdd(input, candidate, TOps.Multiply(forget, TOps.Load(ref o.PreviousCell, i)));
            TVector tanhCell = TOps.Tanh(cell);
            TOps.Store(input, ref o.Gates, i);
            TOps.Store(forget, ref o.Gates, f + i);
            TOps.Store(candidate, ref o.Gates, g + i);
            TOps.Store(output, ref o.Gates, out_ + i);
            TOps.Store(cell, ref o.Cell, i);
            TOps.Store(tanhCell, ref o.TanhCell, i);
            TOps.Store(TOps.Multiply(output, tanhCell), ref o.Output, i);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Backward<TOps, TVector>(in BackwardOperands o, int length, int start = 0)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        TVector one = TOps.Broadcast(1f);
        nint f = length, g = 2 * length, out_ = 3 * length;
        int i = start;
        for (; i <= length - TOps.Count; i += TOps.Count)
        {
            TVector dh = TOps.Load(ref o.OutputGradient, i), tanhCell = TOps.Load(ref o.TanhCell, i);
            TVector input = TOps.Load(ref o.Activations, i), forget = TOps.Load(ref o.Activations, f + i);
            TVector candidate = TOps.Load(ref o.Activations, g + i), output = TOps.Load(ref o.Activations, out_ + i);

            // dc = dc' + dh ⊙ o ⊙ (1 − tanh²(c')): the cell state reaches the loss through the recurrence and through h'.
            TVector dc = TOps.Add(TOps.Load(ref o.CellGradient, i),
                TOps.Multiply(TOps.Multiply(dh, output), TOps.Subtract(one, TOps.Multiply(tanhCell, tanhCell))));
            TOps.Store(TOps.Multiply(TOps.Multiply(TOps.Multiply(dc, candidate), input), TOps.Subtract(one, input)), ref o.PreactivationGradients, i);
            TOps.Store(TOps.Multiply(TOps.Multiply(TOps.Multiply(dc, TOps.Load(ref o.PreviousCell, i)), forget), TOps.Subtract(one, forget)),
                ref o.PreactivationGradients, f + i);
            TOps.Store(TOps.Multiply(TOps.Multiply(dc, input), TOps.Subtract(one, TOps.Multiply(candidate, candidate))), ref o.PreactivationGradients, g + i);
            TOps.Store(TOps.Multiply(TOps.Multiply(TOps.Multiply(dh, tanhCell), output), TOps.Subtract(one, output)), ref o.PreactivationGradients, out_ + i);
            TOps.Store(TOps.Add(TOps.Load(ref o.PreviousCellGradient, i), TOps.Multiply(dc, forget)), ref o.PreviousCellGradient, i);
        }

        return i;
    }

    private readonly ref struct ForwardOperands(Span<float> gates, ReadOnlySpan<float> previousCell, Span<float> cell, Span<float> output, Span<float> tanhCell)
    {
        public readonly ref float Gates = ref MemoryMarshal.GetReference(gates);
        public readonly ref float PreviousCell = ref MemoryMarshal.GetReference(previousCell);
        public readonly ref float Cell = ref MemoryMarshal.GetReference(cell);
        public readonly ref float Output = ref MemoryMarshal.GetReference(output);
        public readonly ref float TanhCell = ref MemoryMarshal.GetReference(tanhCell);
    }

    private readonly ref struct BackwardOperands(ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> cellGradient, ReadOnlySpan<float> activations,
        ReadOnlySpan<float> tanhCell, ReadOnlySpan<float> previousCell, Span<float> previousCellGradient, Span<float> preactivationGradients)
    {
        public readonly ref float OutputGradient = ref MemoryMarshal.GetReference(outputGradient);
        public readonly ref float CellGradient = ref MemoryMarshal.GetReference(cellGradient);
        public readonly ref float Activations = ref MemoryMarshal.GetReference(activations);
        public readonly ref float TanhCell = ref MemoryMarshal.GetReference(tanhCell);
        public readonly ref float PreviousCell = ref MemoryMarshal.GetReference(previousCell);
        public readonly ref float PreviousCellGradient = ref MemoryMarshal.GetReference(previousCellGradient);
        public readonly ref float PreactivationGradients = ref MemoryMarshal.GetReference(preactivationGradients);
    }
}
