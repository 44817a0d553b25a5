using GruAnomaly.Diagnostics;
using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// The plain nearest-neighbour distance (<see cref="NearestNeighbourScorer"/>) at three subsequence lengths, the
/// detector's window and half and twice it, as MERLIN searches discords of several lengths: an anomaly shorter or longer
/// than the window is diluted or cut at the window's length. Each distance is divided by the square root of its length,
/// so that it reads as a root-mean-square difference per step whatever the length, and the largest is the error. The
/// expected value is the window-length neighbour's.
/// </summary>
/// <remarks>
/// <para>
/// The three lengths need a full reference: a training series shorter than <see cref="Reference"/> steps holds few
/// subsequences twice the window long, and normal shapes at that length would stay new. On such a series (and where half
/// the window is shorter than 2 steps, or twice it longer than the reference) the lengths that do not fit are left out,
/// down to the window's length alone, which is then exactly the plain distance; the lengths used are logged and named in
/// the fitted scorer's name.
/// </para>
/// <para>
/// Measured on the quality benchmark in place of the default's plain distance (five seeds, issue 10,
/// <c>benchmarks/results/quality-2026-12-03-multi-length.md</c>): better on every mean in both protocols. A batch or a
/// stream runs three plain distances' searches, and a stream keeps all three (in the default, 1.35 times the time per
/// streamed point at window 32, <c>multi-length-stream-2026-12-03.md</c>).
/// </para>
/// </remarks>
public sealed class MultiLengthNearestNeighbourScorer : IAnomalyScorer
{
    /// <summary>The reference when none is given, in training steps: the default detector's.</summary>
    public const int DefaultReference = 2000;

    /// <summary>Creates the scorer.</summary>
    /// <param name="reference">The most training steps kept as the reference (the latest ones), and the fewest for three lengths; from 2 to <see cref="NearestNeighbourScorer.MaximumReference"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reference"/> is out of range.</exception>
    public MultiLengthNearestNeighbourScorer(int reference = DefaultReference)
    {
        if (reference < 2 || reference > NearestNeighbourScorer.MaximumReference)
        {
            throw new ArgumentOutOfRangeException(nameof(reference), reference, $"The reference keeps from 2 to {NearestNeighbourScorer.MaximumReference} training steps.");
        }

        Reference = reference;
    }

    /// <summary>Gets the most training steps kept as the reference, and the fewest the training series needs for three lengths.</summary>
    /// <value>The default value is <see cref="DefaultReference"/>.</value>
    public int Reference { get; }

    /// <inheritdoc />
    public string Name => Reference == DefaultReference ? "multi-length nearest-neighbour" : $"multi-length nearest-neighbour(reference={Reference})";

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    /// <remarks>One subsequence of the window: the longer length is left out of a shorter series.</remarks>
    public int MinimumLength(int window) => window;

    /// <inheritdoc />
    /// <value>The <see cref="Reference"/>: a subsequence of the window must fit in it.</value>
    public int MaximumWindow => Reference;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The training series is shorter than one subsequence of the window.</exception>
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        int window = context.Window, steps = context.Inputs.Length / context.Features;
        (int[] lengths, string reason) = Lengths(window, steps);
        var parts = new FittedNearestNeighbourScorer[lengths.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            parts[i] = (FittedNearestNeighbourScorer)new NearestNeighbourScorer(lengths[i], normalize: false, Reference).Fit(context, progress, cancellationToken);
        }

        context.Logger.NeighbourLengths(Name, string.Join("/", lengths), reason);
        return parts.Length == 1 ? parts[0] : new FittedMultiLengthNearestNeighbourScorer($"{Name} (lengths {string.Join("/", lengths)})", parts);
    }

    /// <summary>The window's length first, then half and twice it where the series and the reference hold them.</summary>
    private (int[] Lengths, string Reason) Lengths(int window, int steps)
    {
        if (steps < Reference)
        {
            return ([window], $": the training series has {steps} steps, fewer than the {Reference}-step reference that three lengths need");
        }

        var lengths = new List<int> { window };
        if (window / 2 >= 2)
        {
            lengths.Add(window / 2);
        }

        if (2 * window <= Reference)
        {
            lengths.Add(2 * window);
        }

        return ([.. lengths], lengths.Count == 3 ? string.Empty : $": half the window or twice it does not fit ({window} steps, reference {Reference})");
    }
}
