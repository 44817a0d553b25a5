"""Independent reference values for the metric tests (run with python3 + numpy; prints C# literals).

ROC-AUC is counted pair by pair (P(score_pos > score_neg) + 0.5 P(tie)), which is what scikit-learn's
trapezoidal roc_auc_score equals; average precision walks the distinct thresholds from high to low and sums
(R_n - R_{n-1}) * P_n as scikit-learn's average_precision_score. Neither shares code with the C# ranks.
"""
import numpy as np


def roc_auc_pairs(labels, scores):
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    total = 0.0
    for p in pos:
        for n in neg:
            total += 1.0 if p > n else 0.5 if p == n else 0.0
    return total / (len(pos) * len(neg))


def average_precision_thresholds(labels, scores):
    positives = sum(labels)
    ap, previous_recall = 0.0, 0.0
    for t in sorted(set(scores), reverse=True):
        flagged = [y for s, y in zip(scores, labels) if s >= t]
        tp = sum(flagged)
        recall = tp / positives
        ap += (recall - previous_recall) * (tp / len(flagged))
        previous_recall = recall
    return ap


def literal(name, values, fmt):
    return f"{name} = [" + ", ".join(fmt(v) for v in values) + "];"


rng = np.random.default_rng(20240531)
labels = rng.random(30) < 0.3
# Scores rounded to one decimal so that ties occur, shifted up for anomalies so the AUC is informative.
scores = np.round(rng.normal(size=30) + 1.0 * labels, 1)
print(literal("bool[] labels", labels, lambda v: "true" if v else "false"))
print(literal("double[] scores", scores, lambda v: repr(float(v))))
print("roc_auc", repr(roc_auc_pairs(list(labels), list(scores))))
print("average_precision", repr(average_precision_thresholds(list(labels), list(scores))))
