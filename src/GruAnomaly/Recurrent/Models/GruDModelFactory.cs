namespace GruAnomaly.Recurrent;

/// <summary>
/// A <see cref="GruDCell"/> at the bottom and <see cref="GruCell"/> layers above it, all of one width.
/// </summary>
/// <remarks>
/// <para>
/// Only the bottom layer is GRU-D: missing values, their mask and the time since an observation belong to the series,
/// and the layers above read hidden states, which are never missing, so a mask and a decay there would have nothing to
/// model (the paper also uses one GRU-D layer).
/// </para>
/// <para>
/// In a detector the forecast scorer builds each step's GRU-D row <c>[x | m | δ | x_last]</c> from the raw series:
/// m = 0 where a value is NaN, x and x_last the last observed value, δ the time since the feature was last observed, in
/// the median spacing of the training timestamps when the training series has timestamps (in steps otherwise, and for
/// a series scored without timestamps), and x̄ the mean of each feature's observed training values after scaling. The
/// rows are built over the whole series, so x_last and δ carry across windows, and a stream carries them from point to
/// point (and in its saved state). A fusion (the default scorer) hands the timestamps to its forecast component in
/// fitting, detection, explanation and streams alike. The builder refuses GRU-D with a missing-value policy other than
/// <c>Mask</c> (the others fill the gaps before the model could see them), with a scorer other than the forecast scorer
/// (alone or in a fusion), and with online adaptation.
/// </para>
/// </remarks>
public sealed class GruDModelFactory : IModelFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="hiddenSize">Units per layer; positive.</param>
    /// <param name="layers">Number of stacked layers; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public GruDModelFactory(int hiddenSize, int layers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        HiddenSize = hiddenSize;
        Layers = layers;
    }

    /// <summary>Gets the units per layer.</summary>
    public int HiddenSize { get; }

    /// <summary>Gets the number of layers (the bottom one GRU-D).</summary>
    public int Layers { get; }

    /// <inheritdoc />
    public string Name => $"GRU-D({HiddenSize})×{Layers}";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>Creates the layers for a series of <paramref name="inputSize"/> features, with x̄ = 0 (the mean after standard scaling) and δ in steps.</summary>
    /// <param name="inputSize">D, the features of the series; the bottom layer reads 4·D values per step.</param>
    /// <returns>The cells, bottom first.</returns>
    public IReadOnlyList<IRecurrentCell> CreateLayers(int inputSize) => CreateLayers(inputSize, new float[inputSize], timeUnit: null);

    /// <summary>Creates the layers for a series of <paramref name="features"/> features.</summary>
    /// <param name="features">D, the features of the series; the bottom layer reads 4·D values per step.</param>
    /// <param name="means">x̄, one per feature.</param>
    /// <param name="timeUnit">The unit δ is counted in for a series with timestamps, or null for steps.</param>
    /// <returns>The cells, bottom first.</returns>
    /// <exception cref="ArgumentException">The means do not fit (see <see cref="GruDCell"/>).</exception>
    public IReadOnlyList<IRecurrentCell> CreateLayers(int features, ReadOnlySpan<float> means, TimeSpan? timeUnit)
    {
        var cells = new IRecurrentCell[Layers];
        cells[0] = new GruDCell(features, HiddenSize, means, timeUnit);
        for (int i = 1; i < Layers; i++)
        {
            cells[i] = new GruCell(HiddenSize, HiddenSize);
        }

        return cells;
    }
}
