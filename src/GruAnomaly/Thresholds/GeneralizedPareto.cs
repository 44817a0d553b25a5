using System.Globalization;
using System.Numerics.Tensors;

namespace GruAnomaly.Thresholds;

/// <summary>
/// The generalized Pareto distribution of excesses <c>Y ≥ 0</c> with shape γ and scale σ:
/// <c>P(Y &gt; y) = (1 + γ·y/σ)^(−1/γ)</c> for γ ≠ 0 (zero beyond <c>−σ/γ</c> when γ &lt; 0) and
/// <c>exp(−y/σ)</c> for γ = 0. By the Pickands–Balkema–de Haan theorem it models the excesses over a high threshold.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class GeneralizedPareto
{
    /// <summary>The fewest excesses <see cref="Fit"/> accepts.</summary>
    public const int MinimumFitCount = 2;

    // The Grimshaw function is scanned on a grid before bisection; these are grid resolutions and limits,
    // chosen so that a sign change is not stepped over in practice and a root is located to machine precision.
    private const int GridPointsPerSide = 40;
    private const double SmallestRelativeX = 1e-4;
    private const double LargestRelativeX = 1e8;
    private const double RootRelativeTolerance = 1e-12;

    /// <summary>Creates a distribution from its parameters (for example, read back from storage).</summary>
    /// <param name="shape">The shape γ; finite. 0 is the exponential distribution.</param>
    /// <param name="scale">The scale σ; positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public GeneralizedPareto(double shape, double scale)
    {
        ScoreChecks.FiniteArgument(shape, nameof(shape));
        if (!(scale > 0) || !double.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be positive and finite.");
        }

        Shape = shape;
        Scale = scale;
    }

    /// <summary>The shape γ (the tail index; &gt; 0 heavy tail, 0 exponential, &lt; 0 bounded).</summary>
    public double Shape { get; }

    /// <summary>The scale σ.</summary>
    public double Scale { get; }

    /// <summary>
    /// Fits γ and σ by maximum likelihood with Grimshaw's reduction (Grimshaw 1993; as used by Siffer et al., KDD
    /// 2017): every interior maximum of the likelihood satisfies <c>w(x) = u(x)·v(x) − 1 = 0</c> with
    /// <c>u(x) = mean(1/(1 + x·Yᵢ))</c>, <c>v(x) = 1 + mean(ln(1 + x·Yᵢ))</c>, <c>γ = v(x) − 1</c>, <c>σ = γ/x</c>.
    /// The roots are bracketed by scanning <c>x</c> over <c>(−1/max Y, 0)</c> and
    /// <c>(0, 2·(mean Y − min Y)/(min Y)²]</c> on logarithmic grids and refined by bisection; each root and the
    /// exponential case (γ = 0, σ = mean Y) is scored by its log-likelihood and the best one is returned.
    /// </summary>
    /// <remarks>
    /// Roots with <c>|x|·mean Y &lt; 10⁻⁴</c> (so <c>|γ| ≲ 10⁻⁴</c>) are not searched: they are indistinguishable from the
    /// exponential case, which is always a candidate, and there w(x) is of the order of rounding noise.
    /// </remarks>
    /// <param name="excesses">At least <see cref="MinimumFitCount"/> finite excesses, all ≥ 0, not all zero.</param>
    /// <returns>The fitted distribution.</returns>
    /// <exception cref="ArgumentException">
    /// Fewer than <see cref="MinimumFitCount"/> excesses, a non-finite or negative excess, or all excesses zero.
    /// </exception>
    public static GeneralizedPareto Fit(ReadOnlySpan<double> excesses)
    {
        ScoreChecks.Calibration(excesses, MinimumFitCount, "a generalized Pareto fit", nameof(excesses));
        double minimum = double.PositiveInfinity;
        double maximum = 0;
        double sum = 0;
        for (int i = 0; i < excesses.Length; i++)
        {
            double y = excesses[i];
            if (y < 0)
            {
                throw new ArgumentException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"excesses contains {y} at index {i}; excesses over a threshold must be at least 0."),
                    nameof(excesses));
            }

            minimum = Math.Min(minimum, y);
            maximum = Math.Max(maximum, y);
            sum += y;
        }

        if (!(maximum > 0))
        {
            throw new ArgumentException(
                "excesses are all 0; at least one excess must be positive to fit a scale.", nameof(excesses));
        }

        double mean = sum / excesses.Length;
        double bestShape = 0;
        double bestScale = mean;
        double bestLogLikelihood = LogLikelihood(excesses, 0, mean);

        Span<double> grid = stackalloc double[2 * GridPointsPerSide];
        var grimshaw = new GrimshawFunction(excesses);

        // x in (−1/max, 0): points crowd towards both ends, where roots tend to lie.
        int count = 0;
        for (int k = 0; k < GridPointsPerSide; k++)
        {
            double fraction = SmallestRelativeX * Math.Pow(0.5 / SmallestRelativeX, (double)k / (GridPointsPerSide - 1));
            grid[count++] = -fraction / maximum;
        }

        for (int k = GridPointsPerSide - 2; k >= 0; k--)
        {
            double fraction = 1e-12 * Math.Pow(0.5 / 1e-12, (double)k / (GridPointsPerSide - 1));
            grid[count++] = -(1 - fraction) / maximum;
        }

        ScanForRoots(grimshaw, grid[..count], ref bestShape, ref bestScale, ref bestLogLikelihood);

        if (mean > minimum)
        {
            double upper = minimum > 0 ? 2 * (mean - minimum) / (minimum * minimum) : double.PositiveInfinity;
            upper = Math.Min(upper, LargestRelativeX / mean);
            double lower = SmallestRelativeX / mean;
            if (upper > lower)
            {
                count = 0;
                for (int k = 0; k < 2 * GridPointsPerSide; k++)
                {
                    grid[count++] = lower * Math.Pow(upper / lower, (double)k / ((2 * GridPointsPerSide) - 1));
                }

                ScanForRoots(grimshaw, grid[..count], ref bestShape, ref bestScale, ref bestLogLikelihood);
            }
        }

        return new GeneralizedPareto(bestShape, bestScale);
    }

    /// <summary>
    /// The log-likelihood of <paramref name="excesses"/> under a GPD with the given parameters:
    /// <c>−n·ln σ − (1 + 1/γ)·Σ ln(1 + γ·yᵢ/σ)</c>, or <c>−n·ln σ − Σ yᵢ/σ</c> for γ = 0;
    /// −∞ when an excess lies beyond the support.
    /// </summary>
    /// <param name="excesses">The excesses.</param>
    /// <param name="shape">γ.</param>
    /// <param name="scale">σ &gt; 0.</param>
    /// <returns>The log-likelihood.</returns>
    public static double LogLikelihood(ReadOnlySpan<double> excesses, double shape, double scale)
    {
        double n = excesses.Length;
        if (shape == 0)
        {
            double sum = 0;
            foreach (double y in excesses)
            {
                sum += y;
            }

            return (-n * Math.Log(scale)) - (sum / scale);
        }

        double x = shape / scale;
        double logSum = 0;
        foreach (double y in excesses)
        {
            double argument = x * y;
            if (!(argument > -1))
            {
                return double.NegativeInfinity;
            }

            logSum += double.LogP1(argument);
        }

        return (-n * Math.Log(scale)) - ((1 + (1 / shape)) * logSum);
    }

    /// <summary>The survival function <c>P(Y &gt; y)</c>; 1 for <c>y ≤ 0</c>.</summary>
    /// <param name="excess">The excess y.</param>
    /// <returns>A probability in [0, 1].</returns>
    public double Survival(double excess)
    {
        if (double.IsNaN(excess))
        {
            return double.NaN;
        }

        if (excess <= 0)
        {
            return 1;
        }

        if (Shape == 0)
        {
            return Math.Exp(-excess / Scale);
        }

        double argument = Shape * excess / Scale;
        return argument <= -1 ? 0 : Math.Exp(-double.LogP1(argument) / Shape);
    }

    /// <summary>
    /// The excess exceeded with probability <paramref name="exceedanceProbability"/>: the y with
    /// <c>P(Y &gt; y) = p</c>, that is <c>σ/γ·(p^(−γ) − 1)</c> (or <c>−σ·ln p</c> for γ = 0).
    /// </summary>
    /// <param name="exceedanceProbability">p in (0, 1].</param>
    /// <returns>The excess.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exceedanceProbability"/> is outside (0, 1].</exception>
    public double InverseSurvival(double exceedanceProbability)
    {
        ScoreChecks.Probability(exceedanceProbability, nameof(exceedanceProbability), allowOne: true);
        return ExcessAt(Shape, Scale, exceedanceProbability);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"GPD(shape={Shape:G6}, scale={Scale:G6})");

    /// <summary><c>σ/γ·(r^(−γ) − 1)</c>, written with <c>expm1</c> so that a tiny γ tends smoothly to <c>−σ·ln r</c>.</summary>
    internal static double ExcessAt(double shape, double scale, double ratio)
    {
        double logRatio = Math.Log(ratio);
        return shape == 0
            ? -scale * logRatio
            : scale * double.ExpM1(-shape * logRatio) / shape;
    }

    private static void ScanForRoots(
        GrimshawFunction grimshaw, ReadOnlySpan<double> grid, ref double bestShape, ref double bestScale, ref double bestLogLikelihood)
    {
        double previousX = grid[0];
        double previousW = grimshaw.Evaluate(previousX, out _);
        for (int k = 1; k < grid.Length; k++)
        {
            double x = grid[k];
            double w = grimshaw.Evaluate(x, out _);
            if (double.IsFinite(w) && double.IsFinite(previousW) && (Math.Sign(w) != Math.Sign(previousW) || w == 0))
            {
                double root = Bisect(grimshaw, previousX, previousW, x);
                _ = grimshaw.Evaluate(root, out double shape);
                double scale = shape / root;
                if (scale > 0 && double.IsFinite(scale) && shape != 0)
                {
                    // At a root Σ ln(1 + x·yᵢ) = n·γ, so the log-likelihood is −n·ln σ − n·(1 + γ).
                    double logLikelihood = -grimshaw.Count * (Math.Log(scale) + 1 + shape);
                    if (logLikelihood > bestLogLikelihood)
                    {
                        bestLogLikelihood = logLikelihood;
                        bestShape = shape;
                        bestScale = scale;
                    }
                }
            }

            previousX = x;
            previousW = w;
        }
    }

    private static double Bisect(GrimshawFunction grimshaw, double left, double leftW, double right)
    {
        while (Math.Abs(right - left) > RootRelativeTolerance * Math.Max(Math.Abs(left), Math.Abs(right)))
        {
            double middle = 0.5 * (left + right);
            double w = grimshaw.Evaluate(middle, out _);
            if (w == 0)
            {
                return middle;
            }

            if (Math.Sign(w) == Math.Sign(leftW))
            {
                left = middle;
                leftW = w;
            }
            else
            {
                right = middle;
            }
        }

        return 0.5 * (left + right);
    }

    /// <summary>
    /// <c>w(x) = u(x)·v(x) − 1</c> over fixed excesses, vectorized; holds a scratch buffer, so one instance per fit.
    /// </summary>
    private readonly ref struct GrimshawFunction
    {
        private readonly ReadOnlySpan<double> _excesses;
        private readonly Span<double> _scratch;

        public GrimshawFunction(ReadOnlySpan<double> excesses)
        {
            _excesses = excesses;
            _scratch = new double[excesses.Length];
        }

        /// <summary>Returns w(x); <paramref name="shape"/> receives <c>v(x) − 1</c>, the γ of a root.</summary>
        public double Evaluate(double x, out double shape)
        {
            // 1 + x·y; its logarithm loses nothing that matters here: |x|·mean y ≥ 1e-4 on the grid, and an absolute
            // error of one ulp per term is far below the size of w there.
            TensorPrimitives.Multiply(_excesses, x, _scratch);
            TensorPrimitives.Add<double>(_scratch, 1.0, _scratch);
            double n = _excesses.Length;
            TensorPrimitives.Reciprocal(_scratch, _scratch);
            double inverseSum = TensorPrimitives.Sum<double>(_scratch);
            TensorPrimitives.Log(_scratch, _scratch);
            shape = -TensorPrimitives.Sum<double>(_scratch) / n;
            return (inverseSum / n * (1 + shape)) - 1;
        }

        public int Count => _excesses.Length;
    }
}
