using GruAnomaly.Losses;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using GruAnomaly.Training;

namespace GruAnomaly.Persistence;

/// <summary>Fitted scorers with their networks, weights and training histories (section SCOR).</summary>
internal static partial class DetectorCodec
{
    private static void WriteScorer(FieldWriter w, IFittedScorer scorer, SaveContext context)
    {
        switch (scorer)
        {
            case FittedForecastScorer forecast:
                if (forecast.Attention > 0)
                {
                    w.Require(2);
                }

                w.U8(forecast.Attention > 0 ? (byte)7 : (byte)1);
                w.I32(forecast.Features);
                w.I32(forecast.Window);
                w.I32(forecast.Horizon);
                w.I32(forecast.HeldOutFrom);
                if (forecast.Attention > 0)
                {
                    w.I32(forecast.Attention);
                }

                WriteLoss(w, forecast.Loss);
                WriteNetwork(w, forecast.Network, context);
                w.Floats(forecast.Parameters);
                WriteHistory(w, forecast.History);
                break;
            case FittedCarriedStateForecastScorer carried:
                w.U8(6);
                w.I32(carried.Features);
                w.I32(carried.Window);
                w.I32(carried.SequenceSteps);
                w.I32(carried.TruncationSteps);
                w.I32(carried.HeldOutFrom);
                WriteLoss(w, carried.Loss);
                WriteNetwork(w, carried.Network, context);
                w.Floats(carried.Parameters);
                WriteHistory(w, carried.History);
                break;
            case FittedReconstructionScorer reconstruction:
                w.U8(2);
                w.I32(reconstruction.Features);
                w.I32(reconstruction.Window);
                w.U8((byte)reconstruction.DecoderInput);
                w.I32(reconstruction.HeldOutFrom);
                WriteNetwork(w, reconstruction.Network.Encoder, context);
                WriteNetwork(w, reconstruction.Network.Decoder, context);
                w.Floats(reconstruction.Parameters);
                WriteHistory(w, reconstruction.History);
                break;
            case FittedNaiveScorer naive:
                w.U8(3);
                w.String(naive.Name);
                w.I32(naive.Features);
                w.I32(naive.Window);
                break;
            case FittedRollingScorer rolling:
                w.U8(4);
                w.String(rolling.Name);
                w.I32(rolling.Features);
                w.I32(rolling.Window);
                w.U8((byte)rolling.Error);
                break;
            case FittedNearestNeighbourScorer neighbour:
                w.Require(4);
                w.U8(8);
                w.String(neighbour.Name);
                w.I32(neighbour.Length);
                w.Bool(neighbour.Normalize);
                w.I32(neighbour.ReferenceStart);
                WriteFeatureArrays(w, neighbour.Reference);

                break;
            case FittedSlidingNearestNeighbourScorer sliding:
                w.Require(10);
                w.U8(9);
                w.String(sliding.Name);
                w.I32(sliding.Length);
                w.I32(sliding.Reference);
                w.I32(sliding.HeldOutFrom);
                WriteFeatureArrays(w, sliding.Tail);

                break;
            case FittedMultiLengthNearestNeighbourScorer multiLength:
                w.Require(11);
                w.U8(10);
                w.String(multiLength.Name);
                w.I32(multiLength.Parts.Count);
                foreach (FittedNearestNeighbourScorer part in multiLength.Parts)
                {
                    WriteScorer(w, part, context);
                }

                break;
            case FittedFusionScorer fusion:
                w.U8(5);
                w.String(fusion.Name);
                w.I32(fusion.Features);
                WriteFusionMethod(w, fusion.Method, fusion.Calibration);
                w.I32(fusion.Components.Length);
                foreach (IFittedScorer component in fusion.Components)
                {
                    WriteScorer(w, component, context);
                }

                foreach (EmpiricalDistribution? calibration in fusion.Calibrations)
                {
                    w.Bool(calibration is not null);
                    if (calibration is not null)
                    {
                        w.Doubles(calibration.SortedValues);
                    }
                }

                break;
            default:
                throw Unsupported("fitted scorer", scorer);
        }
    }

    private static IFittedScorer ReadScorer(FieldReader r, LoadContext context, bool allowFusion)
    {
        byte code = r.U8("scorer");
        switch (code)
        {
            case 1 or 7:
            {
                if (code == 7)
                {
                    RequireVersion(r, 2, "scorer", "a forecast with attention");
                }

                int features = r.I32("features", 1, Limits.Features), window = r.I32("window", 1, Limits.Window);
                int horizon = r.I32("horizon", 1, Limits.Window), heldOutFrom = r.I32("held out from", 0, int.MaxValue);
                int attention = code == 7 ? r.I32("attention size", 1, Limits.LayerWidth) : 0;
                ILoss loss = ReadLoss(r);
                (RecurrentNetwork network, float[] parameters, TrainingHistory? history) = ReadForecaster(r, context, features, loss,
                    (long)horizon * features * loss.PredictionsPerTarget, HeadPlacement.LastStep, $"a forecast of {horizon} steps", attention);
                return new FittedForecastScorer(network, parameters, loss, features, window, horizon, heldOutFrom, history);
            }

            case 2:
            {
                int features = r.I32("features", 1, Limits.Features), window = r.I32("window", 1, Limits.Window);
                DecoderInput decoderInput = r.Enum<DecoderInput>("decoder input");
                int heldOutFrom = r.I32("held out from", 0, int.MaxValue);
                RecurrentNetwork encoder = ReadNetwork(r, context, "encoder");
                RecurrentNetwork decoder = ReadNetwork(r, context, "decoder");
                EncoderDecoderNetwork network = r.Construct("encoder-decoder", () => new EncoderDecoderNetwork(encoder, decoder));
                float[] parameters = r.Floats("weights", network.ParameterCount, "the encoder-decoder's parameter count");
                TrainingHistory? history = ReadHistory(r);
                if (network.InputSize != features)
                {
                    throw r.Invalid("encoder", $"reads {network.InputSize} features; the scorer has {features}");
                }

                return new FittedReconstructionScorer(network, parameters, decoderInput, features, window, heldOutFrom, history);
            }

            case 3:
                return new FittedNaiveScorer(r.String("name"), r.I32("features", 1, Limits.Features), r.I32("lag", 1, Limits.Window));
            case 4:
                return new FittedRollingScorer(r.String("name"), r.I32("features", 1, Limits.Features), r.I32("window", 1, Limits.Window),
                    r.Enum<RollingError>("error kind"));
            case 6:
            {
                int features = r.I32("features", 1, Limits.Features), window = r.I32("window", 1, Limits.Window);
                int sequenceSteps = r.I32("sequence steps", 1, Limits.Window), truncationSteps = r.I32("truncation steps", 0, Limits.Window);
                int heldOutFrom = r.I32("held out from", 0, int.MaxValue);
                ILoss loss = ReadLoss(r);
                (RecurrentNetwork network, float[] parameters, TrainingHistory? history) = ReadForecaster(r, context, features, loss,
                    (long)features * loss.PredictionsPerTarget, HeadPlacement.EveryStep, "a carried-state forecast");
                return new FittedCarriedStateForecastScorer(network, parameters, loss, features, window, sequenceSteps, truncationSteps, heldOutFrom, history);
            }

            case 8:
                return ReadNearestNeighbour(r);
            case 9:
            {
                RequireVersion(r, 10, "scorer", "a sliding nearest-neighbour scorer");
                string name = r.String("name");
                int length = r.I32("subsequence length", 1, Limits.Window);
                int reference = r.I32("reference subsequences", 1, SlidingNearestNeighbourScorer.MaximumReference);
                int heldOutFrom = r.I32("held out from", 0, int.MaxValue);
                float[][] tail = ReadFeatureArrays(r, "training tail", "training tails");
                // A stream keeps the inputs its search reads: its own subsequence's and the reference's.
                CheckStreamValues(r, "reference", (long)tail.Length * ((2L * length) + reference - 2));

                return r.Construct("sliding nearest-neighbour scorer", () => new FittedSlidingNearestNeighbourScorer(name, length, reference, tail, heldOutFrom));
            }

            case 10:
            {
                RequireVersion(r, 11, "scorer", "a multi-length nearest-neighbour scorer");
                string name = r.String("name");
                var parts = new FittedNearestNeighbourScorer[r.I32("lengths", 2, 3)];
                for (int p = 0; p < parts.Length; p++)
                {
                    byte partCode = r.U8($"scorer of length {p}");
                    parts[p] = partCode == 8 ? ReadNearestNeighbour(r) : throw r.Invalid($"scorer of length {p}", $"has code {partCode}, not 8 (a nearest-neighbour distance)");
                }

                // Each length's stream keeps its own rows of products.
                CheckStreamValues(r, "lengths", parts.Sum(p => NearestNeighbourStreamValues(p.Reference.Count, p.Reference[0].Length, p.Length)));

                return r.Construct("multi-length nearest-neighbour scorer", () => new FittedMultiLengthNearestNeighbourScorer(name, parts));
            }

            case 5 when allowFusion:
            {
                string name = r.String("name");
                int features = r.I32("features", 1, Limits.Features);
                (FusionMethod method, FusionCalibration calibration) = ReadFusionMethod(r);
                var components = new IFittedScorer[r.I32("components", 2, Limits.FusionComponents)];
                for (int c = 0; c < components.Length; c++)
                {
                    components[c] = ReadScorer(r, context, allowFusion: false);
                    if (components[c].Features != features)
                    {
                        throw r.Invalid("components", $"component {c} has {components[c].Features} features; the fusion has {features}");
                    }
                }

                // Each calibration takes at least its presence byte, so the count is bounded by the bytes left before allocating.
                bool perPoint = calibration == FusionCalibration.PerPoint;
                long count = (long)components.Length * (perPoint ? 1 : features);
                if (count > r.Remaining)
                {
                    throw r.Invalid("calibrations", $"needs {count} entries ({(perPoint ? "one per component" : "components × features")}) but only {r.Remaining} bytes remain");
                }

                var calibrations = new EmpiricalDistribution?[count];
                for (int i = 0; i < calibrations.Length; i++)
                {
                    calibrations[i] = r.Bool("calibration present") ? ReadDistribution(r, "calibration") : null;
                }

                return new FittedFusionScorer(name, method, calibration, components, calibrations, features);
            }

            default:
                throw r.Invalid("scorer", code == 5 ? "is a fusion inside a fusion" : $"has the unknown code {code}");
        }
    }

    /// <summary>
    /// Reads a forecaster's network, weights and training history, and checks that the network reads the scorer's features
    /// and gives <paramref name="outputs"/> values where <paramref name="placement"/> puts its head.
    /// </summary>
    private static (RecurrentNetwork Network, float[] Parameters, TrainingHistory? History) ReadForecaster(FieldReader r, LoadContext context,
        int features, ILoss loss, long outputs, HeadPlacement placement, string forecaster, int attention = 0)
    {
        RecurrentNetwork network = ReadNetwork(r, context, "network");
        if (attention > 0 && network.Head is DenseHead head && network.HeadPlacement == HeadPlacement.LastStep)
        {
            // The pooling reads the top layer and feeds the head: its only free size is the attention width.
            RecurrentNetwork plain = network;
            network = r.Construct("network", () => new RecurrentNetwork(plain.Layers, head,
                new AttentionPooling(plain.Layers[^1].HiddenSize, attention), context.MatrixProvider));
        }

        float[] parameters = r.Floats("weights", network.ParameterCount, "the network's parameter count");
        TrainingHistory? history = ReadHistory(r);
        // A GRU-D network reads 4 values per feature (see GruDCell).
        int reads = placement == HeadPlacement.LastStep && network.Layers[0] is GruDCell grud && grud.Features == features ? features : network.InputSize;
        if (reads != features || network.Head is null || network.HeadPlacement != placement || network.OutputSize != outputs)
        {
            (string per, string where) = placement == HeadPlacement.LastStep ? ("window", "on its last step") : ("step", "on every step");
            throw r.Invalid("network", $"reads {network.InputSize} features and outputs {network.OutputSize} values per {per}" +
                $"{(network.Head is null ? " without a head" : string.Empty)}; {forecaster} of {features} features with {loss.Name} " +
                $"reads {features} and outputs {outputs} {where}");
        }

        return (network, parameters, history);
    }

    /// <summary>The high bit of a fusion's method byte: it calibrates points (from format version 6 on).</summary>
    private const byte PointCalibrationFlag = 0x80;

    /// <summary>Reads a plain or z-normalised nearest-neighbour distance (fitted scorer code 8) after its code.</summary>
    private static FittedNearestNeighbourScorer ReadNearestNeighbour(FieldReader r)
    {
        RequireVersion(r, 4, "scorer", "a nearest-neighbour scorer");
        string name = r.String("name");
        int length = r.I32("subsequence length", 1, Limits.Window);
        bool normalize = r.Bool("z-normalised");
        int referenceStart = r.I32("reference start", 0, int.MaxValue);
        float[][] reference = ReadFeatureArrays(r, "reference", "references");
        CheckStreamValues(r, "reference", NearestNeighbourStreamValues(reference.Length, reference[0].Length, length));
        return r.Construct("nearest-neighbour scorer", () => new FittedNearestNeighbourScorer(name, length, normalize, reference, referenceStart));
    }

    /// <summary>One array of values per feature: the count, then each array.</summary>
    private static void WriteFeatureArrays(FieldWriter w, IReadOnlyList<float[]> arrays)
    {
        w.I32(arrays.Count);
        foreach (float[] values in arrays)
        {
            w.Floats(values);
        }
    }

    /// <summary>What <see cref="WriteFeatureArrays"/> wrote, named <paramref name="what"/> (plural <paramref name="plural"/>) in messages.</summary>
    private static float[][] ReadFeatureArrays(FieldReader r, string what, string plural)
    {
        // Each feature's array takes at least its 4-byte count, so the count is bounded by the bytes left first.
        var arrays = new float[r.I32("features", 1, Limits.Features)][];
        if ((long)arrays.Length * sizeof(int) > r.Remaining)
        {
            throw r.Invalid("features", $"claims {arrays.Length} {plural} but only {r.Remaining} bytes remain");
        }

        for (int f = 0; f < arrays.Length; f++)
        {
            arrays[f] = r.Floats($"{what} of feature {f}");
        }

        return arrays;
    }

    /// <summary>The values a nearest-neighbour distance's stream carries: three rows of products per feature, one per reference subsequence.</summary>
    private static long NearestNeighbourStreamValues(int features, int referenceLength, int length) => 3L * features * Math.Max(0, referenceLength - length + 1);

    /// <summary>Refuses a scorer whose every stream would carry more than the stream limit of values.</summary>
    private static void CheckStreamValues(FieldReader r, string field, long carried)
    {
        if (carried > Limits.StreamValues)
        {
            throw r.Invalid(field, $"would make every stream carry {carried} values; at most {Limits.StreamValues} are allowed");
        }
    }

    /// <summary>
    /// A fusion's method and calibration, fitted or not, in one byte: the method's code, with the high bit set when it
    /// calibrates points. The maximum exists from format version 4 on, point calibration from version 6 on.
    /// </summary>
    private static void WriteFusionMethod(FieldWriter w, FusionMethod method, FusionCalibration calibration)
    {
        if (method == FusionMethod.Maximum)
        {
            w.Require(4);
        }

        if (calibration == FusionCalibration.PerPoint)
        {
            w.Require(6);
        }

        w.U8((byte)((byte)method | (calibration == FusionCalibration.PerPoint ? PointCalibrationFlag : 0)));
    }

    private static (FusionMethod Method, FusionCalibration Calibration) ReadFusionMethod(FieldReader r)
    {
        byte code = r.U8("fusion method");
        var method = (FusionMethod)(code & ~PointCalibrationFlag);
        if (!Enum.IsDefined(method))
        {
            throw r.Invalid("fusion method", $"has the unknown code {code & ~PointCalibrationFlag}");
        }

        if (method == FusionMethod.Maximum)
        {
            RequireVersion(r, 4, "fusion method", "the maximum");
        }

        if ((code & PointCalibrationFlag) == 0)
        {
            return (method, FusionCalibration.PerFeature);
        }

        RequireVersion(r, 6, "fusion method", "a fusion that calibrates points");
        return (method, FusionCalibration.PerPoint);
    }

    /// <summary>Refuses a code that a file of an older format version cannot hold (the file is damaged).</summary>
    private static void RequireVersion(FieldReader r, ushort version, string field, string what)
    {
        if (r.Version < version)
        {
            throw r.Invalid(field, $"is {what}, which exists from format version {version} on, but the file has version {r.Version}");
        }
    }

    private static void WriteNetwork(FieldWriter w, RecurrentNetwork network, SaveContext context)
    {
        w.I32(network.Layers.Count);
        foreach (IRecurrentCell cell in network.Layers)
        {
            switch (cell)
            {
                case GruCell:
                    w.U8(1);
                    break;
                case GruResetAfterCell:
                    w.U8(2);
                    break;
                case LstmCell:
                    w.Require(2);
                    w.U8(4);
                    break;
                case GruDCell:
                    w.Require(2);
                    w.U8(5);
                    break;
                case CausalConvolutionCell:
                    w.Require(2);
                    w.U8(6);
                    break;
                default:
                    w.U8(3);
                    w.String(context.CellName(cell));
                    break;
            }

            w.I32(cell.InputSize);
            w.I32(cell.HiddenSize);
            if (cell is GruDCell grud)
            {
                // x̄ and the time unit are fitted from the training series: the weights learned with them.
                w.Floats(grud.Means);
                w.Bool(grud.TimeUnit.HasValue);
                if (grud.TimeUnit is TimeSpan unit)
                {
                    w.I64(unit.Ticks);
                }
            }
            else if (cell is CausalConvolutionCell convolution)
            {
                w.I32(convolution.KernelSize);
                w.I32(convolution.Dilation);
            }
            else if (cell is not (GruCell or GruResetAfterCell or LstmCell))
            {
                // The registered cell must lay its parameters out as the one saved did, or the weights would land in the wrong places.
                w.I32(cell.Parameters.Count);
                foreach (ParameterSpec spec in cell.Parameters)
                {
                    w.String(spec.Name);
                    w.I32(spec.Rows);
                    w.I32(spec.Columns);
                }
            }
        }

        w.Bool(network.Head is not null);
        if (network.Head is DenseHead head)
        {
            w.I32(head.InputSize);
            w.I32(head.OutputSize);
        }

        w.U8((byte)network.HeadPlacement);
    }

    private static RecurrentNetwork ReadNetwork(FieldReader r, LoadContext context, string what)
    {
        var cells = new IRecurrentCell[r.I32($"{what} layers", 1, Limits.Layers)];
        long parameters = 0;
        for (int i = 0; i < cells.Length; i++)
        {
            byte kind = r.U8($"{what} layer {i} cell");
            if (kind is 4 or 5 or 6)
            {
                RequireVersion(r, 2, $"{what} layer {i} cell", kind switch { 4 => "an LSTM cell", 5 => "a GRU-D cell", _ => "a convolution cell" });
            }

            string? name = kind == 3 ? r.String($"{what} layer {i} cell name") : null;
            int input = r.I32($"{what} layer {i} input size", 1, Limits.LayerWidth);
            int hidden = r.I32($"{what} layer {i} hidden size", 1, Limits.LayerWidth);
            if (kind is 1 or 2 or 4)
            {
                // The weights follow the layers, so a cell whose weights could not fit into the rest of the file is refused
                // before it is made (found by the loader fuzzer: 32768 units claimed in a 30 kB file).
                long weightBytes = (kind == 4 ? 4L * hidden * (input + hidden + 2) : 3L * hidden * (input + hidden + kind)) * sizeof(float);
                if (weightBytes > r.Remaining)
                {
                    throw r.Invalid($"{what} layer {i}", $"claims {hidden} units reading {input} inputs, {weightBytes} bytes of weights, but only {r.Remaining} bytes remain");
                }
            }

            if (kind == 6)
            {
                cells[i] = ReadConvolutionCell(r, $"{what} layer {i}", input, hidden);
                parameters += cells[i].Parameters.Sum(p => (long)p.Rows * p.Columns);
                continue;
            }

            if (kind == 5)
            {
                cells[i] = ReadGruDCell(r, $"{what} layer {i}", input, hidden);
                parameters += cells[i].Parameters.Sum(p => (long)p.Rows * p.Columns);
                continue;
            }

            cells[i] = kind switch
            {
                1 => r.Construct($"{what} layer {i}", () => new GruCell(input, hidden)),
                2 => r.Construct($"{what} layer {i}", () => new GruResetAfterCell(input, hidden)),
                4 => r.Construct($"{what} layer {i}", () => new LstmCell(input, hidden)),
                3 => context.CreateCell(r, name!, i, input, hidden, $"{what} layer {i}"),
                _ => throw r.Invalid($"{what} layer {i} cell", $"has the unknown code {kind}"),
            };
            parameters += cells[i].Parameters.Sum(p => (long)p.Rows * p.Columns);
        }

        DenseHead? head = null;
        if (r.Bool($"{what} head present"))
        {
            int input = r.I32($"{what} head input size", 1, Limits.LayerWidth);
            int output = r.I32($"{what} head output size", 1, Limits.LayerWidth);
            head = r.Construct($"{what} head", () => new DenseHead(input, output));
            parameters += ((long)input + 1) * output;
        }

        HeadPlacement placement = r.Enum<HeadPlacement>($"{what} head placement");
        // The weights follow the architecture and are bounded by the bytes left: a network that needs more cannot be complete.
        if (parameters * sizeof(float) > r.Remaining)
        {
            throw r.Invalid(what, $"needs {parameters} weights ({parameters * sizeof(float)} bytes) but only {r.Remaining} bytes remain");
        }

        return r.Construct(what, () => new RecurrentNetwork(cells, head, placement, context.MatrixProvider));
    }

    /// <summary>Reads a causal convolution cell (code 6): its kernel size and dilation follow the sizes.</summary>
    private static CausalConvolutionCell ReadConvolutionCell(FieldReader r, string what, int input, int channels)
    {
        int kernelSize = r.I32($"{what} kernel size", 1, Limits.Window);
        int dilation = r.I32($"{what} dilation", 1, Limits.Window);
        long weightBytes = ((long)channels * input * kernelSize + channels) * sizeof(float);
        if (weightBytes > r.Remaining)
        {
            throw r.Invalid(what, $"claims {channels} channels of {kernelSize} taps reading {input} inputs, {weightBytes} bytes of weights, but only {r.Remaining} bytes remain");
        }

        // The state carries (K − 1)·d inputs per stream: bounded like the values a stream keeps, before anything is allocated.
        long carried = (long)(kernelSize - 1) * dilation * input;
        if (carried > Limits.StreamValues)
        {
            throw r.Invalid(what, $"would carry {carried} past input values per stream ((kernel size − 1)·dilation·inputs); at most {Limits.StreamValues} are allowed");
        }

        return r.Construct(what, () => new CausalConvolutionCell(input, channels, kernelSize, dilation));
    }

    /// <summary>Reads a GRU-D cell (code 5): its input is 4·D wide, then D means and an optional time unit follow.</summary>
    private static GruDCell ReadGruDCell(FieldReader r, string what, int input, int hidden)
    {
        if (input % 4 != 0)
        {
            throw r.Invalid(what, $"is a GRU-D cell reading {input} inputs; it reads [x | m | δ | x_last], a multiple of 4");
        }

        int features = input / 4;
        long weightBytes = ((3L * hidden * ((2L * features) + hidden + 1)) + ((features + 1L) * (hidden + 2))) * sizeof(float);
        if (weightBytes > r.Remaining)
        {
            throw r.Invalid(what, $"claims {hidden} units reading {features} features, {weightBytes} bytes of weights, but only {r.Remaining} bytes remain");
        }

        float[] means = r.Floats($"{what} means", features, "one per feature");
        TimeSpan? unit = r.Bool($"{what} time unit present") ? TimeSpan.FromTicks(r.I64($"{what} time unit", 1, long.MaxValue)) : null;
        return r.Construct(what, () => new GruDCell(features, hidden, means, unit));
    }

    private static void WriteHistory(FieldWriter w, TrainingHistory? history)
    {
        w.Bool(history is not null);
        if (history is null)
        {
            return;
        }

        w.U32((uint)history.Epochs.Count);
        foreach (EpochSummary e in history.Epochs)
        {
            w.I32(e.Epoch);
            w.F64(e.TrainingLoss);
            w.F64(e.ValidationLoss);
            w.F32(e.LearningRate);
            w.I64(e.Elapsed.Ticks);
            w.F64(e.ExamplesPerSecond);
            w.I32(e.SkippedBatches);
        }

        w.U8((byte)history.StopReason);
        w.I32(history.BestEpoch);
        w.I32(history.BatchesCompletedInStoppedEpoch);
        w.I64(history.Elapsed.Ticks);
    }

    private static TrainingHistory? ReadHistory(FieldReader r)
    {
        if (!r.Bool("history present"))
        {
            return null;
        }

        const int EpochBytes = 4 + 8 + 8 + 4 + 8 + 8 + 4;
        var epochs = new EpochSummary[r.Count("history epochs", EpochBytes, int.MaxValue, "epochs")];
        for (int i = 0; i < epochs.Length; i++)
        {
            epochs[i] = new EpochSummary(r.I32("epoch"), r.F64("training loss"), r.F64("validation loss"), r.F32("learning rate"),
                TimeSpan.FromTicks(r.I64("elapsed", 0, long.MaxValue)), r.F64("examples per second"), r.I32("skipped batches", 0, int.MaxValue));
        }

        return new TrainingHistory(Array.AsReadOnly(epochs), r.Enum<StopReason>("stop reason"), r.I32("best epoch", 0, int.MaxValue),
            r.I32("batches in stopped epoch", 0, int.MaxValue), TimeSpan.FromTicks(r.I64("elapsed", 0, long.MaxValue)));
    }

    private static EmpiricalDistribution ReadDistribution(FieldReader r, string what)
    {
        double[] values = r.Doubles(what);
        return r.Construct(what, () => new EmpiricalDistribution(values));
    }
}
