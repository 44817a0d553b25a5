using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training.Optimizers;

namespace GruAnomaly.Tests.Detection;

/// <summary>Issue #12: strategies print what they are with their parameters, results a short summary, never a type name.</summary>
public sealed class ToStringTests
{
    [Fact]
    public void Default_settings_name_every_strategy()
    {
        string settings = AnomalyDetector.CreateBuilder().Build().Settings.ToString();

        Assert.Contains($"Scorer = {Scorer.Default().Name}", settings, StringComparison.Ordinal);
        Assert.DoesNotContain("GruAnomaly.", settings, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_settings_name_every_strategy()
    {
        string settings = AnomalyDetector.CreateBuilder()
            .WithModel(Models.Gru(hiddenSize: 32, layers: 2))
            .WithScorer(Scorer.Forecast())
            .WithLoss(new HuberLoss(2f))
            .WithScaler(Scaler.Robust())
            .WithThreshold(Threshold.Quantile(0.99))
            .Build()
            .Settings.ToString();

        Assert.Contains("Model = GRU(32)×2", settings, StringComparison.Ordinal);
        Assert.Contains("Scorer = forecast", settings, StringComparison.Ordinal);
        Assert.Contains("Loss = Huber(delta=2)", settings, StringComparison.Ordinal);
        Assert.Contains("Scaler = Robust", settings, StringComparison.Ordinal);
        Assert.Contains("Threshold = Quantile(q=0.99)", settings, StringComparison.Ordinal);
        Assert.DoesNotContain("GruAnomaly.", settings, StringComparison.Ordinal);
    }

    [Fact]
    public void Strategies_print_their_name()
    {
        Assert.Equal("GRU-reset-after(16)×1", Models.Gru(16, variant: GruVariant.ResetAfter).ToString());
        Assert.Equal(Scorer.Forecast().Name, Scorer.Forecast().ToString());
        Assert.Equal(Threshold.MeanPlusSigma(4).Name, Threshold.MeanPlusSigma(4).ToString());
        Assert.Equal("MeanSquaredError", new MeanSquaredErrorLoss().ToString());
        Assert.Equal("Adam(beta1=0.9, beta2=0.999, epsilon=1E-08, weightDecay=0)", new Adam().ToString());
        Assert.Equal("SGD(momentum=0.9, weightDecay=0, nesterov=True)", new Sgd(momentum: 0.9f, nesterov: true).ToString());
    }

    [Fact]
    public void An_event_prints_its_range_and_peak() =>
        Assert.Equal("[120, 131] (12 steps), peak 7.25 at 125", new AnomalyEvent(120, 131, 125, 7.25).ToString());

    [Fact]
    public void Results_print_a_summary()
    {
        FittedAnomalyDetector fitted = AnomalyDetectorTests.QuickBuilder().Build().Fit(new TimeSeries(Synthetic.Normal(600, seed: 5)));
        var test = new TimeSeries(Synthetic.Normal(300, seed: 6));
        DetectionResult result = fitted.Detect(test);

        Assert.StartsWith("300 steps × 1 feature: ", result.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("window 16, stride ", fitted.Choices.ToString(), StringComparison.Ordinal);
        Assert.Contains("model GRU(8)×1, 4 epochs", fitted.Choices.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("4 epochs (Completed), best epoch ", fitted.History!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("time 200: score ", fitted.Explain(test, 200).ToString(), StringComparison.Ordinal);
        Assert.Contains("Threshold = MeanPlusSigma(k=4)", fitted.Settings.ToString(), StringComparison.Ordinal);
    }
}
