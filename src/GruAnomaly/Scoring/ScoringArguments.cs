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

    /// <summary>Checks an optional window or lag: null (a default chosen later) or positive.</summary>
    public static int? PositiveOrNull(int? value, string paramName)
    {
        if (value is int given)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(given, paramName);
        }

        return value;
    }

    /// <summary>Checks a saliency request: the series pair, a scored <paramref name="time"/> and the gradient buffers.</summary>
    public static int ValidateSaliency(ReadOnlySpan<float> inputs, ReadOnlySpan<float> observed, int features, int minimumLength,
        int time, int warmUp, ReadOnlySpan<float> errorGradient, Span<float> inputGradient, int maximumSteps)
    {
        int length = Validate(inputs, observed, features, minimumLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(time, warmUp);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(time, length);
        Guard.Length(errorGradient.Length, features, nameof(errorGradient), "one value per feature");
        Guard.Length(inputGradient.Length, maximumSteps * features, nameof(inputGradient), "MaximumSaliencySteps × features");
        return length;
    }
}
