#!/usr/bin/env python3
"""Writes pytorch_conv_fixture.json: a reference forward and backward pass of a causal torch.nn.Conv1d below torch.nn.GRU.

Run with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 make_pytorch_conv_fixture.py
CI does not need PyTorch; the JSON it writes is committed beside this script.

The convolution is causal the usual PyTorch way: Conv1d(padding=(K-1)*d) and its output trimmed to the first T steps,
so step t reads x[t-(K-1)*d], ..., x[t] with zeros before the start. Its T channels feed a one-layer GRU.
Loss: sum(output * output_weights) + sum(h_n * final_state_weights).

The zeros before the start are what the convolution cell's initial state carries; to check the gradient that reaches
them, the same convolution is also run without padding on [zeros | x] with the zeros a leaf tensor (its outputs are
asserted equal), and the zeros' gradient is written as "initial_history".
"""
import json
import os

import torch

INPUT, CHANNELS, KERNEL, DILATION, HIDDEN, BATCH, STEPS = 3, 4, 3, 2, 5, 4, 9
PAD = (KERNEL - 1) * DILATION

torch.manual_seed(20261202)
conv = torch.nn.Conv1d(INPUT, CHANNELS, KERNEL, dilation=DILATION, padding=PAD)
gru = torch.nn.GRU(CHANNELS, HIDDEN)  # time-major: (steps, batch, features)
x = torch.randn(STEPS, BATCH, INPUT, requires_grad=True)
h0 = (0.5 * torch.randn(1, BATCH, HIDDEN)).requires_grad_()
output_weights = torch.randn(STEPS, BATCH, HIDDEN)
final_state_weights = torch.randn(1, BATCH, HIDDEN)


def forward(channels):
    """channels: (batch, CHANNELS, STEPS) -> GRU output and h_n under the fixed loss."""
    output, h_n = gru(channels.permute(2, 0, 1), h0)
    return output, h_n, (output * output_weights).sum() + (h_n * final_state_weights).sum()


# Conv1d wants (batch, features, steps); x is time-major like the network's inputs.
features = conv(x.permute(1, 2, 0))[:, :, :STEPS]
output, h_n, loss = forward(features)
loss.backward()


def values(t):
    return t.detach().double().flatten().tolist()


def gru_layer(grad):
    names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    return {n: values(getattr(gru, f"{n}_l0").grad if grad else getattr(gru, f"{n}_l0")) for n in names}


# Read before the second pass below adds to the GRU's and h0's gradients.
gradients = {
    "conv": {"weight": values(conv.weight.grad), "bias": values(conv.bias.grad)},
    "gru": gru_layer(grad=True),
    "input": values(x.grad), "initial_state": values(h0.grad),
}

# The same network with the padding as a leaf, for the gradient of the carried (zero) history.
history = torch.zeros(BATCH, INPUT, PAD, requires_grad=True)
explicit = torch.nn.functional.conv1d(torch.cat([history, x.detach().permute(1, 2, 0)], dim=2), conv.weight.detach(),
                                      conv.bias.detach(), dilation=DILATION)
assert torch.allclose(explicit, features.detach(), rtol=0, atol=1e-6), "explicit padding disagrees with Conv1d's"
_, _, explicit_loss = forward(explicit)
explicit_loss.backward()
gradients["initial_history"] = values(history.grad)

fixture = {
    "description": "causal torch.nn.Conv1d (padding (K-1)*d, trimmed to T) then torch.nn.GRU; tensors flattened "
                   "row-major; time-major input (steps, batch, input); conv weight (channels, input, kernel); "
                   "initial_history (batch, input, (K-1)*d), oldest step first",
    "torch_version": torch.__version__,
    "input_size": INPUT, "channels": CHANNELS, "kernel_size": KERNEL, "dilation": DILATION,
    "hidden_size": HIDDEN, "batch": BATCH, "steps": STEPS,
    "conv": {"weight": values(conv.weight), "bias": values(conv.bias)},
    "gru": gru_layer(grad=False),
    "input": values(x), "initial_state": values(h0),
    "output_weights": values(output_weights), "final_state_weights": values(final_state_weights),
    "features": values(features.permute(2, 0, 1)),
    "output": values(output), "final_state": values(h_n), "loss": loss.item(),
    "gradients": gradients,
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_conv_fixture.json")
with open(path, "w", encoding="ascii") as f:
    json.dump(fixture, f, indent=1)
print(f"wrote {path}: loss {loss.item():.6f}")
