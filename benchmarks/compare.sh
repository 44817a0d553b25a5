#!/usr/bin/env bash
# Side-by-side CPU comparison of GruAnomaly and PyTorch, one thread each.
#
# Builds benchmarks/GruAnomaly.Benchmarks in Release once, then for every workload runs the PyTorch side
# (benchmarks/compare/pytorch_workloads.py, Debian's /usr/bin/python3 with python3-torch) and the C# side
# (GruAnomaly.Benchmarks compare) alternately, ROUNDS times each, and prints a markdown table of the medians.
#
# Usage: benchmarks/compare.sh [ROUNDS]            (default 3; raw JSON lines go to stderr)
#        WORKLOADS=layer_fb_h64,stream_point benchmarks/compare.sh
#
# Environment, identical for both sides:
#   - OPENBLAS_CORETYPE is unset: this comparison was set up on an AMD Zen 3 (AVX2, no AVX-512) host, where OpenBLAS's
#     own detection is right. The OPENBLAS_CORETYPE=SkylakeX setting in the project NOTES applies to Intel AVX-512
#     hosts only; forcing it on a CPU without AVX-512 would crash or slow OpenBLAS.
#   - OMP_WAIT_POLICY=PASSIVE, OMP_NUM_THREADS=1 (and torch.set_num_threads(1) inside the script).
#   - DOTNET_TieredPGO left at the runtime default (unset).
set -euo pipefail

ROUNDS="${1:-3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
PY_SCRIPT="$ROOT/benchmarks/compare/pytorch_workloads.py"
DLL="$ROOT/benchmarks/GruAnomaly.Benchmarks/bin/Release/net10.0/GruAnomaly.Benchmarks.dll"
DEFAULT_WORKLOADS="seed_epoch,layer_fb_h32,layer_fb_h64,layer_fb_h128,layer_fb_h256,layer_fb_h512,layer_f_h32,layer_f_h64,layer_f_h128,layer_f_h256,layer_f_h512,stream_point"
WORKLOADS="${WORKLOADS:-$DEFAULT_WORKLOADS}"

unset OPENBLAS_CORETYPE DOTNET_TieredPGO
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

if ! "$PYTHON" -c "import torch" 2>/dev/null; then
    echo "PyTorch is missing for $PYTHON. Install it with: apt-get install python3-torch libopenblas0-pthread" >&2
    exit 2
fi

dotnet build "$ROOT/benchmarks/GruAnomaly.Benchmarks" -c Release --nologo -v quiet >&2

RAW="$(mktemp)"
trap 'rm -f "$RAW"' EXIT

IFS=',' read -r -a LIST <<< "$WORKLOADS"
for workload in "${LIST[@]}"; do
    for ((round = 1; round <= ROUNDS; round++)); do
        "$PYTHON" "$PY_SCRIPT" --workloads "$workload" | sed 's/^/pytorch /' | tee -a "$RAW" >&2
        dotnet "$DLL" compare --workloads "$workload" | sed 's/^/gruanomaly /' | tee -a "$RAW" >&2
    done
done

"$PYTHON" - "$RAW" <<'PY'
import json, statistics, sys

raw = {}
for line in open(sys.argv[1]):
    side, payload = line.split(" ", 1)
    record = json.loads(payload)
    raw.setdefault(record["workload"], {}).setdefault(side, []).append(record["seconds"])

def layer_f(i, h, t, b):   # forward: 2·3H(I+H) per step and sequence
    return 2 * 3 * h * (i + h) * t * b

def layer_fb(i, h, t, b):  # forward + backward without the input gradient
    return (12 * h * i + 18 * h * h) * t * b

def flops(name):
    if name == "seed_epoch":    # both layers, 100 steps, 1000 windows; the head is not counted
        return layer_fb(1, 64, 100, 1000) + layer_fb(64, 64, 100, 1000)
    if name == "stream_point":  # one step of both layers, batch 1
        return layer_f(1, 64, 1, 1) + layer_f(64, 64, 1, 1)
    kind, h = name.rsplit("_h", 1)
    return (layer_fb if kind == "layer_fb" else layer_f)(8, int(h), 100, 32)

def fmt(seconds):
    if seconds >= 1: return "%.3f s" % seconds
    if seconds >= 1e-3: return "%.2f ms" % (seconds * 1e3)
    return "%.1f µs" % (seconds * 1e6)

print("| workload | PyTorch | GruAnomaly | ratio (ours/theirs) | GFLOP/s PyTorch / GruAnomaly |")
print("| --- | ---: | ---: | ---: | ---: |")
for name, sides in raw.items():
    theirs = statistics.median(sides["pytorch"]); ours = statistics.median(sides["gruanomaly"])
    f = flops(name)
    print("| %s | %s | %s | %.2f | %.2f / %.2f |" % (name, fmt(theirs), fmt(ours), ours / theirs, f / theirs / 1e9, f / ours / 1e9))
print()
print("Each cell is the median over %d alternating rounds of each side's median of repeats." % len(next(iter(raw.values()))["pytorch"]))
PY
