using System.Globalization;
using GruAnomaly.Detection;
using GruAnomaly.Diagnostics;
using GruAnomaly.Numerics;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Thresholds;
using Microsoft.Extensions.Logging.Abstractions;

namespace GruAnomaly.Persistence;

/// <summary>
/// Writes a fitted detector as a detector file and reads one back (docs/model-format.md). Types are written by codes of
/// the format, never by .NET type names, and read back only into the built-in types those codes stand for (or into the
/// cells registered on <see cref="DetectorLoadOptions"/>), so a file cannot make the library instantiate anything else.
/// </summary>
internal static partial class DetectorCodec
{
    /// <summary>The complete detector file of <paramref name="detector"/>.</summary>
    /// <exception cref="NotSupportedException">A part of the detector is a type of the user's own that the format cannot name.</exception>
    public static byte[] Serialize(FittedAnomalyDetector detector)
    {
        var context = new SaveContext(detector.Choices.Model, detector.Features);
        return ModelFile.Write(FileKind.Detector, w =>
        {
            w.Section("SETS", s => WriteSettings(s, detector.Settings, context));
            w.Section("CHOI", s => WriteChoices(s, detector, context));
            w.Section("SCAL", s => WriteScaler(s, detector.Scaler));
            w.Section("SCOR", s => WriteScorer(s, detector.Scorer, context));
            w.Section("COMB", s => WriteCombination(s, detector.Combination));
            w.Section("NORM", s => WriteNormalization(s, detector.Normalization));
            w.Section("THRS", s => WriteThreshold(s, detector.Threshold));
        });
    }

    /// <summary>Reads a detector file.</summary>
    /// <exception cref="InvalidDataException">The file is not a detector file, is damaged, or names a cell not registered in <paramref name="options"/>.</exception>
    public static FittedAnomalyDetector Deserialize(Stream stream, DetectorLoadOptions options)
    {
        ModelFile.Sections sections = ModelFile.Read(stream, FileKind.Detector, options.MaximumBytes);
        var context = new LoadContext(options);
        DetectorSettings settings = ReadSettings(sections.Next("SETS"), context);
        (int features, int calibrationScores, double typicalScore, FitChoices choices) = ReadChoices(sections.Next("CHOI"), context);
        FittedScaler scaler = ReadScaler(sections.Next("SCAL"));
        FieldReader scorerSection = sections.Next("SCOR");
        IFittedScorer scorer = ReadScorer(scorerSection, context, allowFusion: true);
        scorerSection.End();
        IFittedErrorCombination combination = ReadCombination(sections.Next("COMB"));
        IFittedScoreNormalization normalization = ReadNormalization(sections.Next("NORM"));
        IFittedThreshold threshold = ReadThreshold(sections.Next("THRS"));
        sections.End();

        Check(scaler.Features == features, $"The scaler has {scaler.Features} features; the detector has {features}.");
        Check(scorer.Features == features, $"The scorer has {scorer.Features} features; the detector has {features}.");
        Check(combination.Features == features, $"The error combination has {combination.Features} features; the detector has {features}.");
        Check(scorer.Window <= choices.Window || scorer is not (FittedForecastScorer or FittedReconstructionScorer),
            $"The scorer's window is {scorer.Window}; the detector's is {choices.Window}.");
        // A stream keeps its scorer's context for every series: bounded here, so that a file cannot make CreateStream allocate without end.
        long kept = ((long)Math.Max(choices.Window, scorer.Window) + 1 + (scorer is FittedForecastScorer f ? f.Horizon : 0)) * features;
        Check(kept <= Limits.StreamValues, $"A stream of this detector would keep {kept} values per series; at most {Limits.StreamValues} are accepted.");
        return new FittedAnomalyDetector(settings, options.Logger ?? NullLogger.Instance, DetectorTelemetry.Create(options.MeterFactory), choices, scaler, scorer, combination, typicalScore,
            normalization, threshold, features, calibrationScores);
    }

    private static void Check(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidDataException(problem + " The parts of the file do not belong together: it is damaged.");
        }
    }

    private static NotSupportedException Unsupported(string role, object value) => new(
        $"The {role} {value.GetType().FullName} is not one of GruAnomaly's built-in types, so a detector that uses it cannot be saved: " +
        $"a detector file names its parts by the format's own codes, never by .NET type names, so that loading cannot instantiate arbitrary types. " +
        $"Use a built-in {role} in a detector you want to save.");

    /// <summary>What writing needs beyond the parts themselves.</summary>
    private sealed class SaveContext(IModelFactory model, int features)
    {
        public int Features => features;

        /// <summary>The name a cell of the user's own is saved under: its model's, which loading looks up in the registrations.</summary>
        public string CellName(IRecurrentCell cell) => model is GruModelFactory
            ? throw new NotSupportedException(
                $"The cell {cell.GetType().FullName} is not one of GruAnomaly's GRU cells and does not come from a model of your own " +
                "(Models.Cells or another IModelFactory) whose name could be registered for loading, so it cannot be saved.")
            : model.Name;
    }

    /// <summary>What reading needs beyond the file: the registered cells and the matrix provider.</summary>
    private sealed class LoadContext(DetectorLoadOptions options)
    {
        public IMatrixProvider MatrixProvider { get; } = options.MatrixProvider ?? ManagedMatrixProvider.Instance;

        public Func<int, int, IRecurrentCell> RegisteredCell(FieldReader r, string name) =>
            options.TryGetCell(name, out Func<int, int, IRecurrentCell> create)
                ? create
                : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"Section '{r.Section}': the detector's model is '{name}', a model of your own cells, which is not registered. Register its cells with " +
                    $"DetectorLoadOptions.RegisterCell(\"{name}\", (inputSize, layer) => ...) to load it " +
                    $"(registered: {(options.RegisteredCells.Any() ? string.Join(", ", options.RegisteredCells.Select(n => $"'{n}'")) : "none")})."));

        /// <summary>Creates a registered cell and checks that it has the sizes and parameters the file stores for it.</summary>
        public IRecurrentCell CreateCell(FieldReader r, string name, int layer, int inputSize, int hiddenSize, string what)
        {
            Func<int, int, IRecurrentCell> create = RegisteredCell(r, name);
            int count = r.I32($"{what} parameter count", 0, 1 << 10);
            var specs = new (string Name, int Rows, int Columns)[count];
            for (int i = 0; i < count; i++)
            {
                specs[i] = (r.String($"{what} parameter name"), r.I32($"{what} parameter rows", 0, int.MaxValue), r.I32($"{what} parameter columns", 0, int.MaxValue));
            }

            IRecurrentCell cell;
            try
            {
                cell = create(inputSize, layer) ?? throw new InvalidDataException($"The cell registered as '{name}' returned null for {what}.");
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                throw new InvalidDataException($"The cell registered as '{name}' refused {what} ({inputSize} inputs): {e.Message}", e);
            }

            bool same = cell.InputSize == inputSize && cell.HiddenSize == hiddenSize && cell.Parameters.Count == count
                && cell.Parameters.Select(p => (p.Name, p.Rows, p.Columns)).SequenceEqual(specs);
            return same ? cell : throw new InvalidDataException(
                $"The cell registered as '{name}' does not match {what} of the file: it reads {cell.InputSize} inputs into {cell.HiddenSize} units with parameters " +
                $"[{string.Join(", ", cell.Parameters.Select(p => $"{p.Name} {p.Rows}×{p.Columns}"))}]; the file has {inputSize} into {hiddenSize} with " +
                $"[{string.Join(", ", specs.Select(p => $"{p.Name} {p.Rows}×{p.Columns}"))}].");
        }
    }
}
