namespace GruAnomaly.Interop;

/// <summary>The tensor names <see cref="PyTorchWeights"/> reads and writes, and how strictly it imports.</summary>
public sealed class PyTorchWeightOptions
{
    /// <summary>
    /// Gets or sets what precedes the <c>nn.GRU</c> tensor names: <c>"gru."</c> for a module that holds its GRU as
    /// <c>self.gru</c>, so that its state dict names <c>gru.weight_ih_l0</c>.
    /// </summary>
    /// <value>The default value is the empty string (the state dict of a bare <c>nn.GRU</c>).</value>
    public string GruPrefix { get; set; } = "";

    /// <summary>Gets or sets what precedes the <c>nn.Linear</c> head's <c>weight</c> and <c>bias</c>.</summary>
    /// <value>The default value is <c>"head."</c> (a module that holds its head as <c>self.head</c>).</value>
    public string HeadPrefix { get; set; } = "head.";

    /// <summary>
    /// Gets or sets whether an import ignores tensors that the network has no place for (the other modules of a larger
    /// model). When false they are refused, so that a deeper or bidirectional GRU, or a head the network lacks, is never
    /// loaded in part.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowUnusedTensors { get; set; }
}
