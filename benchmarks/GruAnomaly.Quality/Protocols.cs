using GruAnomaly.Detection;

namespace GruAnomaly.Quality;

/// <summary>A series to run a fitted detector on, and which part of that run is judged against the labels.</summary>
/// <param name="Series">The series the fitted detector scores (it may start with context taken from the training part).</param>
/// <param name="JudgedFrom">The first step of <paramref name="Series"/> that is judged.</param>
/// <param name="Labels">The labels of the judged steps, <c>Series.Length − JudgedFrom</c> of them.</param>
internal sealed record JudgedRun(TimeSeries Series, int JudgedFrom, bool[] Labels);

/// <summary>How a labelled series is split into what a detector is fitted on and what it is judged on.</summary>
internal abstract class Protocol
{
    /// <summary>Offline: fit on the dataset's train split, detect on its test split.</summary>
    public static Protocol Offline { get; } = new OfflineProtocol();

    /// <summary>
    /// Streaming: fit on the leading part of the series, then run on everything after it in time order, as a live service
    /// would see it. The run starts with the detector's context taken from the leading part, so the first streamed point
    /// is scored by every part of the scorer; only the streamed points are judged.
    /// </summary>
    public static Protocol Streaming { get; } = new StreamingProtocol();

    public abstract string Name { get; }

    /// <summary>The training part: values only, never labels.</summary>
    public abstract TimeSeries FitPart(LabelledSeries series);

    /// <summary>The part to run on, given how many steps of context the fitted detector needs before it scores with every part.</summary>
    public abstract JudgedRun RunPart(LabelledSeries series, int context);

    private sealed class OfflineProtocol : Protocol
    {
        public override string Name => "offline";

        public override TimeSeries FitPart(LabelledSeries series)
        {
            (int start, int length) = series.Range("train");
            return series.Slice(start, length);
        }

        public override JudgedRun RunPart(LabelledSeries series, int context)
        {
            (int start, int length) = series.Range("test");
            return new JudgedRun(series.Slice(start, length), 0, series.Labels.AsSpan(start, length).ToArray());
        }
    }

    private sealed class StreamingProtocol : Protocol
    {
        /// <summary>The share of a series fitted on before the rest is streamed.</summary>
        private const double LeadingShare = 0.2;

        /// <summary>The fewest leading points fitted on.</summary>
        private const int MinimumLeading = 1000;

        public override string Name => "streaming";

        public override TimeSeries FitPart(LabelledSeries series) => series.Slice(0, Leading(series));

        public override JudgedRun RunPart(LabelledSeries series, int context)
        {
            int leading = Leading(series), start = Math.Max(0, leading - context);
            return new JudgedRun(series.Slice(start, series.Length - start), leading - start, series.Labels.AsSpan(leading).ToArray());
        }

        private static int Leading(LabelledSeries series) => Math.Max(MinimumLeading, (int)(series.Length * LeadingShare));
    }
}
