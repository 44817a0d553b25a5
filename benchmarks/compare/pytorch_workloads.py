#!/usr/bin/env python3
"""PyTorch side of the GruAnomaly comparison (CPU, one thread).

Prints one JSON line per workload: {"workload": name, "seconds": median, "repeats": n}.
Run with Debian's interpreter: /usr/bin/python3 benchmarks/compare/pytorch_workloads.py [--workloads a,b] [--repeats N]
Installs nothing.
"""
import argparse
import json
import math
import statistics
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    sys.stderr.write("PyTorch is missing. Install it with: apt-get install python3-torch libopenblas0-pthread\n"
                     "and run this script with /usr/bin/python3.\n")
    sys.exit(2)

HIDDENS = (32, 64, 128, 256, 512)
# Default repeats; the big layers get fewer to keep the whole comparison short.
DEFAULT_REPEATS = {"seed_epoch": 3, "stream_point": 5}
for h in HIDDENS:
    DEFAULT_REPEATS["layer_fb_h%d" % h] = 10 if h <= 128 else (5 if h == 256 else 3)
    DEFAULT_REPEATS["layer_f_h%d" % h] = 10 if h <= 128 else (5 if h == 256 else 3)
GEMM_HIDDENS = (64, 256, 512)
for h in GEMM_HIDDENS:
    DEFAULT_REPEATS["gemm_step_h%d" % h] = 10
    DEFAULT_REPEATS["gemm_grad_h%d" % h] = 10
    DEFAULT_REPEATS["gemm_input_h%d" % h] = 10
ALL = (["seed_epoch"] + ["layer_fb_h%d" % h for h in HIDDENS] + ["layer_f_h%d" % h for h in HIDDENS] + ["stream_point"]
       + ["gemm_step_h%d" % h for h in GEMM_HIDDENS] + ["gemm_grad_h%d" % h for h in GEMM_HIDDENS]
       + ["gemm_input_h%d" % h for h in GEMM_HIDDENS])


WARMUP_SECONDS = 1.0


def median_time(fn, repeats, warmup=1):
    # Warm-up: at least `warmup` calls and at least WARMUP_SECONDS (the C# side does the same, for its tiered JIT).
    start = time.perf_counter()
    done = 0
    while done < warmup or time.perf_counter() - start < WARMUP_SECONDS:
        fn()
        done += 1
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def seed_epoch(repeats):
    torch.manual_seed(1)
    series = torch.tensor([math.sin(0.1 * i) for i in range(1100)], dtype=torch.float32)
    windows = 1000
    x_all = torch.stack([series[i:i + 100] for i in range(windows)])  # windows x 100
    y_all = series[100:100 + windows].unsqueeze(1)                     # windows x 1
    x_all = x_all.t().unsqueeze(2).contiguous()                        # 100 x windows x 1, time-major

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(1, 64, num_layers=2)
            self.head = nn.Linear(64, 1)

        def forward(self, x):
            out, _ = self.gru(x)
            return self.head(out[-1])

    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    generator = torch.Generator().manual_seed(1)

    def epoch():
        order = torch.randperm(windows, generator=generator)
        for start in range(0, windows, 32):
            idx = order[start:start + 32]
            x = x_all[:, idx, :]
            y = y_all[idx]
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()

    return median_time(epoch, repeats)


def layer(hidden, backward, repeats):
    torch.manual_seed(1)
    gru = nn.GRU(8, hidden)
    x = torch.randn(100, 32, 8)  # no requires_grad: no input gradient

    if backward:
        def run():
            gru.zero_grad(set_to_none=False)
            out, _ = gru(x)
            out.sum().backward()
    else:
        def run():
            with torch.no_grad():
                gru(x)
    return median_time(run, repeats, warmup=2)


def gemm_step(hidden, repeats):
    # A layer's per-step recurrent product alone, 100 times: (32 x H) . (H x 3H), OpenBLAS's sgemm through torch.mm.
    a = torch.randn(32, hidden)
    b = torch.randn(hidden, 3 * hidden)
    c = torch.empty(32, 3 * hidden)

    def run():
        for _ in range(100):
            torch.mm(a, b, out=c)
    return median_time(run, repeats, warmup=2)


def gemm_grad(hidden, repeats):
    # The recurrent weights' gradient over a batch: (3200 x H)^T . (3200 x 3H), one product.
    states = torch.randn(3200, hidden)
    gates = torch.randn(3200, 3 * hidden)
    out = torch.empty(hidden, 3 * hidden)
    return median_time(lambda: torch.mm(states.t(), gates, out=out), repeats, warmup=2)


def gemm_input(hidden, repeats):
    # A layer's input projection over a batch: (3200 x 8) . (8 x 3H).
    inputs = torch.randn(3200, 8)
    weights = torch.randn(8, 3 * hidden)
    out = torch.empty(3200, 3 * hidden)
    return median_time(lambda: torch.mm(inputs, weights, out=out), repeats, warmup=2)


def stream_point(repeats, points=2000):
    torch.manual_seed(1)
    gru = nn.GRU(1, 64, num_layers=2)
    values = torch.tensor([math.sin(0.1 * i) for i in range(points)], dtype=torch.float32).view(points, 1, 1, 1)

    def run():
        with torch.no_grad():
            h = torch.zeros(2, 1, 64)
            for i in range(points):
                _, h = gru(values[i], h)
    return median_time(run, repeats) / points


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workloads", default=",".join(ALL), help="comma-separated subset of: " + ", ".join(ALL))
    parser.add_argument("--repeats", type=int, default=0, help="repeats per workload (0 = per-workload default)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in [w.strip() for w in args.workloads.split(",") if w.strip()]:
        if name not in ALL:
            parser.error("unknown workload %r" % name)
        repeats = args.repeats if args.repeats > 0 else DEFAULT_REPEATS[name]
        if name == "seed_epoch":
            seconds = seed_epoch(repeats)
        elif name == "stream_point":
            seconds = stream_point(repeats)
        elif name.startswith("gemm_step_h"):
            seconds = gemm_step(int(name[len("gemm_step_h"):]), repeats)
        elif name.startswith("gemm_input_h"):
            seconds = gemm_input(int(name[len("gemm_input_h"):]), repeats)
        elif name.startswith("gemm_grad_h"):
            seconds = gemm_grad(int(name[len("gemm_grad_h"):]), repeats)
        else:
            kind, h = name.rsplit("_h", 1)
            seconds = layer(int(h), kind == "layer_fb", repeats)
        print(json.dumps({"workload": name, "seconds": seconds, "repeats": repeats}), flush=True)


if __name__ == "__main__":
    main()
