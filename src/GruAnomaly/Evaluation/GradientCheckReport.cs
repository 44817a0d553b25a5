using System.Globalization;
using System.Text;

namespace GruAnomaly.Evaluation;

/// <summary>The worst finite-difference disagreement within one named group of entries (one parameter, the inputs, ...).</summary>
/// <param name="Name">The group, for example <c>layers.0.recurrent_weights</c>.</param>
/// <param name="EntriesChecked">How many entries were compared.</param>
/// <param name="MaxRelativeError">The worst relative error in the group.</param>
/// <param name="WorstIndex">Index of the worst entry within the group (−1 when none was checked).</param>
/// <param name="Analytic">The analytic gradient at the worst entry.</param>
/// <param name="Numeric">The finite-difference gradient at the worst entry.</param>
public sealed record GradientCheckEntry(string Name, int EntriesChecked, double MaxRelativeError, int WorstIndex, double Analytic, double Numeric);

/// <summary>The result of a <see cref="GradientCheck"/>: one line per group and a verdict against the tolerance.</summary>
public sealed class GradientCheckReport
{
    internal GradientCheckReport(IReadOnlyList<GradientCheckEntry> entries, double tolerance)
    {
        Entries = entries;
        Tolerance = tolerance;
        MaxRelativeError = entries.Count == 0 ? 0 : entries.Max(e => e.MaxRelativeError);
    }

    /// <summary>Gets the worst error of every group.</summary>
    public IReadOnlyList<GradientCheckEntry> Entries { get; }

    /// <summary>Gets the tolerance the verdict uses.</summary>
    public double Tolerance { get; }

    /// <summary>Gets the worst error over all groups.</summary>
    public double MaxRelativeError { get; }

    /// <summary>Gets a value indicating whether every group is within the tolerance.</summary>
    public bool Passed => MaxRelativeError <= Tolerance;

    /// <summary>Gets the entry of a group by name.</summary>
    /// <param name="name">The group name.</param>
    /// <returns>The entry.</returns>
    public GradientCheckEntry this[string name] =>
        Entries.FirstOrDefault(e => e.Name == name) ?? throw new KeyNotFoundException($"No group named '{name}' in this report.");

    /// <summary>A table of the groups, worst error first in each line, for test output.</summary>
    /// <returns>The table.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Gradient check {(Passed ? "passed" : "FAILED")}: worst relative error {MaxRelativeError:E2} (tolerance {Tolerance:E2})");
        foreach (GradientCheckEntry e in Entries)
        {
            text.AppendLine();
            text.Append(CultureInfo.InvariantCulture,
                $"  {e.Name,-32} {e.MaxRelativeError,10:E2}  at [{e.WorstIndex}] analytic {e.Analytic:G6} numeric {e.Numeric:G6} ({e.EntriesChecked} entries)");
        }

        return text.ToString();
    }
}
