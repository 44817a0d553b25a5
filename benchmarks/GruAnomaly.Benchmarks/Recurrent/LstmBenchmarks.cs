using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

using GruAnomaly.Recurrent;

namespace GruAnomaly.Benchmarks.Recurrent;

/// <summary>
/// An LSTM layer, a GRU-D layer and a GRU behind a causal convolution front end (8 channels, kernel 3, dilation 2) against a GRU layer of the same hidden size on the workloads of <see cref="LayerBenchmarks"/> (8 inputs,
/// 100 steps, batch 32; inference, and forward + backward) and of <see cref="StreamingBenchmarks"/> (2 layers, 1 input,
/// one point at a time, per point). The GRU is PyTorch's form (<see cref="GruResetAfterCell"/>), the baseline of each
/// category, so the ratio column reads as the LSTM's cost relative to the GRU at that size. An LSTM has 4 gate blocks
/// to the GRU's 3, so 4/3 is the cost of the products alone; the single-stream GRU also has a packed matrix–vector path
/// that the LSTM (running through its own Infer) does not. The GRU-D reads the same 8 features as rows of
/// [x | m | δ | x_last] (32 values; a tenth of the values missing, as the Mask policy encodes them), so its ratio is the cost of
/// modelling the gaps for the same series; its gates read [x̂, m], 16 values.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class LstmBenchmarks
{
    private const int Steps = 100, Batch = 32, Inputs = 8, Points = 1000;
    private Pass _gru = null!, _lstm = null!, _gruD = null!, _convGru = null!;
    private Stream _gruStream = null!, _lstmStream = null!, _gruDStream = null!, _convGruStream = null!;

    [Params(32, 64, 128)]
    public int Hidden { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gru = new Pass(new RecurrentNetwork([new GruResetAfterCell(Inputs, Hidden)]), Hidden);
        _lstm = new Pass(new RecurrentNetwork([new LstmCell(Inputs, Hidden)]), Hidden);
        _gruStream = new Stream(RecurrentNetwork.CreateGru(1, Hidden, layers: 2, outputSize: 1, GruVariant.ResetAfter));
        _lstmStream = new Stream(new RecurrentNetwork([new LstmCell(1, Hidden), new LstmCell(Hidden, Hidden)], new DenseHead(Hidden, 1)));
        _gruD = new Pass(new RecurrentNetwork([new GruDCell(Inputs, Hidden, new float[Inputs])]), Hidden, GapRows(Steps * Batch, Inputs));
        _gruDStream = new Stream(
            new RecurrentNetwork([new GruDCell(1, Hidden, new float[1]), new GruResetAfterCell(Hidden, Hidden)], new DenseHead(Hidden, 1)),
            GapRows(Points, 1));
        _convGru = new Pass(new RecurrentNetwork([new CausalConvolutionCell(Inputs, 8, 3, 2), new GruResetAfterCell(8, Hidden)]), Hidden);
        _convGruStream = new Stream(new RecurrentNetwork(
            [new CausalConvolutionCell(1, 8, 3, 2), new GruResetAfterCell(8, Hidden), new GruResetAfterCell(Hidden, Hidden)], new DenseHead(Hidden, 1)));
    }

    [Benchmark]
    [BenchmarkCategory("Forward")]
    public void ConvGruForward() => _convGru.Infer();

    [Benchmark]
    [BenchmarkCategory("ForwardBackward")]
    public void ConvGruForwardBackward() => _convGru.ForwardBackward();

    [Benchmark(OperationsPerInvoke = Points)]
    [BenchmarkCategory("StreamPoint")]
    public void ConvGruStreamPoint() => _convGruStream.Run();

    [Benchmark]
    [BenchmarkCategory("Forward")]
    public void GruDForward() => _gruD.Infer();

    [Benchmark]
    [BenchmarkCategory("ForwardBackward")]
    public void GruDForwardBackward() => _gruD.ForwardBackward();

    [Benchmark(OperationsPerInvoke = Points)]
    [BenchmarkCategory("StreamPoint")]
    public void GruDStreamPoint() => _gruDStream.Run();

    /// <summary>Rows of [x | m | δ | x_last] for <paramref name="features"/> features, a tenth of the values missing.</summary>
    private static float[] GapRows(int rows, int features)
    {
        var random = new Random(2);
        var encoded = new float[rows * 4 * features];
        var last = new float[features];
        var delta = new float[features];
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = encoded.AsSpan(r * 4 * features, 4 * features);
            for (int f = 0; f < features; f++)
            {
                bool observed = random.NextDouble() >= 0.1;
                float x = observed ? (float)((random.NextDouble() * 2) - 1) : last[f];
                delta[f] = r == 0 ? 0 : delta[f] + 1;
                row[f] = x;
                row[features + f] = observed ? 1 : 0;
                row[(2 * features) + f] = delta[f];
                row[(3 * features) + f] = last[f];
                if (observed)
                {
                    last[f] = x;
                    delta[f] = 0;
                }
            }
        }

        return encoded;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Forward")]
    public void GruForward() => _gru.Infer();

    [Benchmark]
    [BenchmarkCategory("Forward")]
    public void LstmForward() => _lstm.Infer();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("ForwardBackward")]
    public void GruForwardBackward() => _gru.ForwardBackward();

    [Benchmark]
    [BenchmarkCategory("ForwardBackward")]
    public void LstmForwardBackward() => _lstm.ForwardBackward();

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    [BenchmarkCategory("StreamPoint")]
    public void GruStreamPoint() => _gruStream.Run();

    [Benchmark(OperationsPerInvoke = Points)]
    [BenchmarkCategory("StreamPoint")]
    public void LstmStreamPoint() => _lstmStream.Run();

    private sealed class Pass
    {
        private readonly RecurrentNetwork _network;
        private readonly NetworkWorkspace _workspace;
        private readonly float[] _parameters, _inputs, _outputGradients, _gradients;

        public Pass(RecurrentNetwork network, int hidden, float[]? inputs = null)
        {
            _network = network;
            _parameters = network.CreateParameters(seed: 1);
            _workspace = network.CreateWorkspace();
            var random = new Random(1);
            _inputs = inputs ?? [.. Enumerable.Range(0, Steps * Batch * Inputs).Select(_ => (float)((random.NextDouble() * 2) - 1))];
            _outputGradients = new float[Steps * Batch * hidden];
            Array.Fill(_outputGradients, 1f);
            _gradients = new float[network.ParameterCount];
        }

        public void Infer() => _network.Infer(_parameters, _inputs, Steps, Batch, _workspace);

        public void ForwardBackward()
        {
            Array.Clear(_gradients);
            _network.Forward(_parameters, _inputs, Steps, Batch, _workspace);
            _network.Backward(_parameters, _workspace, _outputGradients, _gradients);
        }
    }

    private sealed class Stream
    {
        private readonly NetworkStreamer _streamer;
        private readonly StreamState _state;
        private readonly float[] _values, _output;

        private readonly int _width;

        public Stream(RecurrentNetwork network, float[]? rows = null)
        {
            _streamer = network.CreateStreamer(network.CreateParameters(seed: 1));
            _state = _streamer.CreateState();
            _width = network.InputSize;
            _values = rows ?? [.. Enumerable.Range(0, Points).Select(i => MathF.Sin(0.1f * i))];
            _output = new float[network.OutputSize];
        }

        public void Run()
        {
            for (int i = 0; i < Points; i++)
            {
                _streamer.Step(_state, _values.AsSpan(i * _width, _width), _output);
            }
        }
    }
}
