using GruAnomaly.Diagnostics;

namespace GruAnomaly.Scoring;

/// <summary>Shape checks shared by the scorers.</summary>
internal static class ScoringArguments
{
    /// <summary>Checks a series pair and returns its length in time steps.</summary>
    public static int Validate(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int features, int minimumLength)
    {
        if (inputs.Length % features != 0)
        {
            throw new ArgumentException(
                $"inputs has {inputs.Length} values, not a whole number of time steps of {features} features.", nameof(inputs));
        }

        Guard.Length(observed.Length, inputs.Length, nameof(observed), "the length of inputs");
        int length = inputs.Length / features;
        if (length < minimumLength)
        {
            throw new ArgumentException(
                $"The series has {length} time steps; this scorer needs at least {minimumLength}.", nameof(inputs));
        }

        Guard.Finite(inputs, nameof(inputs), "model inputs (missing values filled)");
        return length;
    }

    public static int Validate(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, Span<float> expected, Span<float> errors,
        int features, int minimumLength)
    {
        int length = Validate(inputs, observed, features, minimumLength);
        Guard.Length(expected.Length, inputs.Length, nameof(expected), "the length of inputs");
        Guard.Length(errors.Length, inputs.Length, nameof(errors), "the length of inputs");
        return length;
    }
}
