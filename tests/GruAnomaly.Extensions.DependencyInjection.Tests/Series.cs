namespace GruAnomaly.Extensions.DependencyInjection.Tests;

/// <summary>Noisy sines to fit and stream, with a spike and a level shift in the test series so that alarms fire.</summary>
internal static class Series
{
    public static float[] Normal(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        double phase = random.NextDouble() * 2 * Math.PI;
        for (int t = 0; t < length; t++)
        {
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[t] = (float)(Math.Sin((2 * Math.PI * t / 25) + phase) + (0.1 * gaussian));
        }

        return values;
    }

    public static float[] Test(int length, int seed)
    {
        float[] values = Normal(length, seed);
        values[length / 3] += 4f;
        for (int t = length / 2; t < (length / 2) + 20; t++)
        {
            values[t] += 2f;
        }

        return values;
    }
}
