#!/usr/bin/env python3
"""Writes pytorch_grud_fixture.json: a reference forward and backward pass of GRU-D (Che et al., 2018).

Run with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 make_pytorch_grud_fixture.py
CI does not need PyTorch; the JSON it writes is committed beside this script.

GRU-D is written here in a few lines with autograd, in GruDCell's parameter layout (row-major, inputs times weights):
    gx = exp(-relu(wgx * delta + bgx));  xh = m*x + (1-m)*(gx*x_last + (1-gx)*mean)
    gh = exp(-relu(delta @ Wgh + bgh));  hh = gh * h
    r, z = sigmoid([xh, m] @ W[:, :2H] + hh @ U[:, :2H] + b[:2H])
    n = tanh([xh, m] @ W[:, 2H:] + (r*hh) @ U[:, 2H:] + b[2H:]);  h = (1-z)*n + z*hh
The input row is [x | m | delta | x_last]. Loss: sum(outputs * output_weights) + sum(h_T * final_state_weights).
The masks hold an always-observed sequence, an always-missing one and gaps of 1 to 4 steps; delta follows the paper's
recurrence over irregular time stamps (delta_0 = 0; delta_t = s_t - s_{t-1} + (delta_{t-1} if m_{t-1} = 0 else 0)).
"""
import json
import os

import torch

D, H, BATCH, STEPS = 3, 4, 4, 9

torch.manual_seed(20261202)
wgx = torch.rand(D) * 0.8
bgx = torch.randn(D) * 0.5
Wgh = torch.rand(D, H) * 0.5
bgh = torch.randn(H) * 0.5
W = torch.randn(2 * D, 3 * H) * 0.4
U = torch.randn(H, 3 * H) * 0.4
b = torch.randn(3 * H) * 0.2
mean = torch.tensor([0.3, -0.2, 0.1])
params = [wgx, bgx, Wgh, bgh, W, U, b]
for p in params:
    p.requires_grad_()

# Masks, sequence by sequence (time x feature): all observed; all missing; gaps of several lengths; a mix.
mask = torch.ones(STEPS, BATCH, D)
mask[:, 1, :] = 0
gaps = {0: [1, 3, 4, 6, 7, 8], 1: [2, 3, 4, 5], 2: [0, 1, 5]}
for f, steps in gaps.items():
    mask[steps, 2, f] = 0
mask[:, 3, :] = (torch.rand(STEPS, D) > 0.4).float()
stamps = torch.cumsum(torch.tensor([0.0, 1.0, 0.5, 2.0, 1.0, 1.0, 3.0, 0.5, 1.0]), 0)

x = torch.randn(STEPS, BATCH, D)
delta = torch.zeros(STEPS, BATCH, D)
x_last = torch.zeros(STEPS, BATCH, D)
last = torch.randn(BATCH, D)  # the value carried into the first step (observed before the sequence)
for t in range(STEPS):
    if t > 0:
        delta[t] = (stamps[t] - stamps[t - 1]) + (1 - mask[t - 1]) * delta[t - 1]
    last = torch.where(mask[t] > 0, x[t], last)
    x_last[t] = last
inputs = torch.cat([x, mask, delta, x_last], dim=2).requires_grad_()
h0 = (0.5 * torch.randn(BATCH, H)).requires_grad_()
output_weights = torch.randn(STEPS, BATCH, H)
final_state_weights = torch.randn(BATCH, H)

h = h0
outputs = []
for t in range(STEPS):
    xt, mt, dt, lt = inputs[t].split(D, dim=1)
    gx = torch.exp(-torch.relu(wgx * dt + bgx))
    xh = mt * xt + (1 - mt) * (gx * lt + (1 - gx) * mean)
    gh = torch.exp(-torch.relu(dt @ Wgh + bgh))
    hh = gh * h
    a = torch.cat([xh, mt], dim=1) @ W + b
    rz = torch.sigmoid(a[:, :2 * H] + hh @ U[:, :2 * H])
    r, z = rz[:, :H], rz[:, H:]
    n = torch.tanh(a[:, 2 * H:] + (r * hh) @ U[:, 2 * H:])
    h = (1 - z) * n + z * hh
    outputs.append(h)
output = torch.stack(outputs)
loss = (output * output_weights).sum() + (h * final_state_weights).sum()
loss.backward()


def values(t):
    return t.detach().double().flatten().tolist()


names = ["input_decay_weights", "input_decay_bias", "state_decay_weights", "state_decay_bias",
         "input_weights", "recurrent_weights", "bias"]
fixture = {
    "description": "GRU-D reference in GruDCell's layout; tensors flattened row-major; gate order r, z, n; input [x|m|delta|x_last]",
    "torch_version": torch.__version__,
    "features": D, "hidden_size": H, "batch": BATCH, "steps": STEPS, "means": values(mean),
    "parameters": {n: values(p) for n, p in zip(names, params)},
    "input": values(inputs), "initial_state": values(h0),
    "output_weights": values(output_weights), "final_state_weights": values(final_state_weights),
    "output": values(output), "final_state": values(h), "loss": loss.item(),
    "gradients": {
        "parameters": {n: values(p.grad) for n, p in zip(names, params)},
        "input": values(inputs.grad), "initial_state": values(h0.grad),
    },
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_grud_fixture.json")
with open(path, "w", encoding="ascii") as f:
    json.dump(fixture, f, indent=1)
print(f"wrote {path}: loss {loss.item():.6f}")
