#!/usr/bin/env bash
# Side-by-side CPU comparison of GruAnomaly and PyTorch, one thread each.
#
# Builds benchmarks/GruAnomaly.Benchmarks in Release once, then for every workload runs the PyTorch side
# (benchmarks/compare/pytorch_workloads.py, Debian's /usr/bin/python3 with python3-torch) and the C# side
# (GruAnomaly.Benchmarks compare) alternately, ROUNDS times each, and prints a markdown table of the medians.
#
# Usage: benchmarks/compare.sh [--unpinned] [--avx2] [ROUNDS]   (options in any order; default 3 rounds; raw JSON lines go to stderr)
#        WORKLOADS=layer_fb_h64,stream_point benchmarks/compare.sh
#
# --avx2 puts both sides on 256-bit AVX2 + FMA code on a host that has AVX-512, as on the Zen 3 machines the targets were
# set on: DOTNET_EnableAVX512=0 for ours; for theirs OPENBLAS_CORETYPE=Haswell (OpenBLAS's AVX2 kernels, also for numpy's
# peak), ATEN_CPU_CAPABILITY=avx2 (PyTorch's own vector kernels; Debian's build already picks AVX2 by default) and
# ONEDNN_MAX_CPU_ISA=AVX2 (oneDNN, should PyTorch route anything through it). Without it, a run with
# DOTNET_EnableAVX512=0 alone compares our 256-bit path against an AVX-512 OpenBLAS.
#
# Pinning: by default both sides run under `taskset -c 0` (CPU set by PIN_CPU, default 0), so neither borrows the second
# core for BLAS threads, the JIT or the GC and "one thread each" holds on a shared host. --unpinned runs both sides on
# every core, as the earlier reports did. Either way the script first measures the single-core float32 GEMM peak of
# numpy's BLAS (1024³, best of 5) in the same mode, so a table can be read against what this CPU gave at that moment.
# Each cell gives the median over the rounds and the min–max of the rounds.
#
# Environment, identical for both sides:
#   - OPENBLAS_CORETYPE is unset (unless --avx2), whatever the machine exports: this comparison was set up on an AMD
#     Zen 3 (AVX2, no AVX-512) host, where OpenBLAS's own detection is right; on the later Zen 5 hosts it detects
#     Cooperlake and runs AVX-512 kernels. The OPENBLAS_CORETYPE=SkylakeX setting in the project NOTES applies to Intel
#     AVX-512 hosts only; forcing it on a CPU without AVX-512 would crash or slow OpenBLAS.
#   - OMP_WAIT_POLICY=PASSIVE, OMP_NUM_THREADS=1 (and torch.set_num_threads(1) inside the script).
#   - DOTNET_TieredPGO left at the runtime default (unset).
set -euo pipefail

PIN=1
AVX2=0
while [[ "${1:-}" == --* ]]; do
    case "$1" in
        --unpinned) PIN=0 ;;
        --avx2) AVX2=1 ;;
        *) echo "Unknown option $1; expected --unpinned, --avx2 or a number of rounds." >&2; exit 2 ;;
    esac
    shift
done
ROUNDS="${1:-3}"
if ((PIN)); then
    RUN=(taskset -c "${PIN_CPU:-0}")
    MODE="pinned to CPU ${PIN_CPU:-0} (taskset)"
else
    RUN=()
    MODE="unpinned"
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
PY_SCRIPT="$ROOT/benchmarks/compare/pytorch_workloads.py"
DLL="$ROOT/benchmarks/GruAnomaly.Benchmarks/bin/Release/net10.0/GruAnomaly.Benchmarks.dll"
DEFAULT_WORKLOADS="seed_epoch,layer_fb_h32,layer_fb_h64,layer_fb_h128,layer_fb_h256,layer_fb_h512,layer_f_h32,layer_f_h64,layer_f_h128,layer_f_h256,layer_f_h512,stream_point,gemm_step_h64,gemm_step_h256,gemm_step_h512,gemm_grad_h64,gemm_grad_h256,gemm_grad_h512,gemm_input_h64,gemm_input_h256,gemm_input_h512"
WORKLOADS="${WORKLOADS:-$DEFAULT_WORKLOADS}"

unset OPENBLAS_CORETYPE DOTNET_TieredPGO
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
if ((AVX2)); then
    export DOTNET_EnableAVX512=0 OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2
    MODE="$MODE, both sides at 256 bits (AVX2 + FMA)"
fi

if ! "$PYTHON" -c "import torch" 2>/dev/null; then
    echo "PyTorch is missing for $PYTHON. Install it with: apt-get install python3-torch libopenblas0-pthread" >&2
    exit 2
fi

dotnet build "$ROOT/benchmarks/GruAnomaly.Benchmarks" -c Release --nologo -v quiet >&2

# Single-core sgemm peak of numpy's BLAS, in the same mode and run as the workloads.
SGEMM="$("${RUN[@]}" "$PYTHON" - <<'PY'
import time
import numpy as np
n = 1024
a = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
b = np.random.default_rng(2).standard_normal((n, n), dtype=np.float32)
a @ b
best = min(
    (lambda s: (a @ b, time.perf_counter() - s)[1])(time.perf_counter())
    for _ in range(5))
print("%.1f" % (2 * n ** 3 / best / 1e9))
PY
)"
echo "sgemm peak ($MODE): $SGEMM GFLOP/s" >&2
# python3-numpy alone pulls in the reference BLAS (about 4 GFLOP/s here), which PyTorch's "generic" BLAS build then uses
# too: the comparison would be against a crippled PyTorch. OpenBLAS gives about 90-105 GFLOP/s on one core of our hosts.
if [[ "${SGEMM%.*}" -lt 20 ]]; then
    echo "The sgemm peak is ${SGEMM} GFLOP/s: numpy and PyTorch are on the reference BLAS. Install libopenblas0-pthread." >&2
    exit 3
fi

RAW="$(mktemp)"
trap 'rm -f "$RAW"' EXIT

IFS=',' read -r -a LIST <<< "$WORKLOADS"
for workload in "${LIST[@]}"; do
    for ((round = 1; round <= ROUNDS; round++)); do
        "${RUN[@]}" "$PYTHON" "$PY_SCRIPT" --workloads "$workload" | sed 's/^/pytorch /' | tee -a "$RAW" >&2
        "${RUN[@]}" dotnet "$DLL" compare --workloads "$workload" | sed 's/^/gruanomaly /' | tee -a "$RAW" >&2
    done
done

"$PYTHON" - "$RAW" "$MODE" "$SGEMM" <<'PY'
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
    if kind == "gemm_step":     # 100 products (32 x H) . (H x 3H)
        return 2 * 32 * int(h) * 3 * int(h) * 100
    if kind == "gemm_grad":     # one product (H x 3200) . (3200 x 3H)
        return 2 * int(h) * 3 * int(h) * 3200
    if kind == "gemm_input":    # one product (3200 x 8) . (8 x 3H)
        return 2 * 3200 * 8 * 3 * int(h)
    return (layer_fb if kind == "layer_fb" else layer_f)(8, int(h), 100, 32)

def fmt(seconds):
    if seconds >= 1: return "%.3f s" % seconds
    if seconds >= 1e-3: return "%.2f ms" % (seconds * 1e3)
    return "%.1f µs" % (seconds * 1e6)

def spread(values):
    return "%s (%s–%s)" % (fmt(statistics.median(values)), fmt(min(values)), fmt(max(values)))

print("Mode: %s. Single-core sgemm peak (numpy, 1024³, same mode, same run): %s GFLOP/s." % (sys.argv[2], sys.argv[3]))
print()
print("| workload | PyTorch median (min–max) | GruAnomaly median (min–max) | ratio ours/theirs median (min–max) | GFLOP/s PyTorch / GruAnomaly |")
print("| --- | ---: | ---: | ---: | ---: |")
for name, sides in raw.items():
    theirs = statistics.median(sides["pytorch"]); ours = statistics.median(sides["gruanomaly"])
    # Per-round ratios: the sides of one round ran back to back, so their ratio is less exposed to the host's load.
    ratios = [o / t for o, t in zip(sides["gruanomaly"], sides["pytorch"])]
    f = flops(name)
    print("| %s | %s | %s | %.2f (%.2f–%.2f) | %.2f / %.2f |" % (name, spread(sides["pytorch"]), spread(sides["gruanomaly"]),
          statistics.median(ratios), min(ratios), max(ratios), f / theirs / 1e9, f / ours / 1e9))
print()
print("Each cell: over %d alternating rounds, each round one process per side reporting its median of repeats." % len(next(iter(raw.values()))["pytorch"]))
PY
