namespace GruAnomaly.Onnx;

/// <summary>The names of the model <see cref="OnnxModel.Export"/> writes.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>Gets or sets the name of the graph's input, <c>[steps, batch, InputSize]</c> (time-major).</summary>
    /// <value>The default value is <c>"input"</c>.</value>
    public string InputName { get; set; } = "input";

    /// <summary>Gets or sets the name of the graph's output (its shape depends on the head; see <see cref="OnnxModel"/>).</summary>
    /// <value>The default value is <c>"output"</c>.</value>
    public string OutputName { get; set; } = "output";
}
