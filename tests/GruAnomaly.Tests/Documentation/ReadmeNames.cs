using GruAnomaly.Detection;
using GruAnomaly.Recurrent;
using GruAnomaly.Tests.Recurrent;
using GruAnomaly.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

#pragma warning disable IDE1006 // Named as README.md's code calls them.

namespace GruAnomaly.Tests.Documentation;

/// <summary>
/// The names that README.md's code blocks use without declaring them, with their real types, as the README's text
/// describes them. <see cref="ReadmeCodeTests"/> compiles every block with these in scope (a block's own declaration
/// of the same name hides them); nothing is run, so the values only need the right types.
/// </summary>
public static class ReadmeNames
{
    /// <summary>Gets the series a detector is fitted on: mostly normal data (a float[] or float[,] converts implicitly).</summary>
    public static TimeSeries training { get; } = new float[1];

    /// <summary>Gets the series a fitted detector scores.</summary>
    public static TimeSeries test { get; } = new float[1];

    /// <summary>Gets a univariate series as plain values; NaN marks a missing point.</summary>
    public static float[] series { get; } = [];

    /// <summary>Gets the application's logger.</summary>
    public static ILogger logger => NullLogger.Instance;

    /// <summary>Gets the optional receiver of training progress.</summary>
    public static IProgress<TrainingProgress>? progress => null;

    /// <summary>Gets the token that cancels fitting.</summary>
    public static CancellationToken cancellationToken => CancellationToken.None;

    /// <summary>Gets labels for <see cref="test"/>: true where a point is anomalous.</summary>
    public static bool[] labels { get; } = new bool[1];

    /// <summary>Gets a network, as built in "A network, trained".</summary>
    public static RecurrentNetwork network { get; } = RecurrentNetwork.CreateGru(inputSize: 1, hiddenSize: 2, outputSize: 1);

    /// <summary>Gets trained weights for <see cref="network"/>, as "A network, trained" gets them from the trainer.</summary>
    public static ReadOnlyMemory<float> weights { get; } = network.CreateParameters(seed: 1);

    /// <summary>Gets the application's services, as <c>builder.Services</c> of a host builder.</summary>
    public static IServiceCollection services { get; } = new ServiceCollection();

    /// <summary>Gets the application's built container, as <c>host.Services</c>.</summary>
    public static IServiceProvider serviceProvider => throw new NotSupportedException("README blocks are compiled, not run.");

    /// <summary>Gets one time step's input to a streamer: InputSize values.</summary>
    public static float[] point { get; } = new float[1];

    /// <summary>Gets where a streamer writes one step's output: OutputSize values.</summary>
    public static float[] output { get; } = new float[1];
}

/// <summary>Stands for the reader's own cell in "Writing your own cell, and proving it right": a GRU under another name.</summary>
/// <param name="inputSize">Input features per step.</param>
/// <param name="hiddenSize">Units.</param>
public sealed class MyCell(int inputSize, int hiddenSize) : DelegatingCell(new GruCell(inputSize, hiddenSize));
