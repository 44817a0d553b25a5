"""Counts, from fusion_probe.py's printed lines, the series on which each probed score's PR-AUC is worse than the best
baseline's, read from a committed report of the quality benchmark (its per-series tables):

    /usr/bin/python3 benchmarks/GruAnomaly.Quality/probes/fusion_probe.py /tmp/scores > /tmp/probe.txt
    /usr/bin/python3 benchmarks/GruAnomaly.Quality/probes/count_losses.py /tmp/probe.txt benchmarks/results/quality-2026-12-03-check.md

Both against each series' best baseline and against the baseline with the best mean PR-AUC (the windowed Gaussian
offline, repeat last period streaming, in that report), and for the best rule of each series taken separately: a bound
no fixed rule of the probed family can beat. Figures are compared at the two decimals both files print.
"""
import sys


def baselines(report):
    """Per protocol and series, the four baselines' PR-AUC (columns 3 to 6 of the per-series tables)."""
    text, out = open(report).read(), {}
    for protocol in ("offline", "streaming"):
        section = text.split(f"## {protocol}: every series")[1].split("##")[0]
        for line in section.splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not line.startswith("| ") or len(cells) < 6 or cells[0] == "series" or cells[1] == "---":
                continue
            figures = [c.split("/")[2].split("(")[0].strip() for c in cells[2:6]]
            if "–" not in figures:
                out[(protocol, cells[0].replace("/", "_"))] = [float(x) for x in figures]
    return out


def probed(lines):
    rows = {}
    for line in lines:
        # "<protocol> <series> <rule> <PR-AUC>  <rule> <PR-AUC> ...": rule names hold single spaces, fields are two apart.
        protocol, series, figures = line.split(None, 2)
        fields = [f for f in figures.rstrip("\n").split("  ") if f.strip()]
        rows[(protocol, series)] = {f.rsplit(" ", 1)[0].strip(): float(f.rsplit(" ", 1)[1]) for f in fields}
    return rows


def main(probe_output, report):
    base, rows = baselines(report), probed(open(probe_output))
    for protocol in ("offline", "streaming"):
        judged = [k for k in rows if k[0] == protocol and k in base]
        best_mean = max(range(4), key=lambda b: sum(base[k][b] for k in judged))
        print(f"{protocol}: {len(judged)} series with a labelled window")
        for name in rows[judged[0]]:
            mean = sum(rows[k][name] for k in judged) / len(judged)
            lost = sum(rows[k][name] < max(base[k]) for k in judged)
            lost_to_mean = sum(rows[k][name] < base[k][best_mean] for k in judged)
            print(f"  {name:20} mean PR-AUC {mean:.3f}; worse than the best baseline on {lost}, than the best-mean one on {lost_to_mean}")
        # An upper bound for any fixed rule of the family: each series takes whichever rule scores best on it.
        best = {k: max(rows[k].values()) for k in judged}
        lost = [f"{k[1]} {best[k]:.2f} against {max(base[k]):.2f}" for k in judged if best[k] < max(base[k])]
        print(f"  best rule per series: worse than the best baseline on {len(lost)} ({'; '.join(lost)}), "
              f"than the best-mean one on {sum(best[k] < base[k][best_mean] for k in judged)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
