using System.Globalization;
using GruAnomaly.Detection;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Cli.Commands.Train;

/// <summary>
/// The words of <c>train --scorer</c> and <c>train --threshold</c> and the library strategies they stand for. Each word
/// maps to one factory call with the library's own defaults, so the tool adds no defaults of its own.
/// </summary>
internal static class DetectorSpecs
{
    /// <summary>The scorer names, with what each means, for the help text and messages.</summary>
    public static readonly IReadOnlyList<(string Name, string Meaning)> Scorers =
    [
        ("default", "the GRU forecast fused with a rolling z-score, a windowed Gaussian and two nearest-neighbour distances (the library's default)"),
        ("forecast", "the GRU's one-step forecast error"),
        ("reconstruction", "a GRU encoder-decoder's reconstruction error, trained with MSE (cannot stream)"),
        ("carried-state", "the one-step forecast with a state carried through the series"),
        ("naive", "a baseline: the error against the previous value (trains nothing)"),
        ("rolling-z", "a baseline: the z-score against the last window (trains nothing)"),
        ("windowed-gaussian", "a baseline: NAB's windowed Gaussian tail (trains nothing)"),
        ("sliding-neighbour", "the distance of the last window to its nearest among the 2000 before it, training tail first (trains nothing)"),
    ];

    /// <summary>The threshold forms, for the help text and messages.</summary>
    public const string ThresholdForms =
        "automatic[:<risk>] (default, risk 1e-4, exponential tail), pot[:<risk>] (generalized Pareto tail), spot:<risk> (streaming POT), quantile:<q>, mean-sigma[:<k>], median-mad[:<k>], budget:<alarms per point>, fixed:<score>";

    /// <summary>The scorer a name stands for.</summary>
    /// <param name="name">One of <see cref="Scorers"/>.</param>
    /// <returns>The scorer.</returns>
    /// <exception cref="CliException">The name is unknown.</exception>
    public static IAnomalyScorer Scorer(string name) => name.Trim().ToLowerInvariant() switch
    {
        "default" => Scoring.Scorer.Default(),
        "forecast" => Scoring.Scorer.Forecast(),
        "reconstruction" => Scoring.Scorer.Reconstruction(),
        "carried-state" => Scoring.Scorer.CarriedStateForecast(),
        "naive" => Scoring.Scorer.Naive(),
        "rolling-z" => Scoring.Scorer.RollingZScore(),
        "windowed-gaussian" => Scoring.Scorer.WindowedGaussian(),
        "sliding-neighbour" => Scoring.Scorer.SlidingNearestNeighbour(),
        _ => throw new CliException($"--scorer '{name}' is unknown; use one of {string.Join(", ", Scorers.Select(s => s.Name))}."),
    };

    /// <summary>The threshold strategy a form such as <c>pot:1e-3</c> stands for.</summary>
    /// <param name="spec">The form.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="CliException">The form is unknown, or its number is missing, not a number or out of range.</exception>
    public static IThresholdStrategy Threshold(string spec)
    {
        string text = spec.Trim();
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string kind = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        double? number = colon < 0 ? null : Number(text[(colon + 1)..], spec);
        IThresholdStrategy strategy;
        try
        {
            strategy = kind switch
            {
                // The builder's default risk, not Threshold.Automatic's own default: "automatic" means what train does unasked.
                "automatic" => Thresholds.Threshold.Automatic(number ?? AnomalyDetectorBuilder.DefaultRiskLevel),
                "pot" => number is double risk ? Thresholds.Threshold.PeaksOverThreshold(risk) : Thresholds.Threshold.PeaksOverThreshold(),
                "spot" => Thresholds.Threshold.StreamingPeaksOverThreshold(Required(number, spec)),
                "quantile" => Thresholds.Threshold.Quantile(Required(number, spec)),
                "mean-sigma" => number is double k ? Thresholds.Threshold.MeanPlusSigma(k) : Thresholds.Threshold.MeanPlusSigma(),
                "median-mad" => number is double m ? Thresholds.Threshold.MedianPlusMad(m) : Thresholds.Threshold.MedianPlusMad(),
                "budget" => Thresholds.Threshold.FalseAlarmBudget(Required(number, spec)),
                "fixed" => Thresholds.Threshold.Fixed(Required(number, spec)),
                _ => throw new CliException($"--threshold '{spec}' is unknown; use {ThresholdForms}."),
            };
        }
        catch (ArgumentOutOfRangeException e)
        {
            // The library's message states the allowed range; its parameter suffix means nothing on a command line.
            string message = e.Message.Split(" (Parameter", 2)[0];
            throw new CliException($"--threshold '{spec}': {message}", e);
        }

        // The factories record an argument out of range for Build to list; a command line reports it right here.
        var problems = new List<string>();
        strategy.Validate(problems);
        return problems.Count == 0 ? strategy : throw new CliException($"--threshold '{spec}': {string.Join(" ", problems)}");
    }

    private static double Number(string text, string spec) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new CliException($"--threshold '{spec}': '{text.Trim()}' is not a number.");

    private static double Required(double? number, string spec) =>
        number ?? throw new CliException($"--threshold '{spec}' needs a number after a colon, for example {spec.Trim()}:0.001.");
}
