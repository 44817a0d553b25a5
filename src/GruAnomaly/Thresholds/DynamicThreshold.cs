using System.Globalization;

namespace GruAnomaly.Thresholds;

/// <summary>
/// The algorithms of the non-parametric dynamic threshold of Hundman et al. (KDD 2018, "telemanom"): the choice of
/// ε on a window of (smoothed) scores, and the pruning of flagged sequences.
/// </summary>
internal static class DynamicThreshold
{
    /// <summary>The minimum percent decrease used by telemanom for pruning.</summary>
    public const double DefaultMinimumPercentDecrease = 0.13;

    /// <summary>
    /// Chooses ε for one window of scores: among <c>ε = mean + z·std</c> for z on the grid of
    /// <paramref name="options"/>, the one maximizing
    /// <c>(Δmean/|mean| + Δstd/std) / (|flagged points| + |flagged sequences|²)</c>, where Δ is the drop of the
    /// window's mean and (population) standard deviation when the scores above ε are removed, flagged points are the
    /// scores above ε widened by <see cref="DynamicThresholdOptions.AnomalyPadding"/>, and sequences are maximal runs of
    /// consecutive flagged points. Candidates that flag nothing, more than
    /// <see cref="DynamicThresholdOptions.MaximumSequences"/> sequences, or at least
    /// <see cref="DynamicThresholdOptions.MaximumFlaggedFraction"/> of the window are skipped; ties go to the larger z;
    /// with no admissible candidate ε is <c>mean + MaximumZ·std</c>.
    /// </summary>
    /// <remarks>
    /// Differences from telemanom's code, deliberate: "above ε" is strict (<c>&gt;</c>, matching the flag rule
    /// <c>score &gt; threshold</c>) where telemanom uses <c>≥</c>; sequences of a single point count; the mean drop is
    /// divided by <c>|mean|</c> and taken as 0 for a zero mean. A constant window gives <c>ε = mean</c>.
    /// </remarks>
    /// <param name="window">The scores of the window, in time order; at least 1, finite.</param>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <returns>ε.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="window"/> is empty or not finite, or <paramref name="options"/> is invalid.
    /// </exception>
    public static double Epsilon(ReadOnlySpan<double> window, DynamicThresholdOptions? options = null)
    {
        options ??= DynamicThresholdOptions.Default;
        options.Validate();
        ScoreChecks.Calibration(window, 1, "the dynamic threshold", nameof(window));
        return EpsilonUnchecked(window, options, new bool[window.Length]);
    }

    /// <summary>
    /// Telemanom's pruning of flagged sequences. The maxima of the sequences (maximal runs of flags) are sorted in
    /// descending order and the largest unflagged score is appended; walking down the list, the relative decrease
    /// <c>(mᵢ − mᵢ₊₁)/mᵢ</c> is computed at each step, and every sequence after the last step with a decrease of at
    /// least <paramref name="minimumPercentDecrease"/> is unflagged (all of them if there is no such step).
    /// </summary>
    /// <remarks>
    /// Meant for non-negative scores; a step from a maximum of 0 counts as no decrease. When every score is flagged
    /// there is one sequence and nothing to compare it with, so it is kept. Telemanom prunes per window; call this
    /// once per window to do the same.
    /// </remarks>
    /// <param name="scores">The scores; finite.</param>
    /// <param name="flags">The flags of <paramref name="scores"/>, same length; pruned sequences are set to false.</param>
    /// <param name="minimumPercentDecrease">p, a fraction in [0, 1]; telemanom uses 0.13.</param>
    /// <exception cref="ArgumentException">The lengths differ or a score is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimumPercentDecrease"/> is outside [0, 1].</exception>
    public static void Prune(ReadOnlySpan<double> scores, Span<bool> flags, double minimumPercentDecrease = DefaultMinimumPercentDecrease)
    {
        if (flags.Length != scores.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"flags has {flags.Length} values; expected {scores.Length} (one per score)."),
                nameof(flags));
        }

        ScoreChecks.Finite(scores, nameof(scores));
        ScoreChecks.Probability(minimumPercentDecrease, nameof(minimumPercentDecrease), allowZero: true, allowOne: true);

        var sequences = new List<(int Start, int End, double Maximum)>();
        bool hasNormal = false;
        double normalMaximum = double.NegativeInfinity;
        for (int i = 0; i < scores.Length; i++)
        {
            if (!flags[i])
            {
                hasNormal = true;
                normalMaximum = Math.Max(normalMaximum, scores[i]);
                continue;
            }

            int start = i;
            double maximum = scores[i];
            while (i + 1 < scores.Length && flags[i + 1])
            {
                i++;
                maximum = Math.Max(maximum, scores[i]);
            }

            sequences.Add((start, i + 1, maximum));
        }

        if (sequences.Count == 0)
        {
            return;
        }

        // Stable order: equal maxima keep time order, so the result does not depend on the sort algorithm.
        int[] order = new int[sequences.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            int byMaximum = sequences[b].Maximum.CompareTo(sequences[a].Maximum);
            return byMaximum != 0 ? byMaximum : a.CompareTo(b);
        });

        int comparisons = hasNormal ? order.Length : order.Length - 1;
        int lastKept = comparisons == 0 ? 0 : -1;
        for (int rank = 0; rank < comparisons; rank++)
        {
            double current = sequences[order[rank]].Maximum;
            double next = rank + 1 < order.Length ? sequences[order[rank + 1]].Maximum : normalMaximum;
            double decrease = current == 0 ? 0 : (current - next) / Math.Abs(current);
            if (decrease >= minimumPercentDecrease)
            {
                lastKept = rank;
            }
        }

        for (int rank = lastKept + 1; rank < order.Length; rank++)
        {
            (int start, int end, _) = sequences[order[rank]];
            flags[start..end].Clear();
        }
    }

    internal static double EpsilonUnchecked(ReadOnlySpan<double> window, DynamicThresholdOptions options, bool[] flaggedScratch)
    {
        int n = window.Length;
        double sum = 0;
        foreach (double value in window)
        {
            sum += value;
        }

        double mean = sum / n;
        double squares = 0;
        foreach (double value in window)
        {
            squares += (value - mean) * (value - mean);
        }

        double std = Math.Sqrt(squares / n);
        double best = mean + (options.MaximumZ * std);
        if (!(std > 0))
        {
            return mean;
        }

        double bestScore = double.NegativeInfinity;
        Span<bool> flagged = flaggedScratch.AsSpan(0, n);
        for (int step = 0; ; step++)
        {
            double z = options.MinimumZ + (step * options.ZStep);
            if (!(z < options.MaximumZ))
            {
                break;
            }

            double epsilon = mean + (z * std);
            flagged.Clear();
            double keptSum = 0;
            int kept = 0;
            for (int i = 0; i < n; i++)
            {
                if (window[i] > epsilon)
                {
                    int from = Math.Max(0, i - options.AnomalyPadding);
                    int to = Math.Min(n - 1, i + options.AnomalyPadding);
                    flagged[from..(to + 1)].Fill(true);
                }
                else
                {
                    keptSum += window[i];
                    kept++;
                }
            }

            if (kept == n)
            {
                continue;
            }

            int flaggedCount = 0;
            int sequences = 0;
            for (int i = 0; i < n; i++)
            {
                if (flagged[i])
                {
                    flaggedCount++;
                    if (i == 0 || !flagged[i - 1])
                    {
                        sequences++;
                    }
                }
            }

            if (sequences > options.MaximumSequences || !(flaggedCount < n * options.MaximumFlaggedFraction))
            {
                continue;
            }

            double keptMean = kept > 0 ? keptSum / kept : 0;
            double keptSquares = 0;
            foreach (double value in window)
            {
                if (!(value > epsilon))
                {
                    keptSquares += (value - keptMean) * (value - keptMean);
                }
            }

            double keptStd = kept > 0 ? Math.Sqrt(keptSquares / kept) : 0;
            double meanDrop = mean == 0 ? 0 : (mean - keptMean) / Math.Abs(mean);
            double stdDrop = (std - keptStd) / std;
            double score = (meanDrop + stdDrop) / (flaggedCount + ((double)sequences * sequences));
            if (score >= bestScore)
            {
                bestScore = score;
                best = epsilon;
            }
        }

        return best;
    }
}
