using GruAnomaly.Preprocessing;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;

namespace GruAnomaly.Persistence;

/// <summary>
/// The fitted steps around the scorer: scaler (SCAL), error combination (COMB), score normalization (NORM) and threshold
/// (THRS). Each is stored as the state its public "from storage" constructor takes back, so what is loaded is checked
/// by the same code that checks a user's values.
/// </summary>
internal static partial class DetectorCodec
{
    private static void WriteScaler(FieldWriter w, FittedScaler scaler)
    {
        w.String(scaler.Name);
        w.Floats([.. scaler.Offsets]);
        w.Floats([.. scaler.Scales]);
    }

    private static FittedScaler ReadScaler(FieldReader r)
    {
        string name = r.String("name");
        float[] offsets = r.Floats("offsets", Limits.Features);
        float[] scales = r.Floats("scales", Limits.Features);
        FittedScaler scaler = r.Construct("scaler", () => new FittedScaler(name, offsets, scales));
        r.End();
        return scaler;
    }

    private static void WriteCombination(FieldWriter w, IFittedErrorCombination combination)
    {
        switch (combination)
        {
            case FittedMeanErrorCombination mean:
                w.U8(1);
                w.I32(mean.Features);
                w.Bool(mean.Signed);
                break;
            case FittedMahalanobisCombination mahalanobis:
                w.U8(2);
                w.Doubles([.. mahalanobis.Mean]);
                w.Doubles([.. mahalanobis.Covariance]);
                break;
            default:
                throw Unsupported("fitted error combination", combination);
        }
    }

    private static IFittedErrorCombination ReadCombination(FieldReader r)
    {
        IFittedErrorCombination combination;
        switch (r.U8("combination"))
        {
            case 1:
                combination = new FittedMeanErrorCombination(r.I32("features", 1, Limits.Features), r.Bool("signed"));
                break;
            case 2:
                double[] mean = r.Doubles("mean", Limits.Features);
                double[] covariance = r.Doubles("covariance", mean.Length * mean.Length, "features × features");
                combination = r.Construct("Mahalanobis combination", () => new FittedMahalanobisCombination(mean, covariance));
                break;
            case byte code:
                throw r.Invalid("combination", $"has the unknown code {code}");
        }

        r.End();
        return combination;
    }

    private static void WriteNormalization(FieldWriter w, IFittedScoreNormalization normalization)
    {
        switch (normalization)
        {
            case NoScoreNormalization:
                w.U8(1);
                break;
            case FittedRunningScoreNormalization running:
                w.U8(2);
                WriteNormalizationStrategy(w, running.Strategy);
                w.F64(running.FallbackCenter);
                w.F64(running.FallbackSpread);
                w.F64(running.Floor);
                w.Doubles(running.History);
                break;
            default:
                throw Unsupported("fitted score normalization", normalization);
        }
    }

    private static IFittedScoreNormalization ReadNormalization(FieldReader r)
    {
        IFittedScoreNormalization normalization;
        switch (r.U8("normalization"))
        {
            case 1:
                normalization = (NoScoreNormalization)ScoreNormalization.None;
                break;
            case 2:
                if (ReadNormalizationStrategy(r) is not RunningScoreNormalization strategy)
                {
                    throw r.Invalid("strategy", "is not a running normalization");
                }

                double center = r.FiniteF64("fallback center"), spread = r.FiniteF64("fallback spread"), floor = r.FiniteF64("floor");
                if (!(floor > 0))
                {
                    throw r.Invalid("floor", $"is {floor}; it must be positive");
                }

                double[] history = r.Doubles("history", strategy.History);
                if (!history.All(double.IsFinite))
                {
                    throw r.Invalid("history", "holds a value that is not finite");
                }

                normalization = new FittedRunningScoreNormalization(strategy, center, spread, floor, history);
                break;
            case byte code:
                throw r.Invalid("normalization", $"has the unknown code {code}");
        }

        r.End();
        return normalization;
    }

    private static void WriteThreshold(FieldWriter w, IFittedThreshold threshold)
    {
        switch (threshold)
        {
            case FittedStaticThreshold s:
                w.U8(1);
                w.String(s.Name);
                w.F64(s.Value);
                w.Doubles(s.Calibration.SortedValues);
                WriteTail(w, s.Tail);
                break;
            case FittedStreamingPeaksOverThreshold p:
                w.U8(2);
                w.F64(p.RiskLevel);
                w.F64(p.InitialQuantile);
                w.Doubles(p.Calibration.SortedValues);
                WriteTail(w, p.Tail);
                break;
            case FittedDriftingPeaksOverThreshold d:
                w.U8(3);
                w.I32(d.Depth);
                w.F64(d.RiskLevel);
                w.F64(d.InitialQuantile);
                w.Doubles(d.Residuals.SortedValues);
                WriteTail(w, d.Tail);
                w.Doubles(d.RecentNormalScores);
                break;
            case FittedDynamicThreshold d:
                w.U8(4);
                WriteDynamicOptions(w, d.Options);
                w.Doubles(d.Calibration.SortedValues);
                w.F64(d.Value);
                break;
            default:
                throw Unsupported("fitted threshold", threshold);
        }
    }

    private static IFittedThreshold ReadThreshold(FieldReader r)
    {
        IFittedThreshold threshold;
        switch (r.U8("threshold"))
        {
            case 1:
            {
                string name = r.String("name");
                double value = r.F64("threshold");
                EmpiricalDistribution calibration = ReadDistribution(r, "calibration");
                PeaksOverThresholdTail? tail = ReadTail(r);
                threshold = r.Construct("static threshold", () => new FittedStaticThreshold(name, value, calibration, tail));
                break;
            }

            case 2:
            {
                double risk = r.F64("risk level"), initial = r.F64("initial quantile");
                EmpiricalDistribution calibration = ReadDistribution(r, "calibration");
                PeaksOverThresholdTail tail = ReadTail(r) ?? throw r.Invalid("tail", "is missing; streaming SPOT needs one");
                threshold = r.Construct("streaming peaks-over-threshold", () => new FittedStreamingPeaksOverThreshold(risk, initial, calibration, tail));
                break;
            }

            case 3:
            {
                int depth = r.I32("depth", 1, int.MaxValue);
                double risk = r.F64("risk level"), initial = r.F64("initial quantile");
                EmpiricalDistribution residuals = ReadDistribution(r, "residuals");
                PeaksOverThresholdTail tail = ReadTail(r) ?? throw r.Invalid("tail", "is missing; DSPOT needs one");
                double[] recent = r.Doubles("recent normal scores", depth, "depth");
                threshold = r.Construct("DSPOT", () => new FittedDriftingPeaksOverThreshold(depth, risk, initial, residuals, tail, recent));
                break;
            }

            case 4:
            {
                DynamicThresholdOptions options = ReadDynamicOptions(r);
                EmpiricalDistribution calibration = ReadDistribution(r, "calibration");
                double value = r.F64("threshold");
                threshold = r.Construct("dynamic threshold", () => new FittedDynamicThreshold(options, calibration, value));
                break;
            }

            case byte code:
                throw r.Invalid("threshold", $"has the unknown code {code}");
        }

        r.End();
        return threshold;
    }

    private static void WriteTail(FieldWriter w, PeaksOverThresholdTail? tail)
    {
        w.Bool(tail is not null);
        if (tail is not null)
        {
            w.F64(tail.InitialThreshold);
            w.I64(tail.PeakCount);
            w.I64(tail.ObservationCount);
            w.F64(tail.Excesses.Shape);
            w.F64(tail.Excesses.Scale);
        }
    }

    private static PeaksOverThresholdTail? ReadTail(FieldReader r)
    {
        if (!r.Bool("tail present"))
        {
            return null;
        }

        double initial = r.F64("tail initial threshold");
        long peaks = r.I64("tail peaks"), observations = r.I64("tail observations");
        double shape = r.F64("tail shape"), scale = r.F64("tail scale");
        return r.Construct("tail", () => new PeaksOverThresholdTail(initial, peaks, observations, new GeneralizedPareto(shape, scale)));
    }
}
