using System.Diagnostics;
using System.Globalization;

using GruAnomaly.Data;
using GruAnomaly.Numerics;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Benchmarks.Comparison;

/// <summary>
/// The GruAnomaly side of the PyTorch comparison (benchmarks/compare.sh), timed without BenchmarkDotNet so both sides
/// are measured alike: warm-up, then the median of repeats with a <see cref="Stopwatch"/>. Prints one JSON line per
/// workload, the same as benchmarks/compare/pytorch_workloads.py.
/// </summary>
public static class ComparisonWorkloads
{
    private const double WarmupSeconds = 1.0;

    private static readonly int[] Hiddens = [32, 64, 128, 256, 512];

    /// <summary>The clock of the timed repeats (not of the warm-up, which is always wall time) and its ticks per second.</summary>
    private static Func<long> clock = Stopwatch.GetTimestamp;

    private static double clockFrequency = Stopwatch.Frequency;

    /// <summary>The hidden sizes whose matrix products are compared with OpenBLAS's sgemm on their own.</summary>
    private static readonly int[] GemmHiddens = [64, 256, 512];

    private static readonly string[] All =
    [
        "seed_epoch",
        .. Hiddens.Select(h => $"layer_fb_h{h}"),
        .. Hiddens.Select(h => $"layer_f_h{h}"),
        "stream_point",
        .. GemmHiddens.Select(h => $"gemm_step_h{h}"),
        .. GemmHiddens.Select(h => $"gemm_grad_h{h}"),
        .. GemmHiddens.Select(h => $"gemm_input_h{h}"),
    ];

    /// <summary>Runs the selected workloads.</summary>
    /// <param name="args">
    /// Optional <c>--workloads a,b,c</c>, <c>--repeats N</c> and <c>--clock wall|thread-cpu</c> (default wall; see
    /// <see cref="ThreadCpuClock"/>).
    /// </param>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string[] selected = All;
        int repeatsOverride = 0;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--workloads" when i + 1 < args.Length:
                    selected = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--repeats" when i + 1 < args.Length:
                    repeatsOverride = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--clock" when i + 1 < args.Length && args[i + 1] is "wall" or "thread-cpu":
                    clock = args[++i] == "wall" ? Stopwatch.GetTimestamp : ThreadCpuClock.Nanoseconds;
                    clockFrequency = args[i] == "wall" ? Stopwatch.Frequency : 1e9;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: compare [--workloads {string.Join(',', All)}] [--repeats N] [--clock wall|thread-cpu]");
                    return 2;
            }
        }

        foreach (string name in selected)
        {
            if (!All.Contains(name))
            {
                Console.Error.WriteLine($"Unknown workload '{name}'; expected one of {string.Join(", ", All)}.");
                return 2;
            }

            int repeats = repeatsOverride > 0 ? repeatsOverride : DefaultRepeats(name);
            double seconds = name switch
            {
                "seed_epoch" => SeedEpoch(repeats),
                "stream_point" => StreamPoint(repeats),
                _ when name.StartsWith("gemm_step_h", StringComparison.Ordinal) => GemmStep(int.Parse(name["gemm_step_h".Length..], CultureInfo.InvariantCulture), repeats),
                _ when name.StartsWith("gemm_input_h", StringComparison.Ordinal) => GemmInput(int.Parse(name["gemm_input_h".Length..], CultureInfo.InvariantCulture), repeats),
                _ when name.StartsWith("gemm_grad_h", StringComparison.Ordinal) => GemmGradient(int.Parse(name["gemm_grad_h".Length..], CultureInfo.InvariantCulture), repeats),
                _ when name.StartsWith("layer_fb_h", StringComparison.Ordinal) => Layer(int.Parse(name["layer_fb_h".Length..], CultureInfo.InvariantCulture), backward: true, repeats),
                _ => Layer(int.Parse(name["layer_f_h".Length..], CultureInfo.InvariantCulture), backward: false, repeats),
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"workload\": \"{name}\", \"seconds\": {seconds:R}, \"repeats\": {repeats}}}"));
        }

        return 0;
    }

    private static int DefaultRepeats(string name) => name switch
    {
        "seed_epoch" => 3,
        "stream_point" => 5,
        _ when name.EndsWith("_h512", StringComparison.Ordinal) => 3,
        _ when name.EndsWith("_h256", StringComparison.Ordinal) => 5,
        _ => 10,
    };

    /// <summary>
    /// A layer's per-step recurrent product, alone: C (32×3H) = A (32×H)·B (H×3H), 100 times (one per step of a batch of
    /// 32 sequences of 100). The PyTorch side calls <c>torch.mm</c>, which is OpenBLAS's sgemm.
    /// </summary>
    private static double GemmStep(int hidden, int repeats)
    {
        const int Rows = 32, Products = 100;
        float[] a = Sine(Rows * hidden), b = Sine(hidden * 3 * hidden);
        var c = new float[Rows * 3 * hidden];
        return MedianTime(() =>
        {
            for (int p = 0; p < Products; p++)
            {
                Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, Rows, 3 * hidden, hidden, 1f, a, hidden, b, 3 * hidden, 0f, c, 3 * hidden);
            }
        }, repeats, warmup: 2);
    }

    /// <summary>
    /// The recurrent weights' gradient of a layer over a whole batch: G (H×3H) = Hᵀ·dZ with H the 3200×H states and dZ the
    /// 3200×3H gate gradients (100 steps × 32 sequences), one product with a transposed left operand.
    /// </summary>
    private static double GemmGradient(int hidden, int repeats)
    {
        const int Rows = 3200;
        float[] states = Sine(Rows * hidden), gates = Sine(Rows * 3 * hidden);
        var gradient = new float[hidden * 3 * hidden];
        return MedianTime(() => Gemm.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, hidden, 3 * hidden, Rows, 1f, states, hidden,
            gates, 3 * hidden, 0f, gradient, 3 * hidden), repeats, warmup: 2);
    }

    /// <summary>A layer's input projection over a batch: (3200×8)·(8×3H), the 8 inputs of every step of 32 sequences of 100 at once.</summary>
    private static double GemmInput(int hidden, int repeats)
    {
        const int Rows = 3200, Inputs = 8;
        float[] inputs = Sine(Rows * Inputs), weights = Sine(Inputs * 3 * hidden);
        var projection = new float[Rows * 3 * hidden];
        return MedianTime(() => Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, Rows, 3 * hidden, Inputs, 1f, inputs, Inputs,
            weights, 3 * hidden, 0f, projection, 3 * hidden), repeats, warmup: 2);
    }

    private static double MedianTime(Action action, int repeats, int warmup = 1)
    {
        // Warm-up: at least `warmup` calls and at least WarmupSeconds, so the tiered JIT has promoted the hot
        // methods (the Python side warms up the same way).
        long warmupStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmup || Stopwatch.GetElapsedTime(warmupStart).TotalSeconds < WarmupSeconds; i++)
        {
            action();
        }

        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = clock();
            action();
            times[i] = (clock() - start) / clockFrequency;
        }

        Array.Sort(times);
        return repeats % 2 == 1 ? times[repeats / 2] : (times[(repeats / 2) - 1] + times[repeats / 2]) / 2;
    }

    private static float[] Sine(int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = MathF.Sin(0.1f * i);
        }

        return values;
    }

    /// <summary>One training epoch: 2×GRU(1→64) (reset-after, as PyTorch) + dense head on the last step, 1000 windows of 100, batch 32, Adam, MSE.</summary>
    private static double SeedEpoch(int repeats)
    {
        WindowedSeries data = WindowedSeries.Univariate(Sine(1100), window: 100);
        RecurrentNetwork network = RecurrentNetwork.CreateGru(inputSize: 1, hiddenSize: 64, layers: 2, outputSize: 1, GruVariant.ResetAfter);
        float[] parameters = network.CreateParameters(seed: 1);
        var trainer = new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 32, ValidationFraction = 0, Shuffle = true, Seed = 1, MaxDegreeOfParallelism = 1 });
        return MedianTime(() => trainer.Fit(network, parameters, data), repeats);
    }

    /// <summary>One reset-after GRU layer (PyTorch's form), 8 inputs, 100 steps, batch 32, no head.</summary>
    private static double Layer(int hidden, bool backward, int repeats)
    {
        const int Steps = 100, Batch = 32, Inputs = 8;
        RecurrentNetwork network = RecurrentNetwork.CreateGru(Inputs, hidden, layers: 1, outputSize: null, GruVariant.ResetAfter);
        float[] parameters = network.CreateParameters(seed: 1);
        NetworkWorkspace workspace = network.CreateWorkspace();
        var random = new Random(1);
        var inputs = new float[Steps * Batch * Inputs];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)((random.NextDouble() * 2) - 1);
        }

        if (!backward)
        {
            return MedianTime(() => network.Infer(parameters, inputs, Steps, Batch, workspace), repeats, warmup: 2);
        }

        var outputGradients = new float[Steps * Batch * hidden];
        Array.Fill(outputGradients, 1f);
        var gradients = new float[network.ParameterCount];
        return MedianTime(() =>
        {
            Array.Clear(gradients);
            network.Forward(parameters, inputs, Steps, Batch, workspace);
            network.Backward(parameters, workspace, outputGradients, gradients);
        }, repeats, warmup: 2);
    }

    /// <summary>
    /// Streaming: 2×GRU(1→64) (reset-after, as PyTorch), batch 1, one step per call carrying the state, through
    /// <see cref="NetworkStreamer"/>; seconds per point.
    /// </summary>
    private static double StreamPoint(int repeats)
    {
        const int Points = 2000;
        RecurrentNetwork network = RecurrentNetwork.CreateGru(inputSize: 1, hiddenSize: 64, layers: 2, outputSize: null, GruVariant.ResetAfter);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(seed: 1));
        StreamState state = streamer.CreateState();
        float[] values = Sine(Points);
        var output = new float[streamer.OutputSize];
        return MedianTime(() =>
        {
            state.Reset();
            for (int i = 0; i < Points; i++)
            {
                streamer.Step(state, values.AsSpan(i, 1), output);
            }
        }, repeats) / Points;
    }
}
