namespace GruAnomaly.Recurrent;

/// <summary>
/// Declares one parameter tensor of a cell or head: its role, its row-major shape and how it is initialized.
/// </summary>
/// <param name="Name">The parameter's role within its owner, for example <c>input_weights</c>.</param>
/// <param name="Rows">Number of rows of the row-major matrix (1 for a bias vector).</param>
/// <param name="Columns">Number of columns.</param>
/// <param name="Initializer">How the values are drawn before training.</param>
public sealed record ParameterSpec(string Name, int Rows, int Columns, ParameterInitializer Initializer)
{
    /// <summary>Gets the number of values, <c>Rows·Columns</c>.</summary>
    public int Length => Rows * Columns;
}

/// <summary>Where one declared parameter lives in a network's flat parameter vector.</summary>
/// <param name="Name">Qualified name, for example <c>layers.0.recurrent_weights</c> or <c>head.bias</c>.</param>
/// <param name="Spec">The declaration of the owning cell or head.</param>
/// <param name="Offset">Index of the first value in the flat vector.</param>
public sealed record ParameterSlot(string Name, ParameterSpec Spec, int Offset)
{
    /// <summary>Gets the number of values.</summary>
    public int Length => Spec.Length;

    /// <summary>Returns this parameter's values within <paramref name="parameters"/>.</summary>
    public Span<float> Slice(Span<float> parameters) => parameters.Slice(Offset, Length);

    /// <summary>Returns this parameter's values within <paramref name="parameters"/>.</summary>
    public ReadOnlySpan<float> Slice(ReadOnlySpan<float> parameters) => parameters.Slice(Offset, Length);

    /// <summary>
    /// Initializes every slot with its declared initializer, in order, drawing from one RNG seeded with
    /// <paramref name="seed"/>: the same seed gives the same vector.
    /// </summary>
    internal static void InitializeAll(IReadOnlyList<ParameterSlot> slots, Span<float> parameters, int seed)
    {
        var random = new Random(seed);
        foreach (ParameterSlot slot in slots)
        {
            slot.Spec.Initializer.Initialize(slot.Slice(parameters), slot.Spec.Rows, slot.Spec.Columns, random);
        }
    }
}
