namespace GruAnomaly.Quality;

/// <summary>The configurations the benchmark knows, by the names given on the command line.</summary>
internal static class Candidates
{
    /// <summary>What every user gets who sets nothing.</summary>
    public static Candidate Default { get; } = new("default", false, b => b);

    public static IReadOnlyList<Candidate> Baselines { get; } = [];

    public static IReadOnlyList<Candidate> Variants { get; } =
    [
        new("x-nosmooth", false, b => b.WithSmoothing(1)),
        new("x-supp1000", false, b => b.WithEventRules(new Detection.EventRules { AlarmSuppression = 1000 })),
        new("x-nonorm", false, b => b.WithScoreNormalization(Scoring.ScoreNormalization.None)),
    ];

    public static IReadOnlyList<Candidate> Select(IEnumerable<string> names)
    {
        var all = new[] { Default }.Concat(Baselines).Concat(Variants).ToList();
        var chosen = new List<Candidate>();
        foreach (string name in names)
        {
            chosen.AddRange(name switch
            {
                "baselines" => Baselines,
                "variants" => Variants,
                _ => [all.Find(c => c.Name == name) ?? throw new ArgumentException(
                    $"Unknown candidate '{name}'; expected one of: baselines, variants, {string.Join(", ", all.Select(c => c.Name))}.")],
            });
        }

        return chosen.Distinct().ToList();
    }
}
