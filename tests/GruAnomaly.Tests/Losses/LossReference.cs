using GruAnomaly.Losses;

namespace GruAnomaly.Tests.Losses;

/// <summary>
/// The loss formulas written out again in double, independently of the library, plus finite-difference helpers.
/// </summary>
internal static class LossReference
{
    private static readonly double LogTwoPi = Math.Log(2 * Math.PI);

    /// <summary>The mean loss over observed targets, in double, for the given loss's formula.</summary>
    public static double Mean(ILoss loss, double[] predictions, double[] targets, int targetWidth)
    {
        double sum = 0;
        int count = 0;
        int rows = targets.Length / targetWidth;
        for (int row = 0; row < rows; row++)
        {
            for (int j = 0; j < targetWidth; j++)
            {
                double target = targets[(row * targetWidth) + j];
                if (double.IsNaN(target))
                {
                    continue;
                }

                count++;
                sum += PointLoss(loss, predictions, target, targetWidth, row, j);
            }
        }

        return count == 0 ? 0 : sum / count;
    }

    public static double PointLoss(ILoss loss, double[] predictions, double target, int targetWidth, int row, int column)
    {
        switch (loss)
        {
            case GaussianNegativeLogLikelihoodLoss:
                {
                    double mean = predictions[(row * 2 * targetWidth) + column];
                    double logVariance = Math.Clamp(predictions[(row * 2 * targetWidth) + targetWidth + column], -20, 20);
                    double residual = target - mean;
                    return 0.5 * (logVariance + (residual * residual * Math.Exp(-logVariance)) + LogTwoPi);
                }

            default:
                {
                    double residual = predictions[(row * targetWidth) + column] - target;
                    return loss switch
                    {
                        MeanSquaredErrorLoss => residual * residual,
                        MeanAbsoluteErrorLoss => Math.Abs(residual),
                        HuberLoss huber => Math.Abs(residual) <= huber.Delta
                            ? 0.5 * residual * residual
                            : huber.Delta * (Math.Abs(residual) - (0.5 * huber.Delta)),
                        _ => throw new NotSupportedException(loss.Name),
                    };
                }
        }
    }

    /// <summary>Central differences of the double-precision reference mean, with a small step.</summary>
    public static double[] FiniteDifferenceGradient(ILoss loss, float[] predictions, float[] targets, int targetWidth, double step = 1e-6)
    {
        double[] p = Array.ConvertAll(predictions, v => (double)v);
        double[] t = Array.ConvertAll(targets, v => (double)v);
        double[] gradient = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            double original = p[i];
            p[i] = original + step;
            double plus = Mean(loss, p, t, targetWidth);
            p[i] = original - step;
            double minus = Mean(loss, p, t, targetWidth);
            p[i] = original;
            gradient[i] = (plus - minus) / (2 * step);
        }

        return gradient;
    }

    /// <summary>
    /// Central differences of the library's own mean loss, perturbing the float predictions by a power of two so
    /// that p ± h is exact, and differencing the returned double sums.
    /// </summary>
    public static double[] FiniteDifferenceOfImplementation(ILoss loss, float[] predictions, float[] targets, int targetWidth, float step = 1f / 1024)
    {
        float[] scratch = new float[predictions.Length];
        float[] p = (float[])predictions.Clone();
        double[] gradient = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            float original = p[i];
            p[i] = original + step;
            double plusStep = p[i];
            double plus = loss.Evaluate(p, targets, targetWidth, scratch).Mean;
            p[i] = original - step;
            double minusStep = p[i];
            double minus = loss.Evaluate(p, targets, targetWidth, scratch).Mean;
            p[i] = original;
            gradient[i] = (plus - minus) / (plusStep - minusStep);
        }

        return gradient;
    }

    /// <summary>Deterministic pseudo-random values in [−range, range].</summary>
    public static float[] RandomValues(int length, int seed, float range = 2f)
    {
        Random random = new(seed);
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * range);
        }

        return values;
    }

    public static void AssertClose(double expected, double actual, double relative, double absolute, string what)
    {
        double tolerance = absolute + (relative * Math.Abs(expected));
        Assert.True(
            Math.Abs(expected - actual) <= tolerance || (double.IsNaN(expected) && double.IsNaN(actual)),
            $"{what}: expected {expected:R}, got {actual:R} (tolerance {tolerance:R}).");
    }
}