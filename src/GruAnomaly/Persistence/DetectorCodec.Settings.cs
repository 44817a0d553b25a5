using GruAnomaly.Detection;
using GruAnomaly.Losses;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;
using GruAnomaly.Training.Optimizers;
using GruAnomaly.Training.Schedules;

namespace GruAnomaly.Persistence;

/// <summary>The detector's choices: settings, fit choices, and the strategies behind them (section SETS and CHOI).</summary>
internal static partial class DetectorCodec
{
    private static void WriteSettings(FieldWriter w, DetectorSettings s, SaveContext context)
    {
        w.OptionalI32(s.Window);
        w.OptionalI32(s.Stride);
        w.Bool(s.Model is not null);
        if (s.Model is not null)
        {
            WriteModel(w, s.Model, context);
        }

        WriteScorerStrategy(w, s.Scorer);
        w.Bool(s.Trainer is not null);
        if (s.Trainer is not null)
        {
            WriteTrainer(w, s.Trainer);
        }

        WriteLoss(w, s.Loss);
        WriteScalerStrategy(w, s.Scaler);
        w.U8((byte)s.MissingValues);
        w.U8(s.Combination switch
        {
            MeanErrorCombination => 1,
            MahalanobisErrorCombination => 2,
            _ => throw Unsupported("error combination", s.Combination),
        });
        w.OptionalI32(s.SmoothingSpan);
        WriteNormalizationStrategy(w, s.Normalization);
        WriteThresholdStrategy(w, s.Threshold);
        WriteEventRules(w, s.EventRules);
        w.Bool(s.OnlineAdaptation is not null);
        if (s.OnlineAdaptation is OnlineAdaptation a)
        {
            w.I32(a.Every);
            w.I32(a.Recent);
            w.I32(a.Epochs);
            w.OptionalF32(a.LearningRate);
        }

        // Written only when given, so that a detector without one stays readable by the versions before the field.
        if (s.Seed is int seed)
        {
            w.Require(5);
            w.I32(seed);
        }
    }

    private static DetectorSettings ReadSettings(FieldReader r, LoadContext context)
    {
        int? window = r.OptionalI32("window", 1, Limits.Window);
        int? stride = r.OptionalI32("stride", 1, int.MaxValue);
        IModelFactory? model = r.Bool("model present") ? ReadModel(r, context) : null;
        IAnomalyScorer scorer = ReadScorerStrategy(r, allowFusion: true);
        TrainerOptions? trainer = r.Bool("trainer present") ? ReadTrainer(r) : null;
        ILoss loss = ReadLoss(r);
        IScalerStrategy scaler = ReadScalerStrategy(r);
        MissingValuePolicy missing = r.Enum<MissingValuePolicy>("missing values");
        IErrorCombination combination = r.U8("error combination") switch
        {
            1 => ErrorCombination.Mean,
            2 => ErrorCombination.Mahalanobis,
            byte code => throw r.Invalid("error combination", $"has the unknown code {code}"),
        };
        int? smoothing = r.OptionalI32("smoothing span", 1, int.MaxValue);
        IScoreNormalization normalization = ReadNormalizationStrategy(r);
        IThresholdStrategy threshold = ReadThresholdStrategy(r);
        EventRules rules = ReadEventRules(r);
        OnlineAdaptation? adaptation = null;
        if (r.Bool("online adaptation present"))
        {
            adaptation = new OnlineAdaptation
            {
                Every = r.I32("online adaptation every"),
                Recent = r.I32("online adaptation recent"),
                Epochs = r.I32("online adaptation epochs"),
                LearningRate = r.OptionalF32("online adaptation learning rate"),
            };
            var errors = new List<string>();
            adaptation.Validate(errors);
            if (errors.Count > 0)
            {
                throw r.Invalid("online adaptation", string.Join(" ", errors));
            }
        }

        int? seed = null;
        if (r.Remaining > 0)
        {
            RequireVersion(r, 5, "seed", "a detector seed");
            seed = r.I32("seed");
        }

        r.End();
        return new DetectorSettings(window, stride, model, scorer, trainer, loss, scaler, missing, combination, smoothing, normalization,
            threshold, rules, context.MatrixProvider, adaptation, seed);
    }

    private static void WriteChoices(FieldWriter w, FittedAnomalyDetector d, SaveContext context)
    {
        FitChoices c = d.Choices;
        w.I32(d.Features);
        w.I32(d.CalibrationScores);
        w.F64(d.TypicalScore);
        w.I32(c.Window);
        w.I32(c.Stride);
        w.OptionalI32(c.Period);
        WriteModel(w, c.Model, context);
        WriteTrainer(w, c.Trainer);
        w.I32(c.SmoothingSpan);
        w.U32((uint)c.Automatic.Count);
        foreach (string line in c.Automatic)
        {
            w.String(line);
        }
    }

    private static (int Features, int CalibrationScores, double TypicalScore, FitChoices Choices) ReadChoices(FieldReader r, LoadContext context)
    {
        int features = r.I32("features", 1, Limits.Features);
        int calibration = r.I32("calibration scores", 0, int.MaxValue);
        double typical = r.F64("typical score");
        int window = r.I32("window", 1, Limits.Window);
        int stride = r.I32("stride", 1, int.MaxValue);
        int? period = r.OptionalI32("period", 1, int.MaxValue);
        IModelFactory model = ReadModel(r, context);
        TrainerOptions trainer = ReadTrainer(r);
        int smoothing = r.I32("smoothing span", 1, int.MaxValue);
        int lines = r.Count("automatic choices", 4, int.MaxValue, "lines");
        var automatic = new string[lines];
        for (int i = 0; i < lines; i++)
        {
            automatic[i] = r.String("automatic choice");
        }

        r.End();
        return (features, calibration, typical, new FitChoices(window, stride, period, model, trainer, smoothing, Array.AsReadOnly(automatic)));
    }

    private static void WriteModel(FieldWriter w, IModelFactory model, SaveContext context)
    {
        if (model is GruModelFactory gru)
        {
            w.U8(1);
            w.I32(gru.HiddenSize);
            w.I32(gru.Layers);
            w.U8((byte)gru.Variant);
            return;
        }

        if (model is LstmModelFactory lstm)
        {
            w.Require(2);
            w.U8(3);
            w.I32(lstm.HiddenSize);
            w.I32(lstm.Layers);
            w.Bool(lstm.ForgetGateBiasOne);
            return;
        }

        if (model is GruDModelFactory grud)
        {
            w.Require(2);
            w.U8(4);
            w.I32(grud.HiddenSize);
            w.I32(grud.Layers);
            return;
        }

        if (model is ConvolutionModelFactory convolution)
        {
            // The inner model follows, written by this same method: nesting is bounded by ConvolutionModelFactory.MaxNesting.
            w.Require(2);
            w.U8(5);
            w.I32(convolution.Channels);
            w.I32(convolution.KernelSize);
            w.I32(convolution.Dilation);
            WriteModel(w, convolution.Inner, context);
            return;
        }

        // A model of the user's own cells is recorded by name; loading asks DetectorLoadOptions for the cells registered under it.
        w.U8(2);
        w.String(model.Name);
        w.I32(model is CellModelFactory cells ? cells.Layers : model.CreateLayers(context.Features).Count);
    }

    private static IModelFactory ReadModel(FieldReader r, LoadContext context, int nesting = 0)
    {
        switch (r.U8("model"))
        {
            case 1:
                int hidden = r.I32("model hidden size", 1, Limits.LayerWidth);
                int layers = r.I32("model layers", 1, Limits.Layers);
                GruVariant variant = r.Enum<GruVariant>("model variant");
                return new GruModelFactory(hidden, layers, variant);
            case 2:
                string name = r.String("model name");
                int count = r.I32("model layers", 1, Limits.Layers);
                return new CellModelFactory(name, count, context.RegisteredCell(r, name));
            case 3:
                RequireVersion(r, 2, "model", "an LSTM");
                int lstmHidden = r.I32("model hidden size", 1, Limits.LayerWidth);
                int lstmLayers = r.I32("model layers", 1, Limits.Layers);
                bool forgetGateBiasOne = r.Bool("model forget-gate bias one");
                return new LstmModelFactory(lstmHidden, lstmLayers, forgetGateBiasOne);
            case 4:
                RequireVersion(r, 2, "model", "a GRU-D model");
                int grudHidden = r.I32("model hidden size", 1, Limits.LayerWidth);
                int grudLayers = r.I32("model layers", 1, Limits.Layers);
                return new GruDModelFactory(grudHidden, grudLayers);
            case 5:
                RequireVersion(r, 2, "model", "a convolution below a model");
                if (nesting >= ConvolutionModelFactory.MaxNesting)
                {
                    throw r.Invalid("model", $"nests more than {ConvolutionModelFactory.MaxNesting} convolutions");
                }

                int channels = r.I32("model convolution channels", 1, Limits.LayerWidth);
                int kernelSize = r.I32("model convolution kernel size", 1, Limits.Window);
                int dilation = r.I32("model convolution dilation", 1, Limits.Window);
                IModelFactory inner = ReadModel(r, context, nesting + 1);
                return r.Construct("model", () => new ConvolutionModelFactory(inner, channels, kernelSize, dilation));
            case byte code:
                throw r.Invalid("model", $"has the unknown code {code}");
        }
    }

    private static void WriteTrainer(FieldWriter w, TrainerOptions t)
    {
        w.I32(t.Epochs);
        w.I32(t.BatchSize);
        w.F32(t.LearningRate);
        switch (t.Optimizer)
        {
            case Sgd sgd:
                w.U8(1);
                w.F32(sgd.Momentum);
                w.F32(sgd.WeightDecay);
                w.Bool(sgd.Nesterov);
                break;
            case Adam adam:
                w.U8(2);
                w.F32(adam.Beta1);
                w.F32(adam.Beta2);
                w.F32(adam.Epsilon);
                w.F32(adam.WeightDecay);
                break;
            case AdamW adamW:
                w.U8(3);
                w.F32(adamW.Beta1);
                w.F32(adamW.Beta2);
                w.F32(adamW.Epsilon);
                w.F32(adamW.WeightDecay);
                break;
            default:
                throw Unsupported("optimizer", t.Optimizer);
        }

        switch (t.Schedule)
        {
            case ConstantSchedule:
                w.U8(1);
                break;
            case StepDecaySchedule step:
                w.U8(2);
                w.I32(step.StepSize);
                w.F32(step.Gamma);
                break;
            case CosineSchedule cosine:
                w.U8(3);
                w.I32(cosine.TotalEpochs);
                w.F32(cosine.MinimumLearningRate);
                break;
            case ReduceOnPlateauSchedule plateau:
                w.U8(4);
                w.F32(plateau.Factor);
                w.I32(plateau.Patience);
                w.F32(plateau.Threshold);
                w.I32(plateau.Cooldown);
                w.F32(plateau.MinimumLearningRate);
                break;
            default:
                throw Unsupported("learning-rate schedule", t.Schedule);
        }

        WriteLoss(w, t.Loss);
        w.F64(t.ValidationFraction);
        w.I32(t.EarlyStoppingPatience);
        w.F64(t.EarlyStoppingMinDelta);
        w.Bool(t.RestoreBestWeights);
        w.I32(t.TruncationSteps);
        w.OptionalF32(t.GradientClipNorm);
        w.Bool(t.Shuffle);
        w.I32(t.Seed);
        w.U8((byte)t.NonFiniteBehavior);
    }

    private static TrainerOptions ReadTrainer(FieldReader r)
    {
        int epochs = r.I32("trainer epochs");
        int batchSize = r.I32("trainer batch size");
        float learningRate = r.F32("trainer learning rate");
        IOptimizer optimizer = r.U8("optimizer") switch
        {
            1 => r.Construct("SGD", () => new Sgd(r.F32("SGD momentum"), r.F32("SGD weight decay"), r.Bool("SGD Nesterov"))),
            2 => r.Construct("Adam", () => new Adam(r.F32("Adam beta1"), r.F32("Adam beta2"), r.F32("Adam epsilon"), r.F32("Adam weight decay"))),
            3 => r.Construct("AdamW", () => new AdamW(r.F32("AdamW beta1"), r.F32("AdamW beta2"), r.F32("AdamW epsilon"), r.F32("AdamW weight decay"))),
            byte code => throw r.Invalid("optimizer", $"has the unknown code {code}"),
        };
        ILearningRateSchedule schedule = r.U8("schedule") switch
        {
            1 => LearningRateSchedule.Constant,
            2 => r.Construct("step-decay schedule", () => new StepDecaySchedule(r.I32("step size"), r.F32("gamma"))),
            3 => r.Construct("cosine schedule", () => new CosineSchedule(r.I32("total epochs"), r.F32("minimum learning rate"))),
            4 => r.Construct("reduce-on-plateau schedule", () => new ReduceOnPlateauSchedule(
                r.F32("factor"), r.I32("patience"), r.F32("threshold"), r.I32("cooldown"), r.F32("minimum learning rate"))),
            byte code => throw r.Invalid("schedule", $"has the unknown code {code}"),
        };
        var options = new TrainerOptions
        {
            Epochs = epochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
            Optimizer = optimizer,
            Schedule = schedule,
            Loss = ReadLoss(r),
            ValidationFraction = r.F64("validation fraction"),
            EarlyStoppingPatience = r.I32("early-stopping patience"),
            EarlyStoppingMinDelta = r.F64("early-stopping minimum delta"),
            RestoreBestWeights = r.Bool("restore best weights"),
            TruncationSteps = r.I32("truncation steps"),
            GradientClipNorm = r.OptionalF32("gradient clip norm"),
            Shuffle = r.Bool("shuffle"),
            Seed = r.I32("seed"),
            NonFiniteBehavior = r.Enum<NonFiniteBehavior>("non-finite behaviour"),
        };
        var errors = new List<string>();
        options.Validate(errors);
        return errors.Count == 0 ? options : throw r.Invalid("trainer options", string.Join(" ", errors));
    }

    private static void WriteLoss(FieldWriter w, ILoss loss)
    {
        switch (loss)
        {
            case MeanSquaredErrorLoss:
                w.U8(1);
                break;
            case MeanAbsoluteErrorLoss:
                w.U8(2);
                break;
            case HuberLoss huber:
                w.U8(3);
                w.F32(huber.Delta);
                break;
            case GaussianNegativeLogLikelihoodLoss:
                w.U8(4);
                break;
            default:
                throw Unsupported("loss", loss);
        }
    }

    private static ILoss ReadLoss(FieldReader r) => r.U8("loss") switch
    {
        1 => Loss.Mse,
        2 => Loss.Mae,
        3 => r.Construct("Huber loss", () => Loss.Huber(r.F32("Huber delta"))),
        4 => Loss.GaussianNll,
        byte code => throw r.Invalid("loss", $"has the unknown code {code}"),
    };

    private static void WriteScalerStrategy(FieldWriter w, IScalerStrategy scaler)
    {
        switch (scaler)
        {
            case StandardScaler:
                w.U8(1);
                break;
            case MinMaxScaler minMax:
                w.U8(2);
                w.F32(minMax.Min);
                w.F32(minMax.Max);
                break;
            case RobustScaler:
                w.U8(3);
                break;
            case IdentityScaler:
                w.U8(4);
                break;
            default:
                throw Unsupported("scaler", scaler);
        }
    }

    private static IScalerStrategy ReadScalerStrategy(FieldReader r) => r.U8("scaler") switch
    {
        1 => Scaler.Standard(),
        2 => r.Construct("min-max scaler", () => Scaler.MinMax(r.F32("scaler minimum"), r.F32("scaler maximum"))),
        3 => Scaler.Robust(),
        4 => Scaler.None(),
        byte code => throw r.Invalid("scaler", $"has the unknown code {code}"),
    };

    private static void WriteScorerStrategy(FieldWriter w, IAnomalyScorer scorer)
    {
        switch (scorer)
        {
            case ForecastScorer { Attention: 0 } forecast:
                w.U8(1);
                w.I32(forecast.Horizon);
                break;
            case ForecastScorer forecast:
                w.Require(2);
                w.U8(8);
                w.I32(forecast.Horizon);
                w.I32(forecast.Attention);
                break;
            case ReconstructionScorer reconstruction:
                w.U8(2);
                w.U8((byte)reconstruction.DecoderInput);
                break;
            case NaiveScorer naive:
                w.U8(3);
                w.I32(naive.Lag);
                break;
            case RollingZScoreScorer rolling:
                w.U8(4);
                w.OptionalI32(rolling.Window);
                break;
            case WindowedGaussianScorer gaussian:
                w.U8(5);
                w.OptionalI32(gaussian.Window);
                break;
            case CarriedStateForecastScorer carried:
                w.U8(7);
                w.I32(carried.WindowsPerSequence);
                break;
            case NearestNeighbourScorer neighbour:
                // A reference shorter than the maximum is code 10, so that every other scorer keeps its version and bytes.
                bool shorter = neighbour.Reference != NearestNeighbourScorer.MaximumReference;
                w.Require(shorter ? (ushort)7 : (ushort)4);
                w.U8(shorter ? (byte)10 : (byte)9);
                w.OptionalI32(neighbour.Length);
                w.Bool(neighbour.Normalize);
                if (shorter)
                {
                    w.I32(neighbour.Reference);
                }

                break;
            case SlidingNearestNeighbourScorer sliding:
                w.Require(10);
                w.U8(11);
                w.OptionalI32(sliding.Length);
                w.I32(sliding.Reference);
                break;
            case MultiLengthNearestNeighbourScorer multiLength:
                w.Require(11);
                w.U8(12);
                w.I32(multiLength.Reference);
                break;
            case FusionScorer fusion:
                w.U8(6);
                WriteFusionMethod(w, fusion.Method, fusion.Calibration);
                w.I32(fusion.Components.Count);
                foreach (IAnomalyScorer component in fusion.Components)
                {
                    WriteScorerStrategy(w, component);
                }

                break;
            default:
                throw Unsupported("scorer", scorer);
        }
    }

    private static IAnomalyScorer ReadScorerStrategy(FieldReader r, bool allowFusion)
    {
        byte scorer = r.U8("scorer");
        switch (scorer)
        {
            case 1:
                return new ForecastScorer(r.I32("forecast horizon", 1, Limits.Window));
            case 2:
                return new ReconstructionScorer(r.Enum<DecoderInput>("decoder input"));
            case 3:
                return new NaiveScorer(r.I32("naive lag", 1, Limits.Window));
            case 4:
                return new RollingZScoreScorer(r.OptionalI32("rolling window", 1, Limits.Window));
            case 5:
                return new WindowedGaussianScorer(r.OptionalI32("windowed-Gaussian window", 1, Limits.Window));
            case 7:
                return r.Construct("carried-state forecast", () => new CarriedStateForecastScorer(r.I32("windows per sequence", 1, Limits.Window)));
            case 8:
                RequireVersion(r, 2, "scorer", "a forecast with attention");
                int horizon = r.I32("forecast horizon", 1, Limits.Window);
                return new ForecastScorer(horizon, r.I32("attention size", 1, Limits.LayerWidth));
            case 9:
            case 10:
            {
                bool longest = scorer == 9;
                RequireVersion(r, longest ? (ushort)4 : (ushort)7, "scorer", longest ? "a nearest-neighbour scorer" : "a nearest-neighbour scorer with a shorter reference");
                int? length = r.OptionalI32("subsequence length", 1, Limits.Window);
                bool normalize = r.Bool("z-normalised");
                int reference = longest ? NearestNeighbourScorer.MaximumReference : r.I32("reference steps", 1, NearestNeighbourScorer.MaximumReference);
                return r.Construct("nearest-neighbour scorer", () => new NearestNeighbourScorer(length, normalize, reference));
            }

            case 11:
            {
                RequireVersion(r, 10, "scorer", "a sliding nearest-neighbour scorer");
                int? length = r.OptionalI32("subsequence length", 1, Limits.Window);
                int reference = r.I32("reference subsequences", 1, SlidingNearestNeighbourScorer.MaximumReference);
                return r.Construct("sliding nearest-neighbour scorer", () => new SlidingNearestNeighbourScorer(length, reference));
            }

            case 12:
                RequireVersion(r, 11, "scorer", "a multi-length nearest-neighbour scorer");
                return new MultiLengthNearestNeighbourScorer(r.I32("reference steps", 2, NearestNeighbourScorer.MaximumReference));
            case 6 when allowFusion:
                (FusionMethod method, FusionCalibration calibration) = ReadFusionMethod(r);
                var components = new IAnomalyScorer[r.I32("fusion components", 2, Limits.FusionComponents)];
                for (int i = 0; i < components.Length; i++)
                {
                    components[i] = ReadScorerStrategy(r, allowFusion: false);
                }

                return new FusionScorer(components, method, calibration);
            case byte code:
                throw r.Invalid("scorer", code == 6 ? "is a fusion inside a fusion" : $"has the unknown code {code}");
        }
    }

    private static void WriteNormalizationStrategy(FieldWriter w, IScoreNormalization normalization)
    {
        switch (normalization)
        {
            case NoScoreNormalization:
                w.U8(1);
                break;
            case RunningScoreNormalization { ExcludeFlagged: false } running:
                w.U8(2);
                w.I32(running.History);
                w.U8((byte)running.Kind);
                break;
            case RunningScoreNormalization running:
                // A new code rather than a field added to code 2, so that every other detector is still written as before.
                w.Require(3);
                w.U8(3);
                w.I32(running.History);
                w.U8((byte)running.Kind);
                break;
            default:
                throw Unsupported("score normalization", normalization);
        }
    }

    private static IScoreNormalization ReadNormalizationStrategy(FieldReader r)
    {
        byte code = r.U8("score normalization");
        switch (code)
        {
            case 1:
                return ScoreNormalization.None;
            case 2 or 3:
                if (code == 3)
                {
                    RequireVersion(r, 3, "score normalization", "a running normalization that keeps flagged scores out");
                }

                return new RunningScoreNormalization(
                    r.I32("normalization history", RunningScoreNormalization.MinimumHistory, Limits.NormalizationHistory),
                    r.Enum<RunningScoreNormalization.Statistic>("normalization statistic"),
                    excludeFlagged: code == 3);
            default:
                throw r.Invalid("score normalization", $"has the unknown code {code}");
        }
    }

    private static void WriteThresholdStrategy(FieldWriter w, IThresholdStrategy threshold)
    {
        switch (threshold)
        {
            case FixedThresholdStrategy f:
                w.U8(1);
                w.F64(f.Value);
                break;
            case MeanPlusSigmaStrategy m:
                w.U8(2);
                w.F64(m.K);
                break;
            case QuantileStrategy q:
                w.U8(3);
                w.F64(q.Q);
                break;
            case MedianPlusMadStrategy m:
                w.U8(4);
                w.F64(m.K);
                break;
            // Code 5 is the automatic threshold as it was before version 9, with a generalized Pareto tail, so that such a
            // detector keeps its version and bytes.
            case AutomaticThresholdStrategy { Tail: TailModel.GeneralizedPareto } a:
                w.U8(5);
                w.F64(a.RiskLevel);
                break;
            case AutomaticThresholdStrategy a:
                w.Require(9);
                w.U8(10);
                w.F64(a.RiskLevel);
                break;
            case PeaksOverThresholdStrategy p:
                w.U8(6);
                w.F64(p.RiskLevel);
                w.F64(p.InitialQuantile);
                w.Bool(p.Streaming);
                break;
            case DriftingPeaksOverThresholdStrategy d:
                w.U8(7);
                w.I32(d.Depth);
                w.F64(d.RiskLevel);
                w.F64(d.InitialQuantile);
                break;
            case DynamicThresholdStrategy d:
                w.U8(8);
                WriteDynamicOptions(w, d.Options);
                break;
            case FalseAlarmBudgetStrategy b:
                w.U8(9);
                w.F64(b.AlarmsPerPoint);
                w.F64(b.InitialQuantile);
                break;
            default:
                throw Unsupported("threshold strategy", threshold);
        }
    }

    private static IThresholdStrategy ReadThresholdStrategy(FieldReader r) => r.U8("threshold strategy") switch
    {
        1 => r.Construct("fixed threshold", () => new FixedThresholdStrategy(r.F64("value"))),
        2 => r.Construct("mean + kσ threshold", () => new MeanPlusSigmaStrategy(r.F64("k"))),
        3 => r.Construct("quantile threshold", () => new QuantileStrategy(r.F64("q"))),
        4 => r.Construct("median + k·MAD threshold", () => new MedianPlusMadStrategy(r.F64("k"))),
        5 => r.Construct("automatic threshold", () => new AutomaticThresholdStrategy(r.F64("risk level"), TailModel.GeneralizedPareto)),
        6 => r.Construct("peaks-over-threshold", () => new PeaksOverThresholdStrategy(r.F64("risk level"), r.F64("initial quantile"), r.Bool("streaming"))),
        7 => r.Construct("DSPOT", () => new DriftingPeaksOverThresholdStrategy(r.I32("depth"), r.F64("risk level"), r.F64("initial quantile"))),
        8 => r.Construct("dynamic threshold", () => new DynamicThresholdStrategy(ReadDynamicOptions(r))),
        9 => r.Construct("false-alarm budget", () => new FalseAlarmBudgetStrategy(r.F64("alarms per point"), r.F64("initial quantile"))),
        10 => ReadExponentialAutomaticThreshold(r),
        byte code => throw r.Invalid("threshold strategy", $"has the unknown code {code}"),
    };

    private static AutomaticThresholdStrategy ReadExponentialAutomaticThreshold(FieldReader r)
    {
        RequireVersion(r, 9, "threshold strategy", "an automatic threshold with an exponential tail");
        return r.Construct("automatic threshold", () => new AutomaticThresholdStrategy(r.F64("risk level"), TailModel.Exponential));
    }

    private static void WriteDynamicOptions(FieldWriter w, DynamicThresholdOptions o)
    {
        w.F64(o.MinimumZ);
        w.F64(o.MaximumZ);
        w.F64(o.ZStep);
        w.OptionalI32(o.WindowLength);
        w.I32(o.BatchLength);
        w.I32(o.AnomalyPadding);
        w.I32(o.MaximumSequences);
        w.F64(o.MaximumFlaggedFraction);
    }

    private static DynamicThresholdOptions ReadDynamicOptions(FieldReader r) => new()
    {
        MinimumZ = r.F64("minimum z"),
        MaximumZ = r.F64("maximum z"),
        ZStep = r.F64("z step"),
        WindowLength = r.OptionalI32("window length", 2, Limits.Window),
        BatchLength = r.I32("batch length"),
        AnomalyPadding = r.I32("anomaly padding"),
        MaximumSequences = r.I32("maximum sequences"),
        MaximumFlaggedFraction = r.F64("maximum flagged fraction"),
    };

    private static void WriteEventRules(FieldWriter w, EventRules e)
    {
        w.I32(e.NonMaximumSuppressionRadius);
        // The alarm suppression's presence byte carries, in its second bit, that alarms do not repeat (from format version
        // 8 on), so that rules with repeating alarms keep their version and bytes.
        if (!e.RepeatAlarms)
        {
            w.Require(8);
        }

        w.U8((byte)((e.AlarmSuppression is null ? 0 : 1) | (e.RepeatAlarms ? 0 : OnsetAlarmsFlag)));
        if (e.AlarmSuppression is int suppression)
        {
            w.I32(suppression);
        }

        w.I32(e.MaxGap);
        w.I32(e.MinLength);
        w.I32(e.SuppressionPoints);
        w.OptionalF64(e.MinimumPercentDecrease);
    }

    /// <summary>The second bit of the alarm suppression's presence byte: alarms do not repeat (from format version 8 on).</summary>
    private const byte OnsetAlarmsFlag = 2;

    private static EventRules ReadEventRules(FieldReader r)
    {
        int radius = r.I32("non-maximum suppression radius");
        byte presence = r.U8("alarm suppression");
        if (presence > (1 | OnsetAlarmsFlag))
        {
            throw r.Invalid("alarm suppression", $"has the presence byte {presence}; expected 0 to 3");
        }

        if ((presence & OnsetAlarmsFlag) != 0)
        {
            RequireVersion(r, 8, "alarm suppression", "alarms at onsets only");
        }

        int? suppression = (presence & 1) != 0 ? r.I32("alarm suppression", int.MinValue, int.MaxValue) : null;
        return r.Construct("event rules", () => new EventRules
        {
            NonMaximumSuppressionRadius = radius,
            AlarmSuppression = suppression,
            RepeatAlarms = (presence & OnsetAlarmsFlag) == 0,
            MaxGap = r.I32("max gap"),
            MinLength = r.I32("min length"),
            SuppressionPoints = r.I32("suppression points"),
            MinimumPercentDecrease = r.OptionalF64("minimum percent decrease"),
        });
    }
}
