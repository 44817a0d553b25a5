namespace GruAnomaly.Quality;

internal static class TemporaryNab
{
    public static (double Normalized, int Windows, int Detected, int FalseAlarms, double MeanDelay) Score(ReadOnlySpan<bool> labels, IReadOnlyList<int> alarms, double tp, double fp, double fn)
    {
        var windows = new List<(int S, int E)>();
        for (int t = 0; t < labels.Length; t++)
        {
            if (labels[t] && (t == 0 || !labels[t - 1])) windows.Add((t, t));
            if (labels[t]) windows[^1] = (windows[^1].S, t);
        }
        static double Sigma(double y) => 2 / (1 + Math.Exp(5 * y)) - 1;
        double raw = 0; int detected = 0, falseAlarms = 0; double delay = 0;
        var hit = new bool[windows.Count];
        foreach (int a in alarms)
        {
            int w = windows.FindIndex(x => x.S <= a && a <= x.E);
            if (w >= 0)
            {
                if (!hit[w]) { hit[w] = true; detected++; delay += a - windows[w].S; raw += tp * Sigma((a - windows[w].E - 1.0) / (windows[w].E - windows[w].S + 1)); }
                continue;
            }
            falseAlarms++;
            int prev = windows.FindLastIndex(x => x.E < a);
            raw += prev < 0 ? -fp : fp * Sigma((a - windows[prev].E) / (double)(windows[prev].E - windows[prev].S + 1));
        }
        raw -= fn * (windows.Count - detected);
        double nul = -fn * windows.Count, perfect = tp * Sigma(-1) * windows.Count;
        double normalized = windows.Count == 0 ? -100.0 * falseAlarms * fp : 100 * (raw - nul) / (perfect - nul);
        return (normalized, windows.Count, detected, falseAlarms, detected == 0 ? double.NaN : delay / detected);
    }
}
