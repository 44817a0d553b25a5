namespace GruAnomaly.Interop;

/// <summary>The array names <see cref="KerasWeights"/> reads and writes, and how strictly it imports.</summary>
public sealed class KerasWeightOptions
{
    /// <summary>
    /// Gets or sets the name of the bottom GRU layer; layer k above it is named <c>{LayerName}_{k}</c>, as Keras names the
    /// layers of a model automatically (<c>gru</c>, <c>gru_1</c>, <c>gru_2</c>, …).
    /// </summary>
    /// <value>The default value is <c>"gru"</c>.</value>
    public string LayerName { get; set; } = "gru";

    /// <summary>Gets or sets the name of the <c>Dense</c> head layer.</summary>
    /// <value>The default value is <c>"dense"</c>.</value>
    public string HeadName { get; set; } = "dense";

    /// <summary>
    /// Gets or sets whether an import ignores arrays that the network has no place for (other layers of a larger model).
    /// When false they are refused, so that a deeper model, or a head the network lacks, is never loaded in part.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowUnusedArrays { get; set; }
}
