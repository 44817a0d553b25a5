using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Thresholds;

/// <summary>SPOT (static and streaming), DSPOT and the false-alarm budget on samples with known quantiles.</summary>
public sealed class PeaksOverThresholdTests
{
    // Standard error of z_q for Exp(1) data (γ = 0, σ = 1) by the delta method: with L = ln(N_t/(q·n)) the GPD
    // quantile excess is σ·(e^(γL) − 1)/γ, whose gradient at γ = 0 is (L²/2, L); the MLE covariance is
    // [[1, −1], [−1, 2]]/N_t, so Var(z_q) ≈ (L⁴/4 − L³ + 2L²)/N_t.

    [Fact]
    public void Pot_threshold_on_exponential_scores_is_near_the_true_quantile()
    {
        double[] scores = Samples.Exponential(100_000, seed: 2024);

        IFittedThreshold fitted = Threshold.PeaksOverThreshold(riskLevel: 1e-4).Fit(scores);

        // True 1 − 1e-4 quantile: −ln 1e-4 = 9.2103. L = ln(0.02/1e-4) = 5.30, N_t = 2000 → sd(z_q) ≈ 0.23;
        // tolerance 3 sd.
        Assert.Equal(-Math.Log(1e-4), fitted.Value, 0.7);
        // The tail probability at the threshold is the risk level by construction: (N_t/n)·(q·n/N_t).
        Assert.Equal(1e-4, fitted.TailProbability(fitted.Value), 1e-12);
        // Below the initial threshold the tail probability is empirical: P(S ≥ ln 10) ≈ 0.1 (sd 0.001).
        Assert.Equal(0.1, fitted.TailProbability(Math.Log(10)), 0.004);
        var pot = Assert.IsType<FittedStaticThreshold>(fitted);
        Assert.NotNull(pot.Tail);
        Assert.Equal(2000, pot.Tail.PeakCount);
        Assert.Equal(Math.Log(50), pot.Tail.InitialThreshold, 0.09); // 0.98 quantile, sd 0.022
    }

    [Fact]
    public void Tail_round_trips_through_its_state()
    {
        double[] scores = Samples.Exponential(20_000, seed: 9);
        var pot = (FittedStaticThreshold)Threshold.PeaksOverThreshold(1e-3).Fit(scores);
        PeaksOverThresholdTail tail = pot.Tail!;

        var copy = new PeaksOverThresholdTail(
            tail.InitialThreshold, tail.PeakCount, tail.ObservationCount, new GeneralizedPareto(tail.Excesses.Shape, tail.Excesses.Scale));

        Assert.Equal(pot.Value, copy.ThresholdAt(1e-3));
        Assert.Equal(tail.TailProbability(8), copy.TailProbability(8));
    }

    [Fact]
    public void Streaming_pot_stays_near_the_true_quantile_and_ignores_alarms()
    {
        double[] all = Samples.Exponential(40_000, seed: 77);
        double[] calibration = all[..20_000];
        double[] stream = all[20_000..];
        IFittedThreshold fitted = Threshold.StreamingPeaksOverThreshold(riskLevel: 1e-3).Fit(calibration);
        double before = fitted.Value;

        double[] thresholds = Samples.Apply(fitted, stream);

        // True quantile ln 1000 = 6.9078. After the stream N_t ≈ 800: L = ln 20 = 3.0, sd(z_q) ≈ √(11.2/800) = 0.12.
        // Algorithm 1 never adds alarms, so the normal scores above z_q (q·n/N_t = 5% of the new peaks) are missing
        // from the tail: the fit sees a tail truncated at z_q and z_q drifts down. Over seeds 100–107 the end value
        // was 6.51–6.87 (mean 6.64, a bias of −0.27). Allowed: the bias plus 3 sd below, 3 sd above.
        Assert.InRange(thresholds[^1], Math.Log(1000) - 0.27 - 0.36, Math.Log(1000) + 0.36);
        Assert.Equal(before, thresholds[0]);

        // Exactly Algorithm 1: the final tail is the calibration peaks plus the non-alarm stream peaks, over the
        // calibration scores plus the non-alarm stream scores up to the last peak (z_q is only recomputed at a peak).
        var tail = ((FittedStreamingPeaksOverThreshold)fitted).Tail;
        double t = tail.InitialThreshold;
        var excesses = new List<double>();
        foreach (double score in new EmpiricalDistribution(calibration).SortedValues)
        {
            if (score > t)
            {
                excesses.Add(score - t);
            }
        }

        long observations = calibration.Length;
        long observationsAtLastPeak = observations;
        for (int i = 0; i < stream.Length - 1; i++)
        {
            if (stream[i] <= thresholds[i])
            {
                observations++;
                if (stream[i] > t)
                {
                    excesses.Add(stream[i] - t);
                    observationsAtLastPeak = observations;
                }
            }
        }

        var final = new PeaksOverThresholdTail(t, excesses.Count, observationsAtLastPeak, GeneralizedPareto.Fit([.. excesses]));
        Assert.Equal(final.ThresholdAt(1e-3), thresholds[^1], 12);

        // A huge spike is an alarm: it must not enter the tail. Inserting it shifts the rest of the output by one
        // step and changes nothing else.
        const int spikeAt = 10_000;
        double[] withSpike = [.. stream[..spikeAt], 1e6, .. stream[spikeAt..]];
        double[] spiked = Samples.Apply(fitted, withSpike);
        Assert.Equal(thresholds[..(spikeAt + 1)], spiked[..(spikeAt + 1)]);
        Assert.Equal(thresholds[spikeAt..], spiked[(spikeAt + 1)..]);
    }

    [Fact]
    public void Streaming_pot_apply_does_not_mutate_the_fitted_object()
    {
        double[] all = Samples.Exponential(6_000, seed: 1);
        IFittedThreshold fitted = Threshold.StreamingPeaksOverThreshold(1e-3).Fit(all[..3_000]);
        double threshold = fitted.Value;

        double[] first = Samples.Apply(fitted, all[3_000..]);
        double[] second = Samples.Apply(fitted, all[3_000..]);

        Assert.Equal(first, second);
        Assert.Equal(threshold, fitted.Value);
        Assert.NotEqual(first[0], first[^1]); // it did learn during the first run
    }

    [Fact]
    public void Drifting_pot_keeps_the_false_alarm_rate_where_spot_explodes()
    {
        // A linear drift of 0.002 per step plus Exp(1) noise: calibration on steps 0–9 999, then 20 000 more steps.
        double[] noise = Samples.Exponential(30_000, seed: 31);
        double[] series = new double[noise.Length];
        for (int i = 0; i < series.Length; i++)
        {
            series[i] = (0.002 * i) + noise[i];
        }

        double[] calibration = series[..10_000];
        double[] stream = series[10_000..];
        const double risk = 1e-3;

        double dspotRate = AlarmRate(Threshold.DriftingPeaksOverThreshold(depth: 50, riskLevel: risk).Fit(calibration), stream);
        double spotRate = AlarmRate(Threshold.PeaksOverThreshold(risk).Fit(calibration), stream);

        // 20 alarms expected at q = 1e-3. Poisson sd √20 = 4.5 and the tail fitted on ~200 residual peaks moves z_q
        // by up to ~0.7 (3 sd), a factor e^0.7 ≈ 2 on the rate; so the rate must lie within [q/3, 3q].
        Assert.InRange(dspotRate, risk / 3, 3 * risk);
        // The drift lifts the stream by 20 to 60 above a calibration whose maximum is about 30: almost all alarms.
        Assert.True(spotRate > 0.5, $"SPOT rate {spotRate}");
    }

    [Fact]
    public void Drifting_pot_apply_does_not_mutate_and_round_trips_its_state()
    {
        double[] scores = Samples.Exponential(4_000, seed: 8);
        var fitted = (FittedDriftingPeaksOverThreshold)Threshold.DriftingPeaksOverThreshold(20, 1e-3).Fit(scores[..2_000]);

        double[] first = Samples.Apply(fitted, scores[2_000..]);
        double[] second = Samples.Apply(fitted, scores[2_000..]);
        Assert.Equal(first, second);

        var copy = new FittedDriftingPeaksOverThreshold(
            fitted.Depth, fitted.RiskLevel, fitted.InitialQuantile, fitted.Residuals, fitted.Tail, fitted.RecentNormalScores);
        Assert.Equal(first, Samples.Apply(copy, scores[2_000..]));
        Assert.Equal(scores[1_980..2_000], fitted.RecentNormalScores.ToArray());
        Assert.Equal(fitted.Value, first[0]);
        Assert.Equal(fitted.RiskLevel, fitted.TailProbability(fitted.Value), 1e-12);
    }

    [Fact]
    public void Streaming_state_round_trips()
    {
        double[] scores = Samples.Exponential(3_000, seed: 4);
        var fitted = (FittedStreamingPeaksOverThreshold)Threshold.StreamingPeaksOverThreshold(1e-3).Fit(scores[..1_500]);
        var copy = new FittedStreamingPeaksOverThreshold(fitted.RiskLevel, fitted.InitialQuantile, fitted.Calibration, fitted.Tail);

        Assert.Equal(Samples.Apply(fitted, scores[1_500..]), Samples.Apply(copy, scores[1_500..]));

        PeaksOverThresholdTail wrong = new(fitted.Tail.InitialThreshold, fitted.Tail.PeakCount + 1, fitted.Tail.ObservationCount, fitted.Tail.Excesses);
        var mismatch = Assert.Throws<ArgumentException>(
            () => new FittedStreamingPeaksOverThreshold(fitted.RiskLevel, fitted.InitialQuantile, fitted.Calibration, wrong));
        Assert.Equal("tail", mismatch.ParamName);
    }

    [Fact]
    public void False_alarm_budget_uses_the_empirical_quantile_when_enough_points_lie_above()
    {
        double[] scores = Samples.Exponential(100_000, seed: 12);

        var fitted = (FittedStaticThreshold)Threshold.FalseAlarmBudget(1e-3).Fit(scores);

        // r·n = 100 ≥ 10 → empirical 0.999 quantile; true ln 1000 = 6.9078, sd √(p(1 − p)/n)/f = 0.0999.
        Assert.Null(fitted.Tail);
        Assert.Equal(new EmpiricalDistribution(scores).Quantile(0.999), fitted.Value);
        Assert.Equal(Math.Log(1000), fitted.Value, 0.3);
    }

    [Fact]
    public void False_alarm_budget_uses_the_tail_when_too_few_points_lie_above()
    {
        double[] scores = Samples.Exponential(100_000, seed: 12);

        var fitted = (FittedStaticThreshold)Threshold.FalseAlarmBudget(1e-5).Fit(scores);

        // r·n = 1 < 10 → POT. True −ln 1e-5 = 11.513; L = ln(0.02/1e-5) = 7.60, sd(z) ≈ √((L⁴/4 − L³ + 2L²)/2000)
        // = 0.51; tolerance 3 sd.
        Assert.NotNull(fitted.Tail);
        Assert.Equal(-Math.Log(1e-5), fitted.Value, 1.5);
        Assert.Equal(1e-5, fitted.TailProbability(fitted.Value), 1e-13);
    }

    [Fact]
    public void False_alarm_budget_from_alarms_per_period()
    {
        FalseAlarmBudgetStrategy budget = Threshold.FalseAlarmBudget(2, TimeSpan.FromDays(1), TimeSpan.FromMinutes(1));

        Assert.Equal(2.0 / 1440, budget.AlarmsPerPoint, 15);
    }

    [Fact]
    public void Pot_rejects_too_few_peaks_and_out_of_range_levels()
    {
        var tooFew = Assert.Throws<ArgumentException>(() => Threshold.PeaksOverThreshold(1e-3).Fit(Samples.Exponential(300, seed: 1)));
        Assert.Equal("calibrationScores", tooFew.ParamName);
        Assert.Contains("at least 10", tooFew.Message, StringComparison.Ordinal);
        Assert.Contains("500", tooFew.Message, StringComparison.Ordinal);

        var nan = Assert.Throws<ArgumentException>(() => Threshold.PeaksOverThreshold().Fit([.. Samples.Exponential(1000, 1), double.NaN]));
        Assert.Contains("index 1000", nan.Message, StringComparison.Ordinal);
        Assert.Equal("calibrationScores", Assert.Throws<ArgumentException>(() => Threshold.PeaksOverThreshold().Fit([])).ParamName);

        Assert.Equal("riskLevel", Assert.Throws<ArgumentOutOfRangeException>(() => new PeaksOverThresholdStrategy(0)).ParamName);
        Assert.Equal("riskLevel", Assert.Throws<ArgumentOutOfRangeException>(() => new PeaksOverThresholdStrategy(0.05, 0.98)).ParamName);
        Assert.Equal("riskLevel", Assert.Throws<ArgumentOutOfRangeException>(() => new PeaksOverThresholdStrategy(double.NaN, streaming: true)).ParamName);
        Assert.Equal("initialQuantile", Assert.Throws<ArgumentOutOfRangeException>(() => new PeaksOverThresholdStrategy(1e-3, 1)).ParamName);
        Assert.Equal("depth", Assert.Throws<ArgumentOutOfRangeException>(() => new DriftingPeaksOverThresholdStrategy(0, 1e-3)).ParamName);

        var dspotShort = Assert.Throws<ArgumentException>(() => Threshold.DriftingPeaksOverThreshold(100, 1e-3).Fit(new double[50]));
        Assert.Contains("needs at least 111", dspotShort.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Budget_rejects_out_of_range_rates_and_too_short_calibration()
    {
        Assert.Equal("alarmsPerPoint", Assert.Throws<ArgumentOutOfRangeException>(() => new FalseAlarmBudgetStrategy(0)).ParamName);
        Assert.Equal("alarmsPerPoint", Assert.Throws<ArgumentOutOfRangeException>(() => new FalseAlarmBudgetStrategy(1)).ParamName);
        Assert.Equal("alarmsPerPoint", Assert.Throws<ArgumentOutOfRangeException>(() => new FalseAlarmBudgetStrategy(double.NaN)).ParamName);
        Assert.Equal("alarms", Assert.Throws<ArgumentOutOfRangeException>(
            () => FalseAlarmBudgetStrategy.RateOf(2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))).ParamName);
        Assert.Equal("alarms", Assert.Throws<ArgumentOutOfRangeException>(
            () => FalseAlarmBudgetStrategy.RateOf(0, TimeSpan.FromDays(1), TimeSpan.FromSeconds(1))).ParamName);
        Assert.Equal("per", Assert.Throws<ArgumentOutOfRangeException>(
            () => FalseAlarmBudgetStrategy.RateOf(1, TimeSpan.Zero, TimeSpan.FromSeconds(1))).ParamName);

        // r = 0.05 with 100 scores: r·n = 5 < 10 and r ≥ 1 − 0.98, so neither path applies.
        var shortCalibration = Assert.Throws<ArgumentException>(() => Threshold.FalseAlarmBudget(0.05).Fit(Samples.Exponential(100, 1)));
        Assert.Equal("calibrationScores", shortCalibration.ParamName);
        Assert.Contains("at least 200", shortCalibration.Message, StringComparison.Ordinal);
    }

    private static double AlarmRate(IFittedThreshold fitted, double[] stream)
    {
        double[] thresholds = Samples.Apply(fitted, stream);
        int alarms = 0;
        for (int i = 0; i < stream.Length; i++)
        {
            if (stream[i] > thresholds[i])
            {
                alarms++;
            }
        }

        return (double)alarms / stream.Length;
    }
}
