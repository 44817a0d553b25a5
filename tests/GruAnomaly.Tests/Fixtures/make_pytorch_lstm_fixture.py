#!/usr/bin/env python3
"""Writes pytorch_lstm_fixture.json: a reference forward and backward pass of torch.nn.LSTM.

Run with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 make_pytorch_lstm_fixture.py
CI does not need PyTorch; the JSON it writes is committed beside this script.

Loss: sum(output * output_weights) + sum(h_n * final_h_weights) + sum(c_n * final_c_weights), so the gradients that
reach the network are fixed random weight tensors, which exercises every output and both parts of every final state.
"""
import json
import os

import torch

INPUT, HIDDEN, LAYERS, BATCH, STEPS = 3, 5, 2, 4, 7

torch.manual_seed(20261202)
lstm = torch.nn.LSTM(INPUT, HIDDEN, num_layers=LAYERS)  # time-major: (steps, batch, features)
# Forget gates near 1 (bias +2, as a trained LSTM that remembers) and inputs of scale 2 let c build up past 1 over the
# steps, the range where an LSTM's state differs from a GRU's.
with torch.no_grad():
    for k in range(LAYERS):
        getattr(lstm, f"bias_ih_l{k}")[HIDDEN:2 * HIDDEN] += 2.0
x = (2.0 * torch.randn(STEPS, BATCH, INPUT)).requires_grad_()
h0 = (0.5 * torch.randn(LAYERS, BATCH, HIDDEN)).requires_grad_()
# c is not bounded by 1: start some cells beyond it so the test reaches that range too.
c0 = (1.5 * torch.randn(LAYERS, BATCH, HIDDEN)).requires_grad_()
output_weights = torch.randn(STEPS, BATCH, HIDDEN)
final_h_weights = torch.randn(LAYERS, BATCH, HIDDEN)
final_c_weights = torch.randn(LAYERS, BATCH, HIDDEN)

output, (h_n, c_n) = lstm(x, (h0, c0))
loss = (output * output_weights).sum() + (h_n * final_h_weights).sum() + (c_n * final_c_weights).sum()
loss.backward()


def values(t):
    return t.detach().double().flatten().tolist()


def layer(index, grad):
    names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    tensors = {n: getattr(lstm, f"{n}_l{index}") for n in names}
    return {n: values(t.grad if grad else t) for n, t in tensors.items()}


fixture = {
    "description": "torch.nn.LSTM reference; tensors flattened row-major; gate order i, f, g, o",
    "torch_version": torch.__version__,
    "input_size": INPUT, "hidden_size": HIDDEN, "num_layers": LAYERS, "batch": BATCH, "steps": STEPS,
    "layers": [layer(i, grad=False) for i in range(LAYERS)],
    "input": values(x), "initial_h": values(h0), "initial_c": values(c0),
    "output_weights": values(output_weights),
    "final_h_weights": values(final_h_weights), "final_c_weights": values(final_c_weights),
    "output": values(output), "final_h": values(h_n), "final_c": values(c_n), "loss": loss.item(),
    "gradients": {
        "layers": [layer(i, grad=True) for i in range(LAYERS)],
        "input": values(x.grad), "initial_h": values(h0.grad), "initial_c": values(c0.grad),
    },
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_lstm_fixture.json")
with open(path, "w", encoding="ascii") as f:
    json.dump(fixture, f, indent=1)
print(f"wrote {path}: loss {loss.item():.6f}")
