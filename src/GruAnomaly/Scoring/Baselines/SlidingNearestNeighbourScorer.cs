using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// The nearest-neighbour subsequence distance against a sliding reference: the error of a point and feature is the
/// Euclidean distance from the subsequence of <see cref="Length"/> (scaled) values that ends at the point to its nearest
/// among the last <see cref="Reference"/> subsequences that end at least one subsequence length before it, first those
/// of the training series' tail, then those of the scored series itself (a stream's "left matrix profile"). A shape the
/// series has already shown is not new again, whether or not the training part held it. The expected value is the last
/// value of that nearest subsequence.
/// </summary>
/// <remarks>
/// <para>
/// Against <see cref="NearestNeighbourScorer"/>, whose reference is the training series only: a stream fitted on a short
/// leading part soon meets normal shapes its training never showed, and those stay far from a fixed reference for
/// good; here they count as new once. An anomaly that lasts longer than a subsequence scores mostly at its onset, since
/// its later subsequences find its earlier ones, so this scorer raises alarms at onsets rather than ranking every point of
/// a long anomaly high. A detector that scores a series after its training series reads it as their continuation: the
/// first points are compared with the training tail.
/// </para>
/// <para>
/// On the training series itself (what a fusion and the threshold calibrate on) a point is compared only with the
/// subsequences before it, so every point is scored as a new one would be; those with a full reference (or, on a short
/// training series, the later half of those with any) are held out.
/// </para>
/// <para>
/// Each feature is searched on its own, by brute force: O(<see cref="Reference"/> × <see cref="Length"/>) per point and
/// feature, the same arithmetic in a batch and in a stream, so both give the same bits. A stream keeps the last
/// 2·length + reference − 2 inputs, and the fitted scorer the last reference + length − 1 training steps.
/// </para>
/// <para>
/// The trainer options, the loss and the model of the detector are ignored (and never refused): nothing is trained.
/// </para>
/// </remarks>
public sealed class SlidingNearestNeighbourScorer : IAnomalyScorer
{
    /// <summary>How many subsequences the reference holds unless told otherwise.</summary>
    public const int DefaultReference = 2000;

    /// <summary>The most subsequences a reference can hold.</summary>
    public const int MaximumReference = NearestNeighbourScorer.MaximumReference;

    /// <summary>Creates the scorer.</summary>
    /// <param name="length">The subsequence length, positive; null for the detector's window.</param>
    /// <param name="reference">How many of the latest subsequences the reference holds, from 1 to <see cref="MaximumReference"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="length"/> is not positive, or <paramref name="reference"/> is not between 1 and <see cref="MaximumReference"/>.
    /// </exception>
    public SlidingNearestNeighbourScorer(int? length = null, int reference = DefaultReference)
    {
        Length = ScoringArguments.PositiveOrNull(length, nameof(length));
        if (reference < 1 || reference > MaximumReference)
        {
            throw new ArgumentOutOfRangeException(nameof(reference), reference, $"The reference holds from 1 to {MaximumReference} subsequences.");
        }

        Reference = reference;
    }

    /// <summary>Gets the subsequence length, or null for the detector's window.</summary>
    /// <value>The default value is null.</value>
    public int? Length { get; }

    /// <summary>Gets how many of the latest subsequences the reference holds.</summary>
    /// <value>The default value is <see cref="DefaultReference"/>.</value>
    public int Reference { get; }

    /// <inheritdoc />
    public string Name => NameOf(Length, Reference);

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    /// <remarks>Two subsequences: a training series needs a point with one subsequence before it to calibrate on.</remarks>
    public int MinimumLength(int window) => 2 * (Length ?? window);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The training series is shorter than two subsequences.</exception>
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        int length = Length ?? context.Window, features = context.Features;
        ReadOnlySpan<float> inputs = context.Inputs.Span;
        int steps = inputs.Length / features;
        if (steps < 2 * length)
        {
            throw new ArgumentException(
                $"The training series has {steps} steps; the {Name} scorer needs at least {2 * length} (a subsequence and one before it) to calibrate on.",
                nameof(context));
        }

        int kept = Math.Min(steps, Reference + length - 1);
        var tail = new float[features][];
        for (int f = 0; f < features; f++)
        {
            tail[f] = new float[kept];
            for (int t = 0; t < kept; t++)
            {
                tail[f][t] = inputs[((steps - kept + t) * features) + f];
            }
        }

        // The first step whose reference is full; on a training series too short to hold out 200 of those, the later
        // half of the steps that have any reference.
        int full = (2 * length) + Reference - 2, first = (2 * length) - 1;
        int heldOutFrom = full < steps - 200 ? full : first + ((steps - first) / 2);
        return new FittedSlidingNearestNeighbourScorer(NameOf(length, Reference), length, Reference, tail, heldOutFrom);
    }

    private static string NameOf(int? length, int reference)
    {
        var parameters = new List<string>();
        if (length is int given)
        {
            parameters.Add($"length={given}");
        }

        if (reference != DefaultReference)
        {
            parameters.Add($"reference={reference}");
        }

        return parameters.Count == 0 ? "sliding nearest-neighbour" : $"sliding nearest-neighbour({string.Join(", ", parameters)})";
    }
}
