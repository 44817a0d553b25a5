using System.Diagnostics;
using System.Diagnostics.Metrics;
using GruAnomaly.Detection;
using GruAnomaly.Diagnostics;
using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;

namespace GruAnomaly.Tests.Detection;

/// <summary>
/// A stream allocates nothing per point once warm: counted with <see cref="GC.GetAllocatedBytesForCurrentThread"/>, which
/// is exact for the calling thread, the way the other allocation tests count.
/// </summary>
[Collection(typeof(AllocationMeasurementCollection))]
public sealed class DetectorStreamAllocationTests
{
    public static TheoryData<string> Configurations() =>
        ["default", "mse-horizon-2", "rolling-z-score", "fusion", "carried-state", "carried-state-mse", "lstm", "lstm-carried-state",
            "nearest-neighbour", "maximum-with-nearest-neighbour", "per-point-fusion", "sliding-nearest-neighbour", "multi-length-nearest-neighbour"];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_point_allocates_nothing_once_the_stream_is_warm(string name)
    {
        // The default decision path (Gaussian NLL forecast, smoothing, robust z against 2000 scores, automatic threshold,
        // alarm suppression); only the model and training are made small.
        AnomalyDetectorBuilder builder = AnomalyDetector.CreateBuilder()
            .WithModel(Models.Gru(hiddenSize: 8))
            .WithTrainer(AnomalyDetectorTests.Quick)
            .WithLoss(Loss.GaussianNll);
        builder = name switch
        {
            "mse-horizon-2" => builder.WithLoss(Loss.Mse).WithScorer(Scorer.Forecast(horizon: 2)),
            "rolling-z-score" => builder.WithScorer(Scorer.RollingZScore()),
            "fusion" => builder.WithScorer(Scorer.Fusion(Scorer.Forecast(), Scorer.Naive(), Scorer.WindowedGaussian(window: 30))),
            "carried-state" => builder.WithScorer(Scorer.CarriedStateForecast()),
            "carried-state-mse" => builder.WithLoss(Loss.Mse).WithScorer(Scorer.CarriedStateForecast()),
            "lstm" => builder.WithModel(Models.Lstm(hiddenSize: 8, layers: 2)),
            "lstm-carried-state" => builder.WithModel(Models.Lstm(hiddenSize: 8, layers: 2)).WithScorer(Scorer.CarriedStateForecast()),
            "nearest-neighbour" => builder.WithScorer(Scorer.NearestNeighbour(normalize: true)),
            "sliding-nearest-neighbour" => builder.WithScorer(Scorer.SlidingNearestNeighbour(reference: 300)),
            "multi-length-nearest-neighbour" => builder.WithScorer(Scorer.MultiLengthNearestNeighbour(reference: 300)),
            "maximum-with-nearest-neighbour" => builder.WithScorer(Scorer.Fusion(FusionMethod.Maximum, Scorer.Forecast(), Scorer.NearestNeighbour())),
            "per-point-fusion" => builder.WithScorer(Scorer.Fusion(FusionMethod.TailProbability, FusionCalibration.PerPoint, Scorer.Forecast(),
                Scorer.RollingZScore(), Scorer.WindowedGaussian(window: 30), Scorer.NearestNeighbour())),
            _ => builder,
        };
        FittedAnomalyDetector fitted = builder.Build().Fit(Synthetic.Normal(1200, seed: 10));

        // Metrics and tracing on: a listener takes every measurement of this detector's instruments, and an activity
        // listener samples everything, so the per-point recording is measured too.
        long points = 0;
        double seconds = 0;
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == fitted.Telemetry.Meter)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == Telemetry.PointsCounter)
            {
                Interlocked.Add(ref points, value);
            }
        });
        meters.SetMeasurementEventCallback<double>((_, value, _, _) => seconds += value);
        meters.Start();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Telemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(activities);

        float[] values = DetectorStreamTests.TestSeries(1500);
        DetectorStream stream = fitted.CreateStream();
        int warm = fitted.Window + 200;
        for (int t = 0; t < warm; t++)
        {
            stream.Observe(values[t]);
        }

        long allocated = Allocations.On(() =>
        {
            for (int t = warm; t < values.Length; t++)
            {
                stream.Observe(values[t]);
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(values.Length, Interlocked.Read(ref points));
        Assert.True(seconds > 0);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("lstm-carried-state")]
    public void A_step_of_a_batch_of_streams_allocates_nothing_once_warm(string name)
    {
        FittedAnomalyDetector fitted = DetectorStreamBatchTests.Fit(name);
        const int Count = 5;
        float[][] series = [.. Enumerable.Range(0, Count).Select(i => DetectorStreamTests.TestSeries(600, seed: 60 + i))];
        DetectorStreamBatch batch = fitted.CreateStreamBatch(Count);
        var values = new float[Count];
        var results = new StreamPoint[Count];
        void Step(int t)
        {
            for (int i = 0; i < Count; i++)
            {
                values[i] = series[i][t];
            }

            batch.Observe(values, results);
        }

        int warm = fitted.Window + 200;
        for (int t = 0; t < warm; t++)
        {
            Step(t);
        }

        long allocated = Allocations.On(() =>
        {
            for (int t = warm; t < 600; t++)
            {
                Step(t);
            }
        });

        Assert.Equal(0, allocated);
    }
}
