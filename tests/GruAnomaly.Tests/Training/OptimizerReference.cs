namespace GruAnomaly.Tests.Training;

/// <summary>
/// The optimizer update rules written out again in double from the PyTorch documentation's pseudo-code,
/// independently of the library, and the small case every optimizer test uses.
/// </summary>
internal static class OptimizerReference
{
    public static readonly float[] InitialParameters = [0.5f, -1.25f, 2f, 0f];

    // Exact in float; the zero entries check that a parameter with no gradient history behaves.
    public static readonly float[][] Gradients =
    [
        [0.25f, -0.5f, 1.5f, 0f],
        [-0.125f, 0.75f, 1f, 0.0625f],
        [0.5f, 0.25f, -2f, -0.03125f],
    ];

    // A schedule would change the rate between steps; the rules must use the rate they are given.
    public static readonly float[] LearningRates = [0.1f, 0.05f, 0.025f];

    /// <summary>torch.optim.SGD with dampening 0: the parameters after each step.</summary>
    public static double[][] Sgd(double momentum, double weightDecay, bool nesterov)
    {
        double[] p = Array.ConvertAll(InitialParameters, v => (double)v);
        double[] buffer = new double[p.Length];
        double[][] history = new double[Gradients.Length][];
        for (int t = 0; t < Gradients.Length; t++)
        {
            double lr = DecimalRate(t);
            for (int i = 0; i < p.Length; i++)
            {
                double g = Gradients[t][i] + (weightDecay * p[i]);
                double direction = g;
                if (momentum != 0)
                {
                    buffer[i] = t == 0 ? g : (momentum * buffer[i]) + g;
                    direction = nesterov ? g + (momentum * buffer[i]) : buffer[i];
                }

                p[i] -= lr * direction;
            }

            history[t] = (double[])p.Clone();
        }

        return history;
    }

    /// <summary>torch.optim.Adam (L2 decay) or, with <paramref name="decoupled"/>, torch.optim.AdamW: the parameters after each step.</summary>
    public static double[][] Adam(double beta1, double beta2, double epsilon, double weightDecay, bool decoupled)
    {
        double[] p = Array.ConvertAll(InitialParameters, v => (double)v);
        double[] m = new double[p.Length];
        double[] v = new double[p.Length];
        double[][] history = new double[Gradients.Length][];
        for (int t = 0; t < Gradients.Length; t++)
        {
            int step = t + 1;
            double lr = DecimalRate(t);
            for (int i = 0; i < p.Length; i++)
            {
                double g = Gradients[t][i];
                if (decoupled)
                {
                    p[i] *= 1 - (lr * weightDecay);
                }
                else
                {
                    g += weightDecay * p[i];
                }

                m[i] = (beta1 * m[i]) + ((1 - beta1) * g);
                v[i] = (beta2 * v[i]) + ((1 - beta2) * g * g);
                double mHat = m[i] / (1 - Math.Pow(beta1, step));
                double denominator = (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(beta2, step))) + epsilon;
                p[i] -= lr * mHat / denominator;
            }

            history[t] = (double[])p.Clone();
        }

        return history;
    }

    /// <summary>Runs three steps of a library optimizer on the shared case; the parameters after each step.</summary>
    public static float[][] Run(GruAnomaly.Training.Optimizers.IOptimizer optimizer)
    {
        var state = optimizer.CreateState(InitialParameters.Length);
        float[] p = (float[])InitialParameters.Clone();
        float[][] history = new float[Gradients.Length][];
        for (int t = 0; t < Gradients.Length; t++)
        {
            state.Step(p, Gradients[t], LearningRates[t]);
            history[t] = (float[])p.Clone();
        }

        Assert.Equal(Gradients.Length, state.StepCount);
        return history;
    }

    public static void AssertClose(double[][] expected, float[][] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int t = 0; t < expected.Length; t++)
        {
            for (int i = 0; i < expected[t].Length; i++)
            {
                double allowed = tolerance * Math.Max(1, Math.Abs(expected[t][i]));
                Assert.True(
                    Math.Abs(expected[t][i] - actual[t][i]) <= allowed,
                    $"step {t + 1}, parameter {i}: expected {expected[t][i]:R}, got {actual[t][i]:R}");
            }
        }
    }

    // The decimal the rate was written as (0.1, 0.05, 0.025), as a PyTorch user would set it.
    private static double DecimalRate(int step) => double.Parse(
        LearningRates[step].ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
}