namespace GruAnomaly.Tests.Thresholds;

/// <summary>Seeded draws from distributions with known quantiles, by inversion of the CDF.</summary>
internal static class Samples
{
    /// <summary>Exp(1): <c>−ln(1 − U)</c>; the (1 − q) quantile is <c>−ln q</c>.</summary>
    public static double[] Exponential(int count, int seed)
    {
        var random = new Random(seed);
        double[] values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = -Math.Log(1 - random.NextDouble());
        }

        return values;
    }

    /// <summary>GPD(γ, σ): <c>σ/γ·((1 − U)^(−γ) − 1)</c>.</summary>
    public static double[] GeneralizedPareto(int count, double shape, double scale, int seed)
    {
        var random = new Random(seed);
        double[] values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = scale / shape * (Math.Pow(1 - random.NextDouble(), -shape) - 1);
        }

        return values;
    }

    /// <summary>N(0, 1) by Box–Muller.</summary>
    public static double[] Gaussian(int count, int seed)
    {
        var random = new Random(seed);
        double[] values = new double[count];
        for (int i = 0; i < count; i++)
        {
            double radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            values[i] = radius * Math.Cos(2 * Math.PI * random.NextDouble());
        }

        return values;
    }

    public static double[] Apply(GruAnomaly.Thresholds.IFittedThreshold fitted, double[] scores)
    {
        double[] thresholds = new double[scores.Length];
        fitted.Apply(scores, thresholds);
        return thresholds;
    }
}
