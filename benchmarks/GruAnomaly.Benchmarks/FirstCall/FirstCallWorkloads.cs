using System.Diagnostics;
using System.Globalization;

using GruAnomaly.Data;
using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Training;

namespace GruAnomaly.Benchmarks.FirstCall;

/// <summary>
/// First-call timings for benchmarks/firstcall.sh: each workload runs in a fresh process with no warm-up, so what is
/// measured is what a user's first call pays, tiered JIT included. The script runs every workload pinned to one core
/// (<c>taskset -c 0</c>) and unpinned and reports the ratio; BenchmarkDotNet cannot measure this, because its warm-up
/// is exactly what hides the cost.
/// </summary>
/// <remarks>
/// Prints one JSON line: the workload, the seconds of the first call and the median seconds of the next calls, and
/// <see cref="Environment.ProcessorCount"/> (1 when pinned), so a report can show the runtime saw one core.
/// </remarks>
public static class FirstCallWorkloads
{
    private const int NextCalls = 4;

    private static readonly string[] All = ["layer_f_h512", "layer_fb_h128", "seed_epoch", "fit_small", "stream_2000"];

    /// <summary>Runs one workload.</summary>
    /// <param name="args"><c>--workload NAME</c>.</param>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length != 2 || args[0] != "--workload" || !All.Contains(args[1]))
        {
            Console.Error.WriteLine($"Usage: firstcall --workload {{{string.Join('|', All)}}}");
            return 2;
        }

        string name = args[1];
        Action action = name switch
        {
            "layer_f_h512" => Layer(512, backward: false),
            "layer_fb_h128" => Layer(128, backward: true),
            "seed_epoch" => SeedEpoch(),
            "fit_small" => FitSmall(),
            _ => Stream(2000),
        };

        long start = Stopwatch.GetTimestamp();
        action();
        double first = Stopwatch.GetElapsedTime(start).TotalSeconds;

        // The calls after the first show whether the process stays slow (hot loops stuck in tier-0 code) or only paid
        // a one-time cost (JIT of the first call).
        var next = new double[NextCalls];
        for (int i = 0; i < NextCalls; i++)
        {
            start = Stopwatch.GetTimestamp();
            action();
            next[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(next);
        double median = (next[(NextCalls / 2) - 1] + next[NextCalls / 2]) / 2;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"workload\": \"{name}\", \"first\": {first:R}, \"next\": {median:R}, \"processors\": {Environment.ProcessorCount}}}"));
        return 0;
    }

    private static float[] Sine(int length, float noise = 0f)
    {
        var random = new Random(1);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = MathF.Sin(0.1f * i) + (noise * (float)((random.NextDouble() * 2) - 1));
        }

        return values;
    }

    /// <summary>One reset-after GRU layer, 8 inputs, 100 steps, batch 32 (as the PyTorch comparison).</summary>
    private static Action Layer(int hidden, bool backward)
    {
        const int Steps = 100, Batch = 32, Inputs = 8;
        RecurrentNetwork network = RecurrentNetwork.CreateGru(Inputs, hidden, layers: 1, outputSize: null, GruVariant.ResetAfter);
        float[] parameters = network.CreateParameters(seed: 1);
        NetworkWorkspace workspace = network.CreateWorkspace();
        float[] inputs = Sine(Steps * Batch * Inputs, noise: 0.5f);
        if (!backward)
        {
            return () => network.Infer(parameters, inputs, Steps, Batch, workspace);
        }

        var outputGradients = new float[Steps * Batch * hidden];
        Array.Fill(outputGradients, 1f);
        var gradients = new float[network.ParameterCount];
        return () =>
        {
            Array.Clear(gradients);
            network.Forward(parameters, inputs, Steps, Batch, workspace);
            network.Backward(parameters, workspace, outputGradients, gradients);
        };
    }

    /// <summary>One epoch of the seed model: 2×GRU(1→64) + dense head, 1000 windows of 100, batch 32, Adam, MSE.</summary>
    private static Action SeedEpoch()
    {
        WindowedSeries data = WindowedSeries.Univariate(Sine(1100), window: 100);
        RecurrentNetwork network = RecurrentNetwork.CreateGru(inputSize: 1, hiddenSize: 64, layers: 2, outputSize: 1, GruVariant.ResetAfter);
        float[] parameters = network.CreateParameters(seed: 1);
        var trainer = new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 32, ValidationFraction = 0, Shuffle = true, Seed = 1, MaxDegreeOfParallelism = 1 });
        return () => trainer.Fit(network, parameters, data);
    }

    /// <summary>Fits the default detector on 2000 noisy sine points (the whole public path: scaling, training, scoring, threshold).</summary>
    private static Action FitSmall()
    {
        float[] training = Sine(2000, noise: 0.1f);
        AnomalyDetector detector = AnomalyDetector.CreateBuilder()
            .WithTrainer(options => options with { Epochs = 3 })
            .Build();
        return () => detector.Fit(training);
    }

    /// <summary>Streams <paramref name="points"/> points through 2×GRU(1→64), one step per point.</summary>
    private static Action Stream(int points)
    {
        RecurrentNetwork network = RecurrentNetwork.CreateGru(inputSize: 1, hiddenSize: 64, layers: 2, outputSize: null, GruVariant.ResetAfter);
        NetworkStreamer streamer = network.CreateStreamer(network.CreateParameters(seed: 1));
        StreamState state = streamer.CreateState();
        float[] values = Sine(points);
        var output = new float[streamer.OutputSize];
        return () =>
        {
            state.Reset();
            for (int i = 0; i < points; i++)
            {
                streamer.Step(state, values.AsSpan(i, 1), output);
            }
        };
    }
}
