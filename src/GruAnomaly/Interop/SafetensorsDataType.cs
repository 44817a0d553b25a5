namespace GruAnomaly.Interop;

/// <summary>The element types of a safetensors file that <see cref="Safetensors.Read"/> converts to <see cref="float"/>.</summary>
public enum SafetensorsDataType
{
    /// <summary><c>F32</c>: IEEE 754 single precision, read as it is.</summary>
    F32 = 0,

    /// <summary><c>F64</c>: IEEE 754 double precision, rounded to the nearest float (values beyond its range become infinite).</summary>
    F64 = 1,

    /// <summary><c>F16</c>: IEEE 754 half precision, converted exactly.</summary>
    F16 = 2,

    /// <summary><c>BF16</c>: bfloat16 (the upper half of a float), converted exactly.</summary>
    BF16 = 3,
}
