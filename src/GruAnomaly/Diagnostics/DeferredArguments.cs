namespace GruAnomaly.Diagnostics;

/// <summary>
/// Lets the strategy factories (<c>Threshold.*</c>, <c>Model.*</c>, <c>Scorer.*</c>, <c>ScoreNormalization.*</c>,
/// <c>Scaler.*</c>) record an invalid argument instead of throwing, so that <c>AnomalyDetectorBuilder.Build</c> lists it
/// with every other invalid choice. The strategy refuses to be used until then: using it throws the recorded problem.
/// </summary>
internal static class DeferredArguments
{
    /// <summary>
    /// Runs an argument check: when <paramref name="defer"/> is false it throws as usual; when true, it returns the
    /// check's message (prefixed by <paramref name="factory"/>) instead, or null when the arguments are valid.
    /// </summary>
    public static string? Check(bool defer, string factory, Action check)
    {
        if (!defer)
        {
            check();
            return null;
        }

        try
        {
            check();
            return null;
        }
        catch (ArgumentException e)
        {
            return Describe(factory, e);
        }
    }

    /// <summary>Creates a strategy, or records why its constructor refused the arguments.</summary>
    public static T? TryCreate<T>(string factory, Func<T> create, out string? problem)
        where T : class
    {
        try
        {
            problem = null;
            return create();
        }
        catch (ArgumentException e)
        {
            problem = Describe(factory, e);
            return null;
        }
    }

    /// <summary>Adds the recorded problem, if any, to a builder's list.</summary>
    public static void Report(string? problem, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }

    /// <summary>Throws the recorded problem of a strategy that is being used although it was created with invalid arguments.</summary>
    public static void ThrowIfInvalid(string? problem)
    {
        if (problem is not null)
        {
            throw Refusal(problem);
        }
    }

    /// <summary>The exception for using a strategy created with invalid arguments.</summary>
    public static ArgumentException Refusal(string problem) => new(
        $"The strategy was created with an invalid argument and cannot be used: {problem} " +
        "(the factory records it instead of throwing, so that AnomalyDetectorBuilder.Build lists it with every other invalid choice).");

    private static string Describe(string factory, ArgumentException e) =>
        $"{factory}: {e.Message.ReplaceLineEndings(" ")}";
}

/// <summary>A placeholder a factory returns for a strategy whose arguments were invalid; the builder reports <see cref="Problem"/>.</summary>
internal interface IInvalidChoice
{
    /// <summary>Gets what was wrong with the factory's arguments.</summary>
    string Problem { get; }
}
