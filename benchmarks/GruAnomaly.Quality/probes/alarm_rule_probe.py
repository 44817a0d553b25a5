"""Probes alarm rules on the flags and scores the detector itself produced, before any is built (issue 10).

Input: a dump of the quality benchmark (from the repository root):

    dotnet run -c Release --project benchmarks/GruAnomaly.Quality -- --candidates default --scores /tmp/scores
    /usr/bin/python3 benchmarks/GruAnomaly.Quality/probes/alarm_rule_probe.py /tmp/scores

Each rule raises alarms from the dumped flags with the detector's suppression (one window; an alarm needs more than
that many steps since the last one):
- "repeat": the library's rule with repeating alarms; checked to give exactly the dumped alarms.
- "peak": a repeat inside a flagged run only where the score exceeds every earlier score of that run, so that the
  decaying tail of one excursion does not alarm again.
- "onset": the library's EventRules.RepeatAlarms = false (the suppression runs from the last flag).
It prints, per series where the rules differ and in total per protocol, the labelled windows caught and the false
alarms in the judged part. Needs numpy (Debian's python3-numpy).
"""
import glob
import sys

import numpy as np
RULES = ("repeat", "peak", "onset")


def windows(labels):
    """The labelled windows as (first, last) steps."""
    found = []
    start = None
    for t, label in enumerate(labels):
        if label and start is None:
            start = t
        if not label and start is not None:
            found.append((start, t - 1))
            start = None
    if start is not None:
        found.append((start, len(labels) - 1))
    return found


def alarms(flags, scores, suppression, rule):
    raised = []
    last = -(10**9)
    run_maximum = -np.inf
    for t, flag in enumerate(flags):
        if not flag:
            run_maximum = -np.inf
            continue
        raises = t - last > suppression
        if rule == "peak":
            raises = raises and scores[t] > run_maximum
        if raises or rule == "onset":
            last = t
        if raises:
            raised.append(t)
        run_maximum = max(run_maximum, scores[t])
    return raised


def main(folder):
    totals = {}
    for path in sorted(glob.glob(folder + "/*__default.run.csv")):
        run = np.genfromtxt(path, delimiter=",", names=True)
        meta = np.genfromtxt(path.replace(".run.csv", ".meta.csv"), delimiter=",", names=True)
        suppression = int(meta["window"])
        flags, labels, judged = run["flag"] > 0, run["label"] > 0, run["judged"] > 0
        scores = np.nan_to_num(run["score"], nan=-np.inf)
        name = path.split("/")[-1].split("__default")[0]
        protocol = "streaming" if "__streaming" in name else "offline"
        labelled = windows(labels)
        results = {}
        for rule in RULES:
            raised = alarms(flags, scores, suppression, rule)
            if rule == "repeat" and raised != list(np.where(run["alarm"] > 0)[0]):
                sys.exit(f"{name}: the repeat rule does not give the dumped alarms")
            judged_alarms = [t for t in raised if judged[t]]
            caught = sum(any(first <= t <= last for t in judged_alarms) for first, last in labelled)
            false_alarms = sum(1 for t in judged_alarms if not labels[t])
            results[rule] = (caught, false_alarms)
            total = totals.setdefault((protocol, rule), [0, 0, 0])
            total[0] += caught
            total[1] += false_alarms
            total[2] += len(labelled)
        if len(set(results.values())) > 1:
            print(f"{name:40s} " + "  ".join(f"{rule} {results[rule][0]} caught +{results[rule][1]} false" for rule in RULES))
    for (protocol, rule), (caught, false_alarms, labelled) in sorted(totals.items()):
        print(f"{protocol:9s} {rule:6s} caught {caught}/{labelled}, {false_alarms} false alarms")


if __name__ == "__main__":
    main(sys.argv[1])
