namespace GruAnomaly.Tests.Detection;

/// <summary>Seeded synthetic series with one labelled anomaly of a known kind.</summary>
public static class Synthetic
{
    public const int Period = 40;
    public const float Noise = 0.1f;

    public enum Kind
    {
        Spike,
        LevelShift,
        VarianceChange,
        FrequencyChange,
        PatternStops,
        CorrelationBreak,
    }

    /// <summary>A sine of period <see cref="Period"/> plus Gaussian noise; two features for the correlation case.</summary>
    public static float[] Normal(int length, int seed, int features = 1)
    {
        var random = new Random(seed);
        var values = new float[length * features];
        double phase = random.NextDouble() * 2 * Math.PI;
        for (int t = 0; t < length; t++)
        {
            float signal = (float)Math.Sin((2 * Math.PI * t / Period) + phase);
            for (int f = 0; f < features; f++)
            {
                values[(t * features) + f] = signal + (Noise * Gaussian(random));
            }
        }

        return values;
    }

    /// <summary>A normal test series with one anomaly of <paramref name="kind"/> starting at <paramref name="start"/>; returns the labels.</summary>
    public static (float[] Values, bool[] Labels, int Features) WithAnomaly(Kind kind, int length, int start, int seed)
    {
        int features = kind == Kind.CorrelationBreak ? 2 : 1;
        float[] values = Normal(length, seed, features);
        var random = new Random(seed + 1);
        int end = kind switch
        {
            Kind.Spike => start,
            Kind.LevelShift => start + 80,
            _ => start + 120,
        };

        var labels = new bool[length];
        for (int t = start; t <= end; t++)
        {
            labels[t] = true;
        }

        double phase = Math.Asin(Math.Clamp(values[start * features], -1, 1));
        for (int t = start; t <= end; t++)
        {
            int i = t * features;
            switch (kind)
            {
                case Kind.Spike:
                    values[i] += 2.5f;
                    break;
                case Kind.LevelShift:
                    values[i] += 1.5f;
                    break;
                case Kind.VarianceChange:
                    values[i] += 0.5f * Gaussian(random);
                    break;
                case Kind.FrequencyChange:
                    values[i] = (float)Math.Sin((2 * Math.PI * (t - start) / (Period / 4.0)) + phase) + (Noise * Gaussian(random));
                    break;
                case Kind.PatternStops:
                    values[i] = values[(start - 1) * features] + (Noise * Gaussian(random));
                    break;
                case Kind.CorrelationBreak:
                    // The second metric moves against the first: each alone still looks like a noisy sine.
                    values[i + 1] = -values[i] + (Noise * Gaussian(random));
                    break;
            }
        }

        return (values, labels, features);
    }

    internal static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
