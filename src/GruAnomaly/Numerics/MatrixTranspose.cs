namespace GruAnomaly.Numerics;

/// <summary>Whether a matrix operand is used as stored or transposed (BLAS <c>op(x)</c>).</summary>
public enum MatrixTranspose
{
    /// <summary><c>op(x) = x</c>.</summary>
    None = 0,

    /// <summary><c>op(x) = xᵀ</c>.</summary>
    Transpose = 1,
}
