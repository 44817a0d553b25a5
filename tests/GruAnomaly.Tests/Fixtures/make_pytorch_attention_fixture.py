#!/usr/bin/env python3
"""Writes pytorch_attention_fixture.json: a reference forward and backward pass of a GRU forecaster whose head reads
additive attention pooling over every step's top-layer output instead of the last step's.

Run with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 make_pytorch_attention_fixture.py
CI does not need PyTorch; the JSON it writes is committed beside this script.
Parameters and inputs are drawn as float32 and the pass is computed in float64.

Model: output, _ = GRU(x, h0); u = tanh(attention(output)); e = u @ score; alpha = softmax(e over steps);
context = sum_t alpha_t * output_t; y = head(context).
Loss: sum(y * output_weights), so the gradient reaching the head is a fixed random tensor.
"""
import json
import os

import torch

INPUT, HIDDEN, LAYERS, BATCH, STEPS, ATTENTION, OUTPUT = 3, 5, 2, 4, 7, 6, 2

torch.manual_seed(20261202)
gru = torch.nn.GRU(INPUT, HIDDEN, num_layers=LAYERS)  # time-major: (steps, batch, features)
attention = torch.nn.Linear(HIDDEN, ATTENTION)
with torch.no_grad():
    attention.bias.uniform_(-0.5, 0.5)  # nonzero, so the bias's gradient is checked at a general point
score = torch.nn.Parameter(torch.randn(ATTENTION))
head = torch.nn.Linear(HIDDEN, OUTPUT)
x = torch.randn(STEPS, BATCH, INPUT)
h0 = 0.5 * torch.randn(LAYERS, BATCH, HIDDEN)
output_weights = torch.randn(BATCH, OUTPUT)

# Drawn in float32 (the values the C# side reads exactly), computed in float64: the reference then carries no float32
# rounding of its own, and the test measures only the library's.
for module in (gru, attention, head):
    module.double()
score = torch.nn.Parameter(score.detach().double())
x = x.double().requires_grad_()
h0 = h0.double().requires_grad_()
output_weights = output_weights.double()

output, _ = gru(x, h0)
e = torch.tanh(attention(output)) @ score           # (steps, batch)
alpha = torch.softmax(e, dim=0)                     # over the steps of each sequence
context = (alpha.unsqueeze(-1) * output).sum(dim=0)  # (batch, hidden)
y = head(context)
loss = (y * output_weights).sum()
loss.backward()


def values(t):
    return t.detach().double().flatten().tolist()


def layer(index, grad):
    names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    tensors = {n: getattr(gru, f"{n}_l{index}") for n in names}
    return {n: values(t.grad if grad else t) for n, t in tensors.items()}


def pooling(grad):
    tensors = {"weight": attention.weight, "bias": attention.bias, "score": score,
               "head_weight": head.weight, "head_bias": head.bias}
    return {n: values(t.grad if grad else t) for n, t in tensors.items()}


fixture = {
    "description": "torch.nn.GRU + additive attention pooling + torch.nn.Linear head; tensors flattened row-major; "
                   "gate order r, z, n; attention weight is nn.Linear's (attention x hidden)",
    "torch_version": torch.__version__,
    "input_size": INPUT, "hidden_size": HIDDEN, "num_layers": LAYERS, "batch": BATCH, "steps": STEPS,
    "attention_size": ATTENTION, "output_size": OUTPUT,
    "layers": [layer(i, grad=False) for i in range(LAYERS)],
    "pooling": pooling(grad=False),
    "input": values(x), "initial_state": values(h0), "output_weights": values(output_weights),
    "attention_weights": values(alpha), "output": values(y), "loss": loss.item(),
    "gradients": {
        "layers": [layer(i, grad=True) for i in range(LAYERS)],
        "pooling": pooling(grad=True),
        "input": values(x.grad), "initial_state": values(h0.grad),
    },
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_attention_fixture.json")
with open(path, "w", encoding="ascii") as f:
    json.dump(fixture, f, indent=1)
print(f"wrote {path}: loss {loss.item():.6f}")
