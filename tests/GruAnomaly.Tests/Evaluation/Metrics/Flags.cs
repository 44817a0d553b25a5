namespace GruAnomaly.Tests.Evaluation.Metrics;

/// <summary>Flag sequences written as strings of 0 and 1, so hand-worked examples read like their comments.</summary>
internal static class Flags
{
    public static bool[] Parse(string digits) => [.. digits.Select(c => c == '1')];

    /// <summary>Seeded random flags, each true with the given probability.</summary>
    public static bool[] Random(int length, double probability, int seed)
    {
        var random = new Random(seed);
        var flags = new bool[length];
        for (int i = 0; i < length; i++)
        {
            flags[i] = random.NextDouble() < probability;
        }

        return flags;
    }

    /// <summary>Labels with anomalous events of the given length starting at the given indices.</summary>
    public static bool[] Events(int length, int eventLength, params int[] starts)
    {
        var flags = new bool[length];
        foreach (int start in starts)
        {
            Array.Fill(flags, true, start, eventLength);
        }

        return flags;
    }
}
