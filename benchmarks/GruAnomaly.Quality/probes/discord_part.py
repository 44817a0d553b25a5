"""Adds nearest-neighbour subsequence distances ("discord" scores, Keogh et al.) to a score dump as probe parts, before
any is built in the library.

The score of step t is the distance from the subsequence of one detector window that ends at t to its nearest
subsequence of the training part: far from everything seen in training means anomalous. On the training part itself
(what the fusion calibrates on) the neighbour must lie at least one window away, so a subsequence cannot match itself.
Parts written (as if they were candidates of the dump, so that fusion_probe.py reads them):
- "D": Euclidean distance of the scaled values (standard scaling on the training part), summed over features;
- "E": the same between subsequences each z-normalised (Keogh's discord distance), summed over features.

    /usr/bin/python3 benchmarks/GruAnomaly.Quality/probes/discord_part.py ../shared/data /tmp/scores

Needs numpy (Debian's python3-numpy).
"""
import csv
import glob
import os
import re
import sys

import numpy as np

LEADING_SHARE, MINIMUM_LEADING = 0.2, 1000  # Protocols.cs, StreamingProtocol
FLAT = 1e-3  # a subsequence with a smaller standard deviation is compared as flat


def read_series(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    values = np.array([[float(v) for v in r[1:header.index("label")]] for r in body])
    return values, [r[-1] for r in body]


def diagonals(a, b, m, exclusion, combine):
    """For every subsequence of b (length m), the smallest distance to a subsequence of a, diagonal by diagonal: combine(i0,
    j0, count) gives the distances along one diagonal, from a's subsequence i0 and b's j0 on."""
    na, nb = len(a) - m + 1, len(b) - m + 1
    best = np.full(nb, np.inf)
    for offset in range(-(na - 1), nb):  # b index = a index + offset
        i0 = max(0, -offset)
        j0 = i0 + offset
        count = min(na - i0, nb - j0)
        if count <= 0 or (exclusion and abs(offset) < m):
            continue
        d = combine(i0, j0, count)
        np.minimum(best[j0:j0 + count], d, out=best[j0:j0 + count])
    return best


def windowed(x, m):
    c = np.concatenate([np.zeros((1,) + x.shape[1:]), np.cumsum(x, axis=0)])
    return c[m:] - c[:-m]


def euclidean(a, b, m):
    def along(i0, j0, count):
        return np.sqrt(windowed(((a[i0:i0 + count + m - 1] - b[j0:j0 + count + m - 1]) ** 2).sum(axis=1), m))
    return along


def moments(x, m):
    mean = windowed(x, m) / m
    return mean, np.sqrt(np.maximum(windowed(x * x, m) / m - mean * mean, 0))


def znormalised(a, b, m):
    # Every subsequence's mean and deviation once per pair of series, not once per diagonal.
    stats_a = [moments(a[:, f], m) for f in range(a.shape[1])]
    stats_b = [moments(b[:, f], m) for f in range(b.shape[1])]

    def along(i0, j0, count):
        total = 0.0
        for f in range(a.shape[1]):
            x, y = a[i0:i0 + count + m - 1, f], b[j0:j0 + count + m - 1, f]
            (mx, sx), (my, sy) = stats_a[f], stats_b[f]
            mx, sx, my, sy = mx[i0:i0 + count], sx[i0:i0 + count], my[j0:j0 + count], sy[j0:j0 + count]
            qt = windowed(x * y, m)
            flat_x, flat_y = sx < FLAT, sy < FLAT
            correlation = np.where(flat_x | flat_y, 0.0, (qt - m * mx * my) / (m * np.maximum(sx, FLAT) * np.maximum(sy, FLAT)))
            d2 = 2 * m * (1 - np.clip(correlation, -1, 1))
            # Two flat subsequences are alike; a flat one and a moving one are as far apart as uncorrelated ones.
            d2 = np.where(flat_x & flat_y, 0.0, d2)
            total = total + d2
        return np.sqrt(total)
    return along


def write(stem, train_scores, run_scores, m):
    def rows(scores):
        return ["scored,raw"] + [f"{int(np.isfinite(s))},{s if np.isfinite(s) else 'NaN'}" for s in scores]

    with open(stem + ".train.csv", "w") as f:
        f.write("\n".join(rows(train_scores)) + "\n")
    with open(stem + ".run.csv", "w") as f:
        f.write("\n".join(rows(run_scores)) + "\n")
    with open(stem + ".meta.csv", "w") as f:
        f.write(f"smoothing_span,warm_up,held_out_from,window\n1,{m - 1},0,{m}\n")


def main(data, folder):
    paths = {f"{os.path.basename(os.path.dirname(p))}_{os.path.splitext(os.path.basename(p))[0]}": p
             for p in glob.glob(f"{data}/*/*.csv")}
    for meta_path in sorted(glob.glob(f"{folder}/*__default.meta.csv")):
        series, protocol = re.match(r"(.*)__(offline|streaming)__default\.meta\.csv", os.path.basename(meta_path)).groups()
        m = int(open(meta_path).read().split("\n")[1].split(",")[3])
        values, splits = read_series(paths[series])
        run_length = sum(1 for _ in open(f"{folder}/{series}__{protocol}__default.run.csv")) - 1
        if protocol == "offline":
            train = values[[s == "train" for s in splits]]
            run = values[[s == "test" for s in splits]]
        else:
            leading = max(MINIMUM_LEADING, int(len(values) * LEADING_SHARE))
            train, run = values[:leading], values[len(values) - run_length:]
        assert len(run) == run_length, (series, protocol, len(run), run_length)
        mean, std = train.mean(axis=0), np.maximum(train.std(axis=0), 1e-12)
        train, run = (train - mean) / std, (run - mean) / std
        for key, distance in (("D", euclidean), ("E", znormalised)):
            lead = np.full(m - 1, np.nan)
            on_train = np.concatenate([lead, diagonals(train, train, m, True, distance(train, train, m))])
            on_run = np.concatenate([lead, diagonals(train, run, m, False, distance(train, run, m))])
            write(f"{folder}/{series}__{protocol}__discord_{key}", on_train, on_run, m)
        print(protocol, series, m, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
