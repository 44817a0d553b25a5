#!/usr/bin/env bash
# First call pinned to one core against unpinned (issue #15, item 1).
#
# Each workload runs as a fresh process (benchmarks/GruAnomaly.Benchmarks firstcall), with no warm-up, alternately
# unpinned and pinned with `taskset -c 0` (the runtime then sees Environment.ProcessorCount = 1), ROUNDS times. The table
# gives the medians and the median of the per-round ratios pinned/unpinned with their min–max, for the first call and for
# the median of the 4 calls after it. Ratios of the same round are what to read: on a shared machine absolute times move.
#
# Usage: benchmarks/firstcall.sh [ROUNDS]          (default 5; raw JSON lines go to stderr)
#        WORKLOADS=layer_f_h512,seed_epoch benchmarks/firstcall.sh 3
#        EXTRA_ENV="DOTNET_TieredCompilation=0" benchmarks/firstcall.sh   (an experiment: runtime settings for both sides)
set -euo pipefail

ROUNDS="${1:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DLL="$ROOT/benchmarks/GruAnomaly.Benchmarks/bin/Release/net10.0/GruAnomaly.Benchmarks.dll"
WORKLOADS="${WORKLOADS:-layer_f_h512,layer_fb_h128,seed_epoch,fit_small,stream_2000}"
read -r -a EXTRA <<< "${EXTRA_ENV:-}"

if [[ "${NO_BUILD:-0}" != 1 ]]; then
    dotnet build "$ROOT/benchmarks/GruAnomaly.Benchmarks" -c Release --nologo -v quiet >&2
fi

RAW="$(mktemp)"
trap 'rm -f "$RAW"' EXIT

IFS=',' read -r -a LIST <<< "$WORKLOADS"
for workload in "${LIST[@]}"; do
    for ((round = 1; round <= ROUNDS; round++)); do
        env "${EXTRA[@]}" dotnet "$DLL" firstcall --workload "$workload" | sed "s/^/unpinned $round /" | tee -a "$RAW" >&2
        env "${EXTRA[@]}" taskset -c 0 dotnet "$DLL" firstcall --workload "$workload" | sed "s/^/pinned $round /" | tee -a "$RAW" >&2
    done
done

python3 - "$RAW" <<'PY'
import json, statistics, sys

runs = {}
for line in open(sys.argv[1]):
    side, round_, payload = line.split(" ", 2)
    record = json.loads(payload)
    runs.setdefault(record["workload"], {}).setdefault(round_, {})[side] = record

def fmt(seconds):
    return "%.3f s" % seconds if seconds >= 1 else "%.1f ms" % (seconds * 1e3)

print("| workload | first call unpinned | first call pinned | ratio pinned/unpinned (min–max) | next calls unpinned | next calls pinned | ratio (min–max) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, rounds in runs.items():
    pairs = [r for r in rounds.values() if "pinned" in r and "unpinned" in r]
    cells = [name]
    for key in ("first", "next"):
        u = [p["unpinned"][key] for p in pairs]
        q = [p["pinned"][key] for p in pairs]
        ratios = [p["pinned"][key] / p["unpinned"][key] for p in pairs]
        cells += [fmt(statistics.median(u)), fmt(statistics.median(q)),
                  "%.2f (%.2f–%.2f)" % (statistics.median(ratios), min(ratios), max(ratios))]
    print("| " + " | ".join(cells) + " |")
processors = sorted({(side, r[side]["processors"]) for rounds in runs.values() for r in rounds.values() for side in r})
print()
print("Rounds: %d per workload, sides alternating (unpinned, pinned). Environment.ProcessorCount seen: %s."
      % (max(len(r) for r in runs.values()), ", ".join("%s %d" % p for p in processors)))
PY
