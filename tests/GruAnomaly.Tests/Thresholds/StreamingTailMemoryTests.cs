using GruAnomaly.Thresholds;

namespace GruAnomaly.Tests.Thresholds;

public sealed class StreamingTailMemoryTests
{
    [Fact]
    public void TheStreamingTailKeepsAtMostItsPeakBudgetAndStillFindsTheQuantile()
    {
        // 300 000 Exp(1) scores give about 6000 peaks above the 0.98 quantile: more than the budget, so old peaks leave.
        var calibration = new EmpiricalDistribution(Samples.Exponential(5000, seed: 1));
        PeaksOverThresholdTail tail = PeaksOverThresholdTail.Fit(calibration, 0.98);
        var state = new StreamingTail(tail, calibration, riskLevel: 1e-3);
        double[] stream = Samples.Exponential(300_000, seed: 2);
        int most = 0;
        foreach (double score in stream)
        {
            state.Observe(score);
            most = Math.Max(most, state.PeakCount);
        }

        Assert.Equal(StreamingTail.MaximumPeaks, most);
        Assert.Equal(StreamingTail.MaximumPeaks, state.PeakCount);

        // The true 1 − 10⁻³ quantile of Exp(1) is ln 1000 = 6.91. Streaming SPOT never adds scores above z_q, so its tail is
        // truncated and z_q drifts low on a long normal stream (5.5 measured here): the bias the strategy's remarks state.
        Assert.InRange(state.Threshold, tail.InitialThreshold, 7.5);
        Assert.True(state.Threshold > 5, $"z_q {state.Threshold}");
    }
}
