using GruAnomaly.Training;

namespace GruAnomaly.Scoring;

/// <summary>
/// The nearest-neighbour subsequence distance as a scorer (the "discord" distance of Keogh et al.): the error of a point
/// and feature is the Euclidean distance from the subsequence of <see cref="Length"/> (scaled) values that ends at the
/// point to its nearest subsequence of the training series. A shape never seen in training is far from all of them; it
/// needs no model, so it catches anomalies a forecaster has learned to predict. The expected value is the last value of
/// that nearest subsequence (mapped onto the point's own mean and spread when <see cref="Normalize"/> is set).
/// </summary>
/// <remarks>
/// <para>
/// The reference is the training series, at most its last <see cref="Reference"/> steps. On the training series
/// itself (what a fusion and the threshold calibrate on) every point is scored as if it were new: its neighbour must
/// start at least one subsequence length away from its own subsequence, so that it cannot find itself; every scored
/// training step is therefore held out.
/// </para>
/// <para>
/// With <see cref="Normalize"/> each subsequence is z-normalised before the distance (Keogh's discord distance): shapes
/// are compared whatever their level and amplitude. A subsequence whose standard deviation is below 10⁻³ (in the scaled
/// units the scorer reads) counts as flat: two flat ones are at distance 0, a flat one and another as far apart as two
/// uncorrelated ones (√(2·length)).
/// </para>
/// <para>
/// Each feature is searched on its own. A batch or a stream costs O(reference) per point and feature: the sliding dot
/// products move by one step at a time and are recomputed exactly once per subsequence length, at steps fixed by the
/// series' time, so that a stream and a batch give the same bits and rounding does not build up. A stream keeps three rows
/// of reference length per feature, so a shorter <see cref="Reference"/> makes streams smaller and faster.
/// </para>
/// <para>
/// The trainer options, the loss and the model of the detector are ignored (and never refused): nothing is trained.
/// </para>
/// </remarks>
public sealed class NearestNeighbourScorer : IAnomalyScorer
{
    /// <summary>The most training steps a reference can keep, and the default.</summary>
    public const int MaximumReference = 10_000;

    /// <summary>Creates the scorer.</summary>
    /// <param name="length">
    /// The subsequence length, positive; null for the detector's window (at least 2 when z-normalised: one value has no
    /// spread to normalise by).
    /// </param>
    /// <param name="normalize">Whether subsequences are z-normalised before the distance.</param>
    /// <param name="reference">The most training steps kept as the reference (the latest ones), from the subsequence length to <see cref="MaximumReference"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="length"/> is not positive, or is 1 with <paramref name="normalize"/> (one value has no spread to
    /// normalise by); or <paramref name="reference"/> is shorter than <paramref name="length"/> or than 1, or longer than <see cref="MaximumReference"/>.
    /// </exception>
    public NearestNeighbourScorer(int? length = null, bool normalize = false, int reference = MaximumReference)
    {
        Length = ScoringArguments.PositiveOrNull(length, nameof(length));
        if (normalize && length == 1)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A z-normalised subsequence needs at least 2 values.");
        }

        if (reference < Math.Max(1, length ?? 1) || reference > MaximumReference)
        {
            throw new ArgumentOutOfRangeException(nameof(reference), reference,
                $"The reference keeps from one subsequence ({length ?? 1} steps) to {MaximumReference} training steps.");
        }

        Normalize = normalize;
        Reference = reference;
    }

    /// <summary>Gets the subsequence length, or null for the detector's window (at least 2 when z-normalised).</summary>
    /// <value>The default value is null.</value>
    public int? Length { get; }

    /// <summary>Gets whether subsequences are z-normalised before the distance.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Normalize { get; }

    /// <summary>Gets the most training steps kept as the reference (the latest ones).</summary>
    /// <value>The default value is <see cref="MaximumReference"/>.</value>
    public int Reference { get; }

    /// <inheritdoc />
    public string Name => NameOf(Length, Normalize, Reference);

    /// <summary>Returns <see cref="Name"/>: what this is, with its parameters.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <inheritdoc />
    /// <remarks>One subsequence.</remarks>
    public int MinimumLength(int window) => Resolve(window);

    /// <inheritdoc />
    /// <value>Without a <see cref="Length"/>, the <see cref="Reference"/>: a subsequence of the window must fit in it.</value>
    public int MaximumWindow => Length is null ? Reference : int.MaxValue;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The training series is shorter than one subsequence.</exception>
    public IFittedScorer Fit(ScorerFitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        int length = Resolve(context.Window), features = context.Features;
        ReadOnlySpan<float> inputs = context.Inputs.Span;
        int steps = inputs.Length / features;

        if (steps < length)
        {
            throw new ArgumentException(
                $"The training series has {steps} steps; the {Name} scorer needs at least {length} (one subsequence) as its reference.", nameof(context));
        }

        if (Reference < length)
        {
            throw new ArgumentException(
                $"The {Name} scorer keeps a reference of {Reference} steps, shorter than one subsequence of the detector's window ({length}); set a longer reference or a length.",
                nameof(context));
        }

        int referenceStart = Math.Max(0, steps - Reference);
        var reference = new float[features][];
        for (int f = 0; f < features; f++)
        {
            reference[f] = new float[steps - referenceStart];
            for (int t = referenceStart; t < steps; t++)
            {
                reference[f][t - referenceStart] = inputs[(t * features) + f];
            }
        }

        return new FittedNearestNeighbourScorer(NameOf(length, Normalize, Reference), length, Normalize, reference, referenceStart);
    }

    private int Resolve(int window) => Length ?? (Normalize ? Math.Max(2, window) : window);

    private static string NameOf(int? length, bool normalize, int reference)
    {
        var parameters = new List<string>();
        if (length is int given)
        {
            parameters.Add($"length={given}");
        }

        if (normalize)
        {
            parameters.Add("z-normalised");
        }

        if (reference != MaximumReference)
        {
            parameters.Add($"reference={reference}");
        }

        return parameters.Count == 0 ? "nearest-neighbour" : $"nearest-neighbour({string.Join(", ", parameters)})";
    }
}
