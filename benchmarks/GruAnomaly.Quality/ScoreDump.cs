using System.Globalization;
using GruAnomaly.Detection;

namespace GruAnomaly.Quality;

/// <summary>
/// Writes every step's scores of one measured run to CSV (<c>--scores</c>), so that a change to the score or decision
/// layer can be probed outside the library on exactly what the detector saw (<c>probes/fusion_probe.py</c>) before it is
/// built. Labels go into the run's file for judging only; the fitting path never sees this.
/// </summary>
/// <param name="Folder">Where the files go; one set per series, protocol and candidate.</param>
internal sealed record ScoreDump(string Folder)
{
    /// <summary>
    /// Writes <c>&lt;series&gt;__&lt;protocol&gt;__&lt;candidate&gt;</c> plus <c>.train.csv</c> (the fitted detector run
    /// on its own training part as its calibration ran it: the scores a calibration sees; a nearest-neighbour scorer leaves
    /// each point's matches with itself out there), <c>.run.csv</c> (the judged run) and <c>.meta.csv</c>
    /// (what a probe needs to redo the decision layer: the smoothing span, the scorer's warm-up and held-out start).
    /// </summary>
    public void Write(LabelledSeries series, Protocol protocol, Candidate candidate, FittedAnomalyDetector fitted, TimeSeries training,
        JudgedRun run, DetectionResult result)
    {
        Directory.CreateDirectory(Folder);
        string stem = Path.Combine(Folder, $"{series.Name.Replace('/', '_')}__{protocol.Name}__{candidate.Name.Replace(' ', '_')}");
        DetectionResult onTraining = fitted.DetectTraining(training);
        File.WriteAllLines(stem + ".train.csv", ["scored,raw", .. Enumerable.Range(0, onTraining.Length).Select(t =>
            string.Create(CultureInfo.InvariantCulture, $"{Bit(onTraining.IsScored[t])},{onTraining.RawScores[t]:R}"))]);
        File.WriteAllLines(stem + ".run.csv", ["scored,raw,score,threshold,flag,label,judged,alarm", .. Enumerable.Range(0, result.Length).Select(t =>
        {
            bool judged = t >= run.JudgedFrom;
            return string.Create(CultureInfo.InvariantCulture,
                $"{Bit(result.IsScored[t])},{result.RawScores[t]:R},{result.Scores[t]:R},{result.Thresholds[t]:R},{Bit(result.Flags[t])},{Bit(judged && run.Labels[t - run.JudgedFrom])},{Bit(judged)},{Bit(result.IsAlarm[t])}");
        })]);
        File.WriteAllLines(stem + ".meta.csv", ["smoothing_span,warm_up,held_out_from,window", string.Create(CultureInfo.InvariantCulture,
            $"{fitted.Choices.SmoothingSpan},{fitted.Scorer.WarmUp},{fitted.Scorer.HeldOutFrom},{fitted.Window}")]);
    }

    private static int Bit(bool value) => value ? 1 : 0;
}
