"""Probes changes to the default fusion's score layer on the scores the detector itself produced, before any is built.

Input: a dump of the quality benchmark made without smoothing, so that fused scores can be smoothed here as the detector
smooths its own (from the repository root):

    dotnet run -c Release --project benchmarks/GruAnomaly.Quality -- \
        --candidates "default,forecast only,baselines" --smoothing 1 --scores /tmp/scores
    /usr/bin/python3 benchmarks/GruAnomaly.Quality/probes/fusion_probe.py /tmp/scores

For every series and protocol it prints the PR-AUC of:
- "default": the default's own fused score through this file's copy of the decision layer (smoothing over half a window,
  started at the mean calibration score; a robust z against the last 2000 scores, the calibration scores first). It
  should match the library's figure in the benchmark's report; it is the check on that copy.
- "F+Z": the forecast's and the rolling z-score's point scores, each calibrated against its training scores as the
  fusion calibrates, summed as surprises: the default rebuilt from its parts (the library fuses per feature, this per point).
- "F+Z+wW": the windowed Gaussian (window 500) added with weight w.
- "F+Z, z per part" and "F+Z+W, z per part": each part's surprise put on the scale of its own last 2000 surprises before
  the sum, so that a part whose level shifts on the test data (the windowed Gaussian on chfdb_chf13) cannot swamp the others.
- The rest of RULES: other parts (P: repeat last period, N: first difference, the other models where dumped, and the
  nearest-neighbour distances D and E that discord_part.py adds; see PARTS), a part counted only beyond a surprise,
  squares and maxima instead of the sum, and a smoothing span twice as long.
Needs numpy (Debian's python3-numpy).
"""
import bisect
import glob
import os
import re
import sys

import numpy as np

HISTORY = 2000
MINIMUM_HELD_OUT_SCORES = 1000  # AnomalyDetector.MinimumHeldOutScores
MINIMUM_HELD_OUT_ERRORS = 200  # FusionScorer.MinimumHeldOutErrors
NORMAL_IQR = 1.3489795003921634  # RunningScoreNormalization.NormalInterquartileRange


def load(folder, stem):
    train = np.genfromtxt(f"{folder}/{stem}.train.csv", delimiter=",", names=True)
    run = np.genfromtxt(f"{folder}/{stem}.run.csv", delimiter=",", names=True)
    meta = np.genfromtxt(f"{folder}/{stem}.meta.csv", delimiter=",", names=True)
    return train, run, {k: int(meta[k]) for k in meta.dtype.names}


def average_precision(labels, scores):
    order = np.argsort(-scores, kind="stable")
    hits = labels[order]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return precision[hits == 1].sum() / max(1, hits.sum())


class Calibration:
    """CalibratedTail.Surprise without a peaks-over-threshold tail: log-linear plotting positions, an exponential tail above."""

    def __init__(self, values):
        self.sorted = np.sort(values)
        n = len(self.sorted)
        self.spread = max(np.std(self.sorted), 1e-12)
        top = self.sorted[int(0.9 * n):]
        self.top_slope = max(np.mean(top - top[0]), 1e-12) if len(top) > 1 else self.spread
        self.log_position = np.log((n - np.searchsorted(self.sorted, self.sorted, side="left")) / (n + 1))

    def surprise(self, x):
        s, n, log_position = self.sorted, len(self.sorted), self.log_position
        x = np.asarray(x, dtype=float)
        above = np.searchsorted(s, x, side="right")
        inside = np.clip(above, 1, n - 1)
        left, right = s[inside - 1], s[inside]
        gap = np.where(right > left, right - left, 1.0)
        between = log_position[inside - 1] + (log_position[inside] - log_position[inside - 1]) * (x - left) / gap
        below = np.log1p(-np.exp(np.minimum((x - s[0]) / self.spread, 0.0)) / (n + 1))
        beyond = log_position[-1] - (x - s[-1]) / self.top_slope
        log_survival = np.where(above == 0, below, np.where(above == n, beyond, np.where(x == left, log_position[inside - 1], between)))
        return -log_survival / np.log(10)


def smooth(x, span, start):
    alpha, average, out = 2 / (span + 1), start, np.empty(len(x))
    for i, v in enumerate(x):
        average = average + alpha * (v - average)
        out[i] = average
    return out


def quantile(ordered, q):
    """Linear interpolation between order statistics, as RunningWindow.Quantile."""
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def robust_z(x, history):
    window = list(history[-HISTORY:])
    ordered = sorted(window)
    out = np.empty(len(x))
    for i, v in enumerate(x):
        q1, median, q3 = quantile(ordered, 0.25), quantile(ordered, 0.5), quantile(ordered, 0.75)
        out[i] = (v - median) / max((q3 - q1) / NORMAL_IQR, 1e-12)
        window.append(v)
        bisect.insort(ordered, v)
        if len(window) > HISTORY:
            ordered.pop(bisect.bisect_left(ordered, window.pop(0)))
    return out


def calibration_start(train, meta, minimum):
    start = max(meta["warm_up"], meta["held_out_from"])
    return start if train["scored"][start:].sum() >= minimum else meta["warm_up"]


def decide(train_raw, run_raw, start, span):
    """Smoothing and normalization as the detector applies them to the scored steps of a batch."""
    typical = np.mean(train_raw[start:])
    calibration = smooth(train_raw, span, typical)[start:]
    return robust_z(smooth(run_raw, span, typical), calibration)


# Part letter -> the candidate whose scores it is. The first five come from "default,forecast only,baselines"; the others
# only where dumped (--candidates "5-step forecast only,reconstruction,carried state,LSTM,attention 16,convolution,squared
# error"); D and E (plain and z-normalised nearest-neighbour distances) where discord_part.py added them, K and J the same
# distances from the library's scorer where dumped ("nearest neighbour,z-normalised nearest neighbour"); a rule whose parts
# are not all dumped is left out. LSTM, attention 16, convolution and squared error are the
# default's fusion with one change, so they hold a rolling z-score of their own.
PARTS = {"F": "forecast_only", "Z": "rolling_z-score", "W": "windowed_Gaussian", "P": "repeat_last_period", "N": "first_difference",
         "H": "5-step_forecast_only", "R": "reconstruction", "C": "carried_state", "L": "LSTM", "A": "attention_16",
         "V": "convolution", "S": "squared_error", "D": "discord_D", "E": "discord_E",
         "K": "nearest_neighbour", "J": "z-normalised_nearest_neighbour"}


def total(*keys):
    return lambda s, z: sum(s[k] for k in keys)


# name -> (the parts it reads; the fused score from the parts' surprises on one side, as raw or as a robust z per part;
# smoothing span multiple)
RULES = {
    "F+Z": ("FZ", total("F", "Z"), 1),
    "F+Z+0.25W": ("FZW", lambda s, z: s["F"] + s["Z"] + 0.25 * s["W"], 1),
    "F+Z+0.5W": ("FZW", lambda s, z: s["F"] + s["Z"] + 0.5 * s["W"], 1),
    "F+Z+1W": ("FZW", total("F", "Z", "W"), 1),
    "F+Z, z per part": ("FZ", lambda s, z: z["F"] + z["Z"], 1),
    "F+Z+W, z per part": ("FZW", lambda s, z: z["F"] + z["Z"] + z["W"], 1),
    "F": ("F", total("F"), 1),
    "F+Z+P": ("FZP", total("F", "Z", "P"), 1),
    "F+Z+N": ("FZN", total("F", "Z", "N"), 1),
    "F+Z+W+P": ("FZWP", total("F", "Z", "W", "P"), 1),
    "2F+Z+W": ("FZW", lambda s, z: 2 * s["F"] + s["Z"] + s["W"], 1),
    "F+Z+(W-2)+": ("FZW", lambda s, z: s["F"] + s["Z"] + np.maximum(0, s["W"] - 2), 1),
    "F+Z+(W-3)+": ("FZW", lambda s, z: s["F"] + s["Z"] + np.maximum(0, s["W"] - 3), 1),
    "F2+Z2+W2": ("FZW", lambda s, z: s["F"] ** 2 + s["Z"] ** 2 + s["W"] ** 2, 1),
    "max(F,Z,W)": ("FZW", lambda s, z: np.maximum(np.maximum(s["F"], s["Z"]), s["W"]), 1),
    "F+Z, span x2": ("FZ", total("F", "Z"), 2),
    "F+Z+(W-3)+, span x2": ("FZW", lambda s, z: s["F"] + s["Z"] + np.maximum(0, s["W"] - 3), 2),
    **{k: (k, total(k), 1) for k in "HRCLAVS"},
    **{f"F+Z+{k}": ("FZ" + k, total("F", "Z", k), 1) for k in "HRCLAVS"},
    **{f"{k}+Z": (k + "Z", total(k, "Z"), 1) for k in "HRCLAVS"},
    "H+Z+W": ("HZW", total("H", "Z", "W"), 1),
    "F+H+Z": ("FHZ", total("F", "H", "Z"), 1),
    "F+H+Z+W": ("FHZW", total("F", "H", "Z", "W"), 1),
    "F+R+Z+W": ("FRZW", total("F", "R", "Z", "W"), 1),
    **{k: (k, total(k), 1) for k in "DE"},
    **{f"F+Z+{k}": ("FZ" + k, total("F", "Z", k), 1) for k in "DE"},
    **{f"F+{k}": ("F" + k, total("F", k), 1) for k in "DE"},
    **{f"{k}+Z": (k + "Z", total(k, "Z"), 1) for k in "DE"},
    "F+Z+D+E": ("FZDE", total("F", "Z", "D", "E"), 1),
    "D+E": ("DE", total("D", "E"), 1),
    "F+D+E": ("FDE", total("F", "D", "E"), 1),
    "D+E+Z": ("DEZ", total("D", "E", "Z"), 1),
    "F+Z+W+D": ("FZWD", total("F", "Z", "W", "D"), 1),
    "F+Z+W+D+E": ("FZWDE", total("F", "Z", "W", "D", "E"), 1),
    "H+Z+W+D": ("HZWD", total("H", "Z", "W", "D"), 1),
    "F+Z+2D": ("FZD", lambda s, z: s["F"] + s["Z"] + 2 * s["D"], 1),
    "max(F,D)": ("FD", lambda s, z: np.maximum(s["F"], s["D"]), 1),
    "max(F,Z,D)": ("FZD", lambda s, z: np.maximum(np.maximum(s["F"], s["Z"]), s["D"]), 1),
    "max(F,Z,D,W)": ("FZDW", lambda s, z: np.maximum(np.maximum(s["F"], s["Z"]), np.maximum(s["D"], s["W"])), 1),
    "F+Z+D, span x2": ("FZD", total("F", "Z", "D"), 2),
    "D+E, span x2": ("DE", total("D", "E"), 2),
    "F+Z+D+E, span x2": ("FZDE", total("F", "Z", "D", "E"), 2),
    **{k: (k, total(k), 1) for k in "KJ"},
    "K+J": ("KJ", total("K", "J"), 1),
    "F+K": ("FK", total("F", "K"), 1),
    "K+Z": ("KZ", total("K", "Z"), 1),
    "F+Z+K": ("FZK", total("F", "Z", "K"), 1),
    "F+Z+K+J": ("FZKJ", total("F", "Z", "K", "J"), 1),
    "F+K+J": ("FKJ", total("F", "K", "J"), 1),
    "F+Z+W+K": ("FZWK", total("F", "Z", "W", "K"), 1),
    "F+Z+W+K+J": ("FZWKJ", total("F", "Z", "W", "K", "J"), 1),
    "max(F,K)": ("FK", lambda s, z: np.maximum(s["F"], s["K"]), 1),
    "max(F,Z,K)": ("FZK", lambda s, z: np.maximum(np.maximum(s["F"], s["Z"]), s["K"]), 1),
    "F+Z+K, z per part": ("FZK", lambda s, z: z["F"] + z["Z"] + z["K"], 1),
}


def main(folder):
    runs = sorted({re.match(r"(.*)__(offline|streaming)__default\.meta\.csv", os.path.basename(f)).groups()
                   for f in glob.glob(f"{folder}/*__default.meta.csv")}, key=lambda r: (r[1], r[0]))
    for series, protocol in runs:
        train, run, meta = load(folder, f"{series}__{protocol}__default")
        if meta["smoothing_span"] != 1:
            sys.exit("The dump must be made with --smoothing 1.")
        span = max(1, meta["window"] // 2)
        train_scored, run_scored = train["scored"] == 1, run["scored"] == 1
        judged = (run["judged"] == 1)[run_scored]
        labels = run["label"][run_scored][judged]
        if labels.sum() == 0:
            continue
        start = int(train_scored[:calibration_start(train, meta, MINIMUM_HELD_OUT_SCORES)].sum())

        def judge(train_scores, run_scores, multiple=1):
            return average_precision(labels, decide(train_scores, run_scores, start, span * multiple)[judged])

        surprises = ({}, {})
        for key, name in PARTS.items():
            if not os.path.exists(f"{folder}/{series}__{protocol}__{name}.meta.csv"):
                continue
            part_train, part_run, part_meta = load(folder, f"{series}__{protocol}__{name}")
            scored = part_train["scored"] == 1
            from_step = calibration_start(part_train, part_meta, MINIMUM_HELD_OUT_ERRORS)
            calibration = Calibration(part_train["raw"][scored & (np.arange(len(scored)) >= from_step)])
            # Every part is scored from its own warm-up on, the fusion from the longest: the default's scored steps. A
            # streamed run starts one warm-up before the judged part, so the runs of different parts line up at their ends;
            # a part with a shorter warm-up has no score at the default's first steps, which are not scored anyway.
            missing = len(run) - len(part_run)
            part_run_raw = np.concatenate([np.full(max(0, missing), np.nan), part_run["raw"][max(0, -missing):]])
            surprises[0][key] = np.nan_to_num(calibration.surprise(part_train["raw"][train_scored]))
            surprises[1][key] = np.nan_to_num(calibration.surprise(part_run_raw[run_scored]))
        scaled = ({}, {})
        for key in (k for k in "FZWK" if k in surprises[0]):
            history = surprises[0][key][start:]
            scaled[0][key], scaled[1][key] = robust_z(surprises[0][key], history), robust_z(surprises[1][key], history)

        row = {"default": judge(train["raw"][train_scored], run["raw"][run_scored])}
        for name, (keys, rule, multiple) in RULES.items():
            if all(k in surprises[0] for k in keys):
                row[name] = judge(rule(surprises[0], scaled[0]), rule(surprises[1], scaled[1]), multiple)
        print(f"{protocol:9} {series:28} " + "  ".join(f"{k} {v:.2f}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/scores")
