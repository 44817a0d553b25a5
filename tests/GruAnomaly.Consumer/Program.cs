// An application that uses GruAnomaly the way a .NET developer meets it: the package restored by id and version from
// a local folder (see run.sh and nuget.config), beside the 10.0 Microsoft packages that the package names as its floors.
// It fits a detector through the fluent API on a series it makes itself, detects a planted spike, and streams a network
// point by point. Any failed check is printed and makes the exit code 1. Its companion package registers the saved detector in a
// container and streams through the registry.
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Reflection;
using GruAnomaly.Detection;
using GruAnomaly.Extensions.DependencyInjection;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

const int Window = 32;
const int SpikeAt = 420;
var failures = new List<string>();
var clock = Stopwatch.StartNew();

void Check(bool condition, string what)
{
    Console.WriteLine($"{(condition ? "ok  " : "FAIL")} {what}");
    if (!condition)
    {
        failures.Add(what);
    }
}

// The floors: restore kept the 10.0 packages this project pins (a package demanding more would have failed it).
foreach (Assembly assembly in new[] { typeof(AnomalyDetector).Assembly, typeof(ILogger).Assembly, typeof(TensorPrimitives).Assembly })
{
    string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
    Console.WriteLine($"     {assembly.GetName().Name} {version}");
}

Check(typeof(ILogger).Assembly.GetName().Version?.Major == 10, "Microsoft.Extensions.Logging.Abstractions 10.0 is the one loaded");
Check(typeof(TensorPrimitives).Assembly.GetName().Version?.Major == 10, "System.Numerics.Tensors 10.0 is the one loaded");

// Detection: a noisy sine of period 40 to learn from, then a fresh stretch of it with one spike.
float[] training = NoisySine(1600, seed: 1);
float[] test = NoisySine(800, seed: 2);
test[SpikeAt] += 2.5f;

var logger = new CountingLogger();
var progress = new CountingProgress();
AnomalyDetector detector = AnomalyDetector.CreateBuilder()
    .WithWindow(Window)
    .WithModel(Models.Gru(hiddenSize: 16, layers: 1))
    .WithScorer(Scorer.Forecast())
    .WithTrainer(new TrainerOptions { Epochs = 10, BatchSize = 32, EarlyStoppingPatience = 3, Seed = 1 })
    .WithLoss(Loss.Mse)
    .WithThreshold(Threshold.PeaksOverThreshold(riskLevel: 1e-3))
    .WithLogger(logger)
    .Build();

FittedAnomalyDetector fitted = await detector.FitAsync(training, progress, CancellationToken.None);
DetectionResult result = fitted.Detect(test);
string events = string.Join(", ", result.Events.Select(e => $"{e.Start}-{e.End}"));
Console.WriteLine($"fitted in {clock.Elapsed.TotalSeconds:F1} s; threshold {fitted.Threshold.Value:F4}; events [{events}]");

Check(result.Length == test.Length, $"one score per test point ({result.Length} of {test.Length})");
Check(result.Events.Any(e => e.Start <= SpikeAt + Window && e.End >= SpikeAt), $"an event covers the spike at {SpikeAt}");
Check(result.Events.All(e => e.Start <= SpikeAt + Window && e.End >= SpikeAt), "no event away from the spike");
Check(progress.Reports > 0, $"training reported progress ({progress.Reports} reports)");
Check(logger.Messages > 0, $"the library logged through Microsoft.Extensions.Logging.Abstractions ({logger.Messages} messages)");
if (result.Events.Count > 0)
{
    int peak = result.Events[0].PeakIndex;
    Explanation why = fitted.Explain(test, peak);
    Check(why.Time == peak && why.Saliency.Length == why.Window * why.Features, $"an explanation of the peak at {peak}");
}

// The DI package: the detector saved, registered by name, and a series streamed through the keyed registry gives what a
// stream of the detector gives; a snapshot restores into a new container.
string detectorFile = Path.Combine(Path.GetTempPath(), $"gruanomaly-consumer-{Environment.ProcessId}.gad");
try
{
    fitted.Save(detectorFile);
    ServiceProvider Container() => new ServiceCollection()
        .AddAnomalyDetector("consumer", options => options.Path = detectorFile)
        .BuildServiceProvider();
    DetectorStream direct = fitted.CreateStream();
    using var snapshot = new MemoryStream();
    bool same = true;
    using (ServiceProvider services = Container())
    {
        IAnomalyStreamRegistry registry = services.GetRequiredKeyedService<IAnomalyStreamRegistry>("consumer");
        for (int t = 0; t < 400; t++)
        {
            same &= registry.Observe("series", test[t]) == direct.Observe(test[t]);
        }

        registry.Snapshot(snapshot);
    }

    snapshot.Position = 0;
    using (ServiceProvider services = Container())
    {
        IAnomalyStreamRegistry registry = services.GetRequiredKeyedService<IAnomalyStreamRegistry>("consumer");
        Check(registry.Restore(snapshot) == 1, "the stream registry restored its snapshot in a new container");
        for (int t = 400; t < test.Length; t++)
        {
            same &= registry.Observe("series", test[t]) == direct.Observe(test[t]);
        }
    }

    Check(same, "AddAnomalyDetector's stream registry, snapshot and restore included, equals a stream of the detector");
}
finally
{
    File.Delete(detectorFile);
}

// Streaming: a network stepped one point at a time gives what one pass over the whole sequence gives.
const int Steps = 200;
RecurrentNetwork network = RecurrentNetwork.CreateGru(
    inputSize: 1, hiddenSize: 8, layers: 2, outputSize: 1, headPlacement: HeadPlacement.EveryStep);
float[] weights = network.CreateParameters(seed: 1);
NetworkWorkspace workspace = network.CreateWorkspace();
network.Infer(weights, training.AsSpan(0, Steps), steps: Steps, batchSize: 1, workspace);
float[] expected = workspace.Outputs.ToArray();

NetworkStreamer streamer = network.CreateStreamer(weights);
StreamState state = streamer.CreateState();
StreamState resumed = streamer.CreateState();
var saved = new float[state.StateSize];
var output = new float[1];
var resumedOutput = new float[1];
float worst = 0f, worstResumed = 0f;
for (int t = 0; t < Steps; t++)
{
    streamer.Step(state, training.AsSpan(t, 1), output);
    worst = Math.Max(worst, Math.Abs(output[0] - expected[t]));
    if (t == (Steps / 2) - 1)
    {
        state.CopyTo(saved);
        resumed.RestoreFrom(saved, state.StepsSeen);
    }
    else if (t >= Steps / 2)
    {
        streamer.Step(resumed, training.AsSpan(t, 1), resumedOutput);
        worstResumed = Math.Max(worstResumed, Math.Abs(resumedOutput[0] - output[0]));
    }
}

Check(worst <= 1e-5f, $"streaming matches the batch pass (worst difference {worst:G3})");
Check(worstResumed == 0f && resumed.StepsSeen == Steps,
    $"a stream restored from a saved state continues identically (worst difference {worstResumed:G3})");

string verdict = failures.Count == 0 ? "all checks passed" : $"{failures.Count} check(s) failed: {string.Join("; ", failures)}";
Console.WriteLine($"consumer: {verdict} in {clock.Elapsed.TotalSeconds:F1} s");
return failures.Count == 0 ? 0 : 1;

static float[] NoisySine(int length, int seed)
{
    var random = new Random(seed);
    var values = new float[length];
    double phase = random.NextDouble() * 2 * Math.PI;
    for (int t = 0; t < length; t++)
    {
        double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        values[t] = (float)(Math.Sin((2 * Math.PI * t / 40) + phase) + (0.1 * gaussian));
    }

    return values;
}

/// <summary>Counts the messages the library logs at Information level or above.</summary>
internal sealed class CountingLogger : ILogger
{
    private int _messages;

    public int Messages => Volatile.Read(ref _messages);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(
        LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Interlocked.Increment(ref _messages);
        }
    }
}

/// <summary>Counts training progress reports as they arrive (unlike <see cref="Progress{T}"/>, which posts them later).</summary>
internal sealed class CountingProgress : IProgress<TrainingProgress>
{
    private int _reports;

    public int Reports => Volatile.Read(ref _reports);

    public void Report(TrainingProgress value) => Interlocked.Increment(ref _reports);
}
