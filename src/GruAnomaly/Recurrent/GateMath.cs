using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GruAnomaly.Numerics;

namespace GruAnomaly.Recurrent;

/// <summary>Fused element-wise pieces shared by the gated cells; one pass over memory instead of several.</summary>
internal static class GateMath
{
    /// <summary><c>projections[row] = bias + inputs[row]·weights</c> for every row.</summary>
    public static void ProjectWithBias(IMatrixProvider matrix, ReadOnlySpan<float> inputs, int rows, int inputSize,
        ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> projections, int width)
    {
        for (int row = 0; row < rows; row++)
        {
            bias.CopyTo(projections.Slice(row * width, width));
        }

        matrix.Multiply(MatrixTranspose.None, MatrixTranspose.None, rows, width, inputSize,
            1f, inputs, inputSize, weights, width, 1f, projections, width);
    }

    /// <summary>
    /// Gradients of <c>x·W + b</c> over all rows: <c>dW += xᵀ·dA</c>, <c>db += Σ_rows dA</c>, for a block of
    /// <paramref name="width"/> columns of dA (leading dimension <paramref name="stride"/>) and of W (leading dimension
    /// <paramref name="weightStride"/>).
    /// </summary>
    public static void AccumulateProjectionGradients(IMatrixProvider matrix, ReadOnlySpan<float> inputs, int rows, int inputSize,
        ReadOnlySpan<float> preactivationGradients, int width, int stride,
        Span<float> weightGradients, int weightStride, Span<float> biasGradients)
    {
        matrix.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, inputSize, width, rows,
            1f, inputs, inputSize, preactivationGradients, stride, 1f, weightGradients, weightStride);
        for (int row = 0; row < rows; row++)
        {
            TensorPrimitives.Add(biasGradients[..width], preactivationGradients.Slice(row * stride, width), biasGradients[..width]);
        }
    }

    /// <summary><c>state = (1 − z) ⊙ n + z ⊙ previous</c>.</summary>
    public static void Blend(ReadOnlySpan<float> z, ReadOnlySpan<float> n, ReadOnlySpan<float> previous, Span<float> state) =>
        TensorPrimitives.Lerp(n, previous, z, state);

    /// <summary>
    /// Backward of the blend and of both squashing functions:
    /// <c>dPrevious += dh ⊙ z</c>, <c>dz̃ = dh ⊙ (previous − n) ⊙ z(1 − z)</c>, <c>dñ = dh ⊙ (1 − z) ⊙ (1 − n²)</c>,
    /// where dz̃ and dñ are gradients of the pre-activations.
    /// </summary>
    public static void BackwardBlend(ReadOnlySpan<float> stateGradient, ReadOnlySpan<float> z, ReadOnlySpan<float> n,
        ReadOnlySpan<float> previous, Span<float> previousGradient, Span<float> updatePreactivationGradient,
        Span<float> candidatePreactivationGradient)
    {
        int length = stateGradient.Length;
        ref float dh = ref MemoryMarshal.GetReference(stateGradient);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float nr = ref MemoryMarshal.GetReference(n);
        ref float pr = ref MemoryMarshal.GetReference(previous);
        ref float dp = ref MemoryMarshal.GetReference(previousGradient);
        ref float dz = ref MemoryMarshal.GetReference(updatePreactivationGradient);
        ref float dn = ref MemoryMarshal.GetReference(candidatePreactivationGradient);
        _ = previousGradient[length - 1] + updatePreactivationGradient[length - 1] + candidatePreactivationGradient[length - 1]
            + z[length - 1] + n[length - 1] + previous[length - 1];

        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> one = Vector<float>.One;
            for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = Vector.LoadUnsafe(ref dh, (nuint)i);
                var zv = Vector.LoadUnsafe(ref zr, (nuint)i);
                var nv = Vector.LoadUnsafe(ref nr, (nuint)i);
                var pv = Vector.LoadUnsafe(ref pr, (nuint)i);
                (Vector.LoadUnsafe(ref dp, (nuint)i) + g * zv).StoreUnsafe(ref dp, (nuint)i);
                (g * (pv - nv) * zv * (one - zv)).StoreUnsafe(ref dz, (nuint)i);
                (g * (one - zv) * (one - nv * nv)).StoreUnsafe(ref dn, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            float g = Unsafe.Add(ref dh, i), zv = Unsafe.Add(ref zr, i), nv = Unsafe.Add(ref nr, i);
            Unsafe.Add(ref dp, i) += g * zv;
            Unsafe.Add(ref dz, i) = g * (Unsafe.Add(ref pr, i) - nv) * zv * (1 - zv);
            Unsafe.Add(ref dn, i) = g * (1 - zv) * (1 - nv * nv);
        }
    }

    /// <summary><c>gradient ⊙= s(1 − s)</c>: turns the gradient of a sigmoid's output into that of its input.</summary>
    public static void SigmoidDerivativeInPlace(Span<float> gradient, ReadOnlySpan<float> sigmoid)
    {
        int length = gradient.Length;
        _ = sigmoid[length - 1];
        ref float g = ref MemoryMarshal.GetReference(gradient);
        ref float s = ref MemoryMarshal.GetReference(sigmoid);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var sv = Vector.LoadUnsafe(ref s, (nuint)i);
                (Vector.LoadUnsafe(ref g, (nuint)i) * sv * (Vector<float>.One - sv)).StoreUnsafe(ref g, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            float sv = Unsafe.Add(ref s, i);
            Unsafe.Add(ref g, i) *= sv * (1 - sv);
        }
    }
}
