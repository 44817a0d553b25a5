namespace GruAnomaly.Detection;

/// <summary>Why one time step scored as it did.</summary>
public sealed class Explanation
{
    private readonly double[] _contributions;
    private readonly float[] _saliency;
    private readonly float[] _attention;

    internal Explanation(int time, double score, double[] contributions, int windowStart, int window, int features, float[] saliency,
        float[]? attention = null)
    {
        _attention = attention ?? [];
        Time = time;
        Score = score;
        _contributions = contributions;
        WindowStart = windowStart;
        Window = window;
        Features = features;
        _saliency = saliency;
    }

    /// <summary>Gets the explained time step.</summary>
    public int Time { get; }

    /// <summary>Gets the unsmoothed score of that step.</summary>
    public double Score { get; }

    /// <summary>Gets each feature's share of <see cref="Score"/>.</summary>
    public ReadOnlySpan<double> Contributions => _contributions;

    /// <summary>Gets the first time step of the input window the saliency covers.</summary>
    public int WindowStart { get; }

    /// <summary>Gets the number of time steps the saliency covers: the window, or more when several windows fed the score.</summary>
    public int Window { get; }

    /// <summary>Gets the number of features per time step.</summary>
    public int Features { get; }

    /// <summary>
    /// Gets ∂score/∂input for every input value the model read (window × features, time-major, in the series' units):
    /// large magnitudes mark the moments and metrics that drove the score.
    /// </summary>
    public ReadOnlySpan<float> Saliency => _saliency;

    /// <summary>
    /// Gets which past steps the model looked at, when its forecaster has attention pooling
    /// (<c>Scorer.Forecast(attention: …)</c>): one weight per step of <see cref="Window"/>, aligned with
    /// <see cref="Saliency"/> (index 0 = <see cref="WindowStart"/>), non-negative and summing to 1. With a horizon above 1
    /// it is the mean of the attention of every window that forecast the point. Empty when the model has no attention.
    /// </summary>
    public ReadOnlySpan<float> Attention => _attention;

    /// <summary>Gets the feature with the largest share of the score.</summary>
    public int TopFeature
    {
        get
        {
            int best = 0;
            for (int f = 1; f < _contributions.Length; f++)
            {
                if (_contributions[f] > _contributions[best])
                {
                    best = f;
                }
            }

            return best;
        }
    }

    /// <summary>Gets the saliency of one input value.</summary>
    /// <param name="step">Offset in the window (0 = <see cref="WindowStart"/>).</param>
    /// <param name="feature">The feature.</param>
    /// <returns>∂score/∂input.</returns>
    public float SaliencyAt(int step, int feature) => _saliency[(step * Features) + feature];

    /// <summary>Returns a short summary, for example <c>time 125: score 7.25, top feature 0, window [93, 125]</c>.</summary>
    /// <returns>Where, how anomalous and which feature contributed most.</returns>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"time {Time}: score {Score:G6}, top feature {TopFeature}, window [{WindowStart}, {WindowStart + Window - 1}]");
}
