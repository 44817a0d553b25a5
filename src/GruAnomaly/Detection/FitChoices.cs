using System.Globalization;
using GruAnomaly.Preprocessing;
using GruAnomaly.Recurrent;
using GruAnomaly.Scoring;
using GruAnomaly.Training;

namespace GruAnomaly.Detection;

/// <summary>
/// What a fit actually used: the choices made on the builder, and for every one left open, the value chosen from the
/// training series. <see cref="Automatic"/> says which were chosen and why; the same lines are logged.
/// </summary>
/// <param name="Window">Points of context the model reads.</param>
/// <param name="Stride">Distance between the starts of training windows.</param>
/// <param name="Period">The dominant period found in the training series, or null (also when the window was given).</param>
/// <param name="Model">The recurrent layers trained.</param>
/// <param name="Trainer">The trainer options used.</param>
/// <param name="SmoothingSpan">The EWMA span applied to scores (1 = none).</param>
/// <param name="Automatic">One line per automatic choice: what was chosen and from what.</param>
public sealed record FitChoices(int Window, int Stride, int? Period, IModelFactory Model, TrainerOptions Trainer, int SmoothingSpan,
    IReadOnlyList<string> Automatic)
{
    /// <summary>The shortest window chosen automatically.</summary>
    public const int MinimumAutomaticWindow = 8;

    /// <summary>The longest window chosen automatically (and the longest period looked for).</summary>
    public const int MaximumAutomaticWindow = 256;

    /// <summary>The window chosen automatically when the series shows no period.</summary>
    public const int AperiodicWindow = 32;

    /// <summary>The most training windows per epoch an automatic stride allows.</summary>
    public const int MaximumWindowsPerEpoch = 4000;

    /// <summary>An automatic window is at most this fraction of the training series, so that short series still train.</summary>
    private const int WindowsPerSeries = 8;

    /// <summary>The shortest training series a detector with an automatic window accepts.</summary>
    public const int MinimumAutomaticTrainingLength = WindowsPerSeries * MinimumAutomaticWindow;

    /// <summary>Returns a short summary, for example <c>window 24, stride 1, period 24, model GRU(32)×1, 40 epochs, smoothing span 12</c>.</summary>
    /// <returns>The choices in force; <see cref="Automatic"/> says how the automatic ones were made.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"window {Window}, stride {Stride}, period {(Period is int period ? period.ToString(CultureInfo.InvariantCulture) : "none")}, model {Model}, {Trainer.Epochs} epochs, smoothing span {SmoothingSpan}");

    /// <summary>Resolves the open choices of <paramref name="settings"/> on the scaled, filled training inputs.</summary>
    internal static FitChoices Resolve(DetectorSettings settings, ReadOnlySpan<float> inputs, int length, int features)
    {
        var automatic = new List<string>();
        int? period = null;
        int window;
        if (settings.Window is int given)
        {
            window = given;
        }
        else
        {
            period = Periodicity.Dominant(inputs, features, MaximumAutomaticWindow, out double correlation);
            // The scorer must also get a score out of the series with that window (a windowed baseline reads ten windows),
            // leave the threshold the calibration scores it needs (every step from MinimumLength − 1 on is one), and take it.
            int cap = Math.Max(MinimumAutomaticWindow, Math.Min(length / WindowsPerSeries, settings.Scorer.MaximumWindow));
            long calibration = settings.Threshold.MinimumCalibrationScores;
            while (cap > MinimumAutomaticWindow && ((long)settings.Scorer.MinimumLength(cap) + cap > length
                || (long)settings.Scorer.MinimumLength(cap) - 1 + calibration > length))
            {
                cap--;
            }

            window = Math.Clamp(period ?? AperiodicWindow, MinimumAutomaticWindow, Math.Min(MaximumAutomaticWindow, cap));
            automatic.Add(period is int p
                ? Line($"window {window} from the dominant period {p} (autocorrelation {correlation:F2}), bounded to [{MinimumAutomaticWindow}, {Math.Min(MaximumAutomaticWindow, cap)}]")
                : Line($"window {window}: no period found (no autocorrelation peak of {Periodicity.MinimumPeakCorrelation} up to lag {MaximumAutomaticWindow})"));
        }

        int windows = Math.Max(1, length - window);
        int stride;
        if (settings.Stride is int givenStride)
        {
            stride = givenStride;
        }
        else
        {
            stride = Math.Min(window, Math.Max(1, (windows + MaximumWindowsPerEpoch - 1) / MaximumWindowsPerEpoch));
            automatic.Add(Line($"stride {stride}: at most {MaximumWindowsPerEpoch} training windows per epoch from {windows}"));
        }

        IModelFactory model = settings.Model ?? AutomaticModel(length, automatic);
        TrainerOptions trainer = settings.Trainer ?? AutomaticTrainer(windows / stride, settings, automatic);
        int smoothing = settings.SmoothingSpan ?? AutomaticSmoothing(window, automatic);
        return new FitChoices(window, stride, period, model, trainer, smoothing, automatic.AsReadOnly());
    }

    /// <summary>A wider GRU for longer series: more data supports more parameters, and a short series would overfit them.</summary>
    private static IModelFactory AutomaticModel(int length, List<string> automatic)
    {
        int hidden = length < 2000 ? 16 : length < 20000 ? 32 : 64;
        automatic.Add(Line($"model GRU({hidden}) for {length} training steps (16 below 2000, 32 below 20000, else 64)"));
        return Recurrent.Models.Gru(hiddenSize: hidden);
    }

    /// <summary>Enough epochs to see about 100 000 windows in all (10 to 50), stopped early on the validation tail.</summary>
    private static TrainerOptions AutomaticTrainer(int windowsPerEpoch, DetectorSettings settings, List<string> automatic)
    {
        int epochs = Math.Clamp(100_000 / Math.Max(1, windowsPerEpoch), 10, 50);
        var trainer = new TrainerOptions
        {
            Epochs = epochs,
            EarlyStoppingPatience = 4,
            LearningRate = 2e-3f,
            Loss = settings.Loss ?? Losses.Loss.Mse,
            Seed = settings.Seed ?? 0,
        };
        automatic.Add(Line($"trainer: up to {epochs} epochs of {windowsPerEpoch} windows, early stopping after 4 epochs without improvement of the validation loss"));
        return trainer;
    }

    /// <summary>Smoothing over half a window: an anomaly that spans part of a cycle adds up, a single noisy point does not.</summary>
    private static int AutomaticSmoothing(int window, List<string> automatic)
    {
        int span = Math.Max(1, window / 2);
        automatic.Add(Line($"smoothing: EWMA span {span} (half the window)"));
        return span;
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
