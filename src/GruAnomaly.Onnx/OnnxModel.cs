using System.Buffers.Binary;
using GruAnomaly.Interop;
using GruAnomaly.Recurrent;

namespace GruAnomaly.Onnx;

/// <summary>
/// Exports a <see cref="RecurrentNetwork"/> of GRU layers, with or without a <see cref="DenseHead"/>, as an ONNX model
/// (IR version 8, operator set 14) that ONNX Runtime and other ONNX engines run without GruAnomaly.
/// </summary>
/// <remarks>
/// <para>
/// The graph reads one input <c>[steps, batch, InputSize]</c>, time-major as our networks read it (both dimensions
/// symbolic), starts every layer from a zero state, and writes one output: <c>[batch, outputs]</c> for a head on the
/// last step, <c>[steps, batch, outputs]</c> for a head on every step, or the top layer's states
/// <c>[steps, batch, hidden]</c> without a head, the values of <see cref="NetworkWorkspace.Outputs"/> in the same order.
/// </para>
/// <para>
/// Each layer is one ONNX <c>GRU</c> node (forward, default activations sigmoid and tanh) followed by a
/// <c>Squeeze</c> of its direction axis. The mapping is exact (no value is changed, only moved): ONNX orders the
/// gate blocks z, r, h and stores weights transposed, so <c>W</c> <c>[1, 3·hidden, input]</c> is our
/// <c>input_weights</c> transposed with its first two gate blocks swapped, <c>R</c> <c>[1, 3·hidden, hidden]</c> likewise
/// our <c>recurrent_weights</c>, and <c>B</c> <c>[1, 6·hidden]</c> is the input bias then the recurrent bias, both
/// blocks swapped. A <see cref="GruResetAfterCell"/> becomes <c>linear_before_reset=1</c>, which computes
/// <c>h̃ = tanh(x·W_hᵀ + Wb_h + r ⊙ (h·R_hᵀ + Rb_h))</c> as it does; a <see cref="GruCell"/> becomes
/// <c>linear_before_reset=0</c>, which computes <c>h̃ = tanh(x·W_hᵀ + (r ⊙ h)·R_hᵀ + Rb_h + Wb_h)</c> as it does, with
/// its single bias as <c>Wb</c> and zeros as <c>Rb</c>. The head is a <c>Gemm</c> on the last state, or a
/// <c>MatMul</c> and an <c>Add</c> on every step.
/// </para>
/// </remarks>
public static class OnnxModel
{
    /// <summary>The ONNX IR version written (that of ONNX 1.10 to 1.12).</summary>
    public const int IrVersion = 8;

    /// <summary>The version of the default ONNX operator set the model imports.</summary>
    public const int OperatorSetVersion = 14;

    // Field numbers and enum values of onnx.proto.
    private const int FloatType = 1, Int64Type = 7, IntAttribute = 2;

    /// <summary>Writes the network and its weights as an ONNX model.</summary>
    /// <param name="stream">Receives the model (a serialized <c>ModelProto</c>).</param>
    /// <param name="network">The network; every layer a <see cref="GruCell"/> or a <see cref="GruResetAfterCell"/>.</param>
    /// <param name="weights">Its weights, of length <see cref="RecurrentNetwork.ParameterCount"/>.</param>
    /// <param name="options">The input and output names; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">
    /// The stream cannot be written; the network has another kind of layer; the weights have another length or are not
    /// finite; or the input and output names are empty, equal, or taken by a tensor of the graph.
    /// </exception>
    public static void Export(Stream stream, RecurrentNetwork network, ReadOnlySpan<float> weights, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream cannot be written.", nameof(stream));
        }

        options ??= new OnnxExportOptions();
        GruVariant[] variants = ExchangeNetwork.Variants(network, "ONNX");
        ExchangeNetwork.CheckWeights(network, weights);
        var graph = new GraphBuilder(options);
        string states = graph.Input(network.InputSize);
        for (int k = 0; k < variants.Length; k++)
        {
            bool lastStateOnly = k == variants.Length - 1 && network is { Head: not null, HeadPlacement: HeadPlacement.LastStep };
            states = AddLayer(graph, network, weights, k, variants[k], states, lastStateOnly, k == variants.Length - 1 && network.Head is null);
        }

        if (network.Head is DenseHead head)
        {
            var parameters = new List<string>();
            foreach (TensorMapping mapping in TensorMapping.Head(network, "head.weight", "head.bias", transpose: false))
            {
                parameters.Add(graph.Initializer(mapping, weights));
            }

            (string w, string b) = (parameters[0], parameters[1]);
            if (network.HeadPlacement == HeadPlacement.LastStep)
            {
                graph.Node("Gemm", "head", [states, w, b], [graph.OutputName]);
                graph.Output([Dim("batch"), Dim(head.OutputSize)]);
            }
            else
            {
                graph.Node("MatMul", "head.matmul", [states, w], ["head.product"]);
                graph.Node("Add", "head.add", ["head.product", b], [graph.OutputName]);
                graph.Output([Dim("steps"), Dim("batch"), Dim(head.OutputSize)]);
            }
        }
        else
        {
            graph.Output([Dim("steps"), Dim("batch"), Dim(network.Layers[^1].HiddenSize)]);
        }

        ProtoWriter model = new ProtoWriter()
            .Int(1, IrVersion)
            .String(2, "GruAnomaly")
            .String(3, typeof(OnnxModel).Assembly.GetName().Version?.ToString(3) ?? "0.0.0")
            .String(6, "GRU network exported by GruAnomaly. Input [steps, batch, features], time-major; every layer starts from a zero state.")
            .Message(7, graph.Build())
            .Message(8, new ProtoWriter().Int(2, OperatorSetVersion));
        stream.Write(model.Written);
    }

    /// <summary>Adds one GRU layer and returns the name of what the layer above (or the head) reads.</summary>
    private static string AddLayer(GraphBuilder graph, RecurrentNetwork network, ReadOnlySpan<float> weights, int k, GruVariant variant,
        string input, bool lastStateOnly, bool isOutput)
    {
        IRecurrentCell cell = network.Layers[k];
        int hidden = cell.HiddenSize, gates = 3 * hidden;
        string layer = $"layers.{k}";
        string w = graph.Initializer(TensorMapping.Single($"{layer}.W", [1, gates, cell.InputSize], "W",
            network.GetSlot($"{layer}.input_weights"), GateLayout.Zrh, transpose: true), weights);
        string r = graph.Initializer(TensorMapping.Single($"{layer}.R", [1, gates, hidden], "R",
            network.GetSlot($"{layer}.recurrent_weights"), GateLayout.Zrh, transpose: true), weights);

        // B = [Wb, Rb]; a GruCell's one bias is Wb, and Rb stays zero (TensorMapping zero-fills past its parts).
        string[] biases = variant == GruVariant.ResetAfter ? [$"{layer}.input_bias", $"{layer}.recurrent_bias"] : [$"{layer}.bias"];
        string b = graph.Initializer(new TensorMapping($"{layer}.B", [1, 2 * gates], "B",
            [.. biases.Select(name => new TensorPart(network.GetSlot(name), GateLayout.Zrh, Transpose: false))]), weights);

        string[] outputs = lastStateOnly ? ["", $"{layer}.Y_h"] : [$"{layer}.Y"];
        graph.Node("GRU", $"{layer}.gru", [input, w, r, b], outputs,
            ("hidden_size", hidden), ("linear_before_reset", variant == GruVariant.ResetAfter ? 1 : 0));

        // Y is [steps, 1, batch, hidden] and Y_h [1, batch, hidden]: drop the direction axis.
        string squeezed = isOutput ? graph.OutputName : lastStateOnly ? $"{layer}.last_state" : $"{layer}.output";
        graph.Node("Squeeze", $"{layer}.squeeze", [outputs[^1], graph.Axis(lastStateOnly ? 0 : 1)], [squeezed]);
        return squeezed;
    }

    private static ProtoWriter Dim(long size) => new ProtoWriter().Int(1, size);

    private static ProtoWriter Dim(string name) => new ProtoWriter().String(2, name);

    /// <summary>Collects the nodes, initializers and names of the graph, and refuses a user name that a tensor already has.</summary>
    private sealed class GraphBuilder(OnnxExportOptions options)
    {
        private readonly List<ProtoWriter> _nodes = [];
        private readonly List<ProtoWriter> _initializers = [];
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private readonly HashSet<int> _axes = [];
        private ProtoWriter? _input;
        private ProtoWriter? _output;

        public string OutputName { get; } = options.OutputName;

        public string Input(int features)
        {
            string name = options.InputName;
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(OutputName) || name == OutputName)
            {
                throw new ArgumentException($"The input and output names must be non-empty and differ; got '{name}' and '{OutputName}'.", nameof(options));
            }

            _input = ValueInfo(name, [Dim("steps"), Dim("batch"), Dim(features)]);
            return name;
        }

        public void Output(ProtoWriter[] dims) => _output = ValueInfo(OutputName, dims);

        /// <summary>Adds a float initializer with a parameter's values in ONNX's layout, and returns its name.</summary>
        public string Initializer(TensorMapping mapping, ReadOnlySpan<float> weights)
        {
            float[] values = mapping.Export(weights);
            var raw = new byte[values.Length * sizeof(float)];
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
            }

            AddInitializer(mapping.Name, mapping.Shape.Select(d => (long)d), FloatType, raw);
            return mapping.Name;
        }

        /// <summary>Returns the name of a one-element int64 tensor holding <paramref name="axis"/> (Squeeze takes its axes as an input).</summary>
        public string Axis(int axis)
        {
            string name = $"axes.{axis}";
            if (_axes.Add(axis))
            {
                var raw = new byte[sizeof(long)];
                BinaryPrimitives.WriteInt64LittleEndian(raw, axis);
                AddInitializer(name, [1], Int64Type, raw);
            }

            return name;
        }

        public void Node(string operatorType, string name, string[] inputs, string[] outputs, params (string Name, long Value)[] attributes)
        {
            var node = new ProtoWriter();
            foreach (string input in inputs)
            {
                node.String(1, input);
            }

            foreach (string output in outputs)
            {
                node.String(2, output);

                // "" marks an omitted optional output; the graph's output is produced once, by the last node.
                if (output.Length > 0 && output != OutputName)
                {
                    Claim(output);
                }
            }

            node.String(3, name).String(4, operatorType);
            foreach ((string attribute, long value) in attributes)
            {
                node.Message(5, new ProtoWriter().String(1, attribute).Int(3, value).Int(20, IntAttribute));
            }

            _nodes.Add(node);
        }

        public ProtoWriter Build()
        {
            if (_names.Contains(options.InputName) || _names.Contains(OutputName))
            {
                throw new ArgumentException(
                    $"The input or output name ('{options.InputName}', '{OutputName}') is taken by a tensor of the exported graph; choose others.", nameof(options));
            }

            var graph = new ProtoWriter();
            foreach (ProtoWriter node in _nodes)
            {
                graph.Message(1, node);
            }

            graph.String(2, "gruanomaly");
            foreach (ProtoWriter initializer in _initializers)
            {
                graph.Message(5, initializer);
            }

            return graph.Message(11, _input!).Message(12, _output!);
        }

        private void AddInitializer(string name, IEnumerable<long> dims, int dataType, byte[] raw)
        {
            Claim(name);
            var tensor = new ProtoWriter();
            foreach (long dim in dims)
            {
                tensor.Int(1, dim);
            }

            _initializers.Add(tensor.Int(2, dataType).String(8, name).Bytes(9, raw));
        }

        private void Claim(string name)
        {
            bool added = _names.Add(name);
            System.Diagnostics.Debug.Assert(added, $"The exporter names two tensors '{name}'.");
        }

        private static ProtoWriter ValueInfo(string name, ProtoWriter[] dims)
        {
            var shape = new ProtoWriter();
            foreach (ProtoWriter dim in dims)
            {
                shape.Message(1, dim);
            }

            ProtoWriter tensorType = new ProtoWriter().Int(1, FloatType).Message(2, shape);
            return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
        }
    }
}
