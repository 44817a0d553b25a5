#!/usr/bin/env python3
"""Writes the model-exchange fixtures that tests/GruAnomaly.Tests/Interop reads.

Run with Debian's PyTorch (apt-get install python3-torch python3-numpy):
    /usr/bin/python3 make_safetensors_fixture.py
CI does not need PyTorch; the files it writes are committed beside this script:

  safetensors_fixture.safetensors  the state dict of a 2-layer nn.GRU(3, 5) held as `gru` and an nn.Linear(5, 2) held
                                   as `head` (names gru.weight_ih_l0 ... head.bias), written by the small safetensors
                                   writer below (Debian has no python3-safetensors).
  safetensors_fixture.json         inputs and PyTorch's outputs; the same weights as Keras arrays (reset_after=True);
                                   and a Keras reset_after=False GRU (random arrays) with outputs computed here from
                                   Keras's equations, which no PyTorch module computes.

Checking what GruAnomaly exported (the Interop tests write it under the test output folder, Interop-exports/):
    /usr/bin/python3 make_safetensors_fixture.py --check PATH/pytorch.safetensors
loads the file into the same PyTorch module with load_state_dict(strict=True) and compares its outputs with the fixture.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

INPUT, HIDDEN, LAYERS, OUTPUTS, BATCH, STEPS = 3, 5, 2, 2, 3, 6
HERE = os.path.dirname(os.path.abspath(__file__))


class Forecaster(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(INPUT, HIDDEN, num_layers=LAYERS)  # time-major: (steps, batch, features)
        self.head = torch.nn.Linear(HIDDEN, OUTPUTS)

    def forward(self, x):
        states, _ = self.gru(x)
        return states, self.head(states[-1]), self.head(states)


def save_safetensors(path, tensors, metadata):
    """The format: u64 little-endian header length, JSON header, then the tensors' bytes in header order."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        array = tensors[name].detach().contiguous().to(torch.float32).numpy().astype("<f4")
        blob = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(len(text) + 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        begin, end = info["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, header.get("__metadata__", {})


def keras_blocks(rzn, axis):
    """PyTorch orders gate blocks r, z, n; Keras z, r, h."""
    r, z, n = np.split(rzn, 3, axis=axis)
    return np.concatenate([z, r, n], axis=axis)


def values(a):
    return np.asarray(a, dtype=np.float64).flatten().tolist()


def named(arrays):
    return {name: {"shape": list(a.shape), "values": values(a)} for name, a in arrays.items()}


def keras_classic_reference(rng, x):
    """A Keras GRU(reset_after=False) stack and Dense head, computed from Keras's equations in float64."""
    arrays, h_in, states = {}, x.astype(np.float64), None
    for k in range(LAYERS):
        name = "gru" if k == 0 else f"gru_{k}"
        width = INPUT if k == 0 else HIDDEN
        kernel = rng.uniform(-0.5, 0.5, (width, 3 * HIDDEN)).astype(np.float32)
        recurrent = rng.uniform(-0.5, 0.5, (HIDDEN, 3 * HIDDEN)).astype(np.float32)
        bias = rng.uniform(-0.3, 0.3, (3 * HIDDEN,)).astype(np.float32)
        arrays.update({f"{name}/kernel": kernel, f"{name}/recurrent_kernel": recurrent, f"{name}/bias": bias})
        K, U, b = kernel.astype(np.float64), recurrent.astype(np.float64), bias.astype(np.float64)
        h = np.zeros((BATCH, HIDDEN))
        outputs = []
        for t in range(STEPS):
            xz, xr, xh = np.split(h_in[t] @ K + b, 3, axis=1)
            z = 1 / (1 + np.exp(-(xz + h @ U[:, :HIDDEN])))
            r = 1 / (1 + np.exp(-(xr + h @ U[:, HIDDEN:2 * HIDDEN])))
            hh = np.tanh(xh + (r * h) @ U[:, 2 * HIDDEN:])
            h = z * h + (1 - z) * hh
            outputs.append(h)
        h_in = states = np.stack(outputs)
    dense_kernel = rng.uniform(-0.5, 0.5, (HIDDEN, OUTPUTS)).astype(np.float32)
    dense_bias = rng.uniform(-0.3, 0.3, (OUTPUTS,)).astype(np.float32)
    arrays.update({"dense/kernel": dense_kernel, "dense/bias": dense_bias})
    last = states[-1] @ dense_kernel.astype(np.float64) + dense_bias.astype(np.float64)
    return arrays, states, last


def write_fixture():
    torch.manual_seed(20261203)
    model = Forecaster()
    with torch.no_grad():
        # Non-zero biases everywhere, so that a bias put in the wrong place shows.
        for p in model.parameters():
            p.uniform_(-0.6, 0.6)
    x = torch.randn(STEPS, BATCH, INPUT)
    with torch.no_grad():
        states, last, every = model(x)

    state = model.state_dict()
    save_safetensors(os.path.join(HERE, "safetensors_fixture.safetensors"), state, {"format": "pt"})

    keras = {}
    for k in range(LAYERS):
        name = "gru" if k == 0 else f"gru_{k}"
        weight_ih, weight_hh = state[f"gru.weight_ih_l{k}"].numpy(), state[f"gru.weight_hh_l{k}"].numpy()
        bias_ih, bias_hh = state[f"gru.bias_ih_l{k}"].numpy(), state[f"gru.bias_hh_l{k}"].numpy()
        keras[f"{name}/kernel"] = keras_blocks(weight_ih.T, axis=1)
        keras[f"{name}/recurrent_kernel"] = keras_blocks(weight_hh.T, axis=1)
        keras[f"{name}/bias"] = np.stack([keras_blocks(bias_ih, 0), keras_blocks(bias_hh, 0)])
    keras["dense/kernel"] = state["head.weight"].numpy().T
    keras["dense/bias"] = state["head.bias"].numpy()

    classic, classic_states, classic_last = keras_classic_reference(np.random.default_rng(20261203), x.numpy())

    fixture = {
        "description": "nn.GRU(3, 5, num_layers=2) as `gru` + nn.Linear(5, 2) as `head`; time-major; tensors row-major",
        "torch_version": torch.__version__,
        "input_size": INPUT, "hidden_size": HIDDEN, "num_layers": LAYERS, "outputs": OUTPUTS,
        "batch": BATCH, "steps": STEPS,
        "input": values(x),
        "states": values(states), "output_last_step": values(last), "output_every_step": values(every),
        "keras_reset_after": named(keras),
        "keras_reset_before": named(classic),
        "keras_reset_before_states": values(classic_states),
        "keras_reset_before_output_last_step": values(classic_last),
    }
    path = os.path.join(HERE, "safetensors_fixture.json")
    with open(path, "w", encoding="ascii") as f:
        json.dump(fixture, f, indent=1)
    print(f"wrote {path} and safetensors_fixture.safetensors (torch {torch.__version__})")


def check(path):
    with open(os.path.join(HERE, "safetensors_fixture.json"), encoding="ascii") as f:
        fixture = json.load(f)
    tensors, metadata = load_safetensors(path)
    model = Forecaster()
    model.load_state_dict(tensors, strict=True)
    x = torch.tensor(fixture["input"], dtype=torch.float32).reshape(STEPS, BATCH, INPUT)
    with torch.no_grad():
        _, last, _ = model(x)
    expected = torch.tensor(fixture["output_last_step"], dtype=torch.float32).reshape(BATCH, OUTPUTS)
    worst = (last - expected).abs().max().item()
    print(f"{path}: metadata {metadata}, {len(tensors)} tensors loaded strictly; worst |output - fixture| {worst:.2e}")
    return 0 if worst <= 1e-5 else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2]))
    write_fixture()
