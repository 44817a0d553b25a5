#!/usr/bin/env python3
"""Prints the PyTorch reference numbers hard-coded in tests/GruAnomaly.Tests/Training/TorchReferenceTests.cs.

Run with any PyTorch (the committed numbers came from Debian's python3-torch 1.13, CPU, float32):

    python3 tests/GruAnomaly.Tests/Fixtures/make_optimizer_reference.py

Each optimizer case starts from the same float32 parameter vector, takes three steps with fixed gradients and a
learning rate that changes every step (as a schedule would set it), and prints the parameters after every step.
The schedule cases print the learning rate after each completed epoch.
"""
import math

import torch

PARAMETERS = [0.5, -1.25, 2.0, 0.0]
GRADIENTS = [
    [0.25, -0.5, 1.5, 0.0],
    [-0.125, 0.75, 1.0, 0.0625],
    [0.5, 0.25, -2.0, -0.03125],
]
LEARNING_RATES = [0.1, 0.05, 0.025]

OPTIMIZER_CASES = {
    "SgdPlain": lambda p: torch.optim.SGD([p], lr=LEARNING_RATES[0]),
    "SgdMomentum": lambda p: torch.optim.SGD([p], lr=LEARNING_RATES[0], momentum=0.9),
    "SgdNesterov": lambda p: torch.optim.SGD([p], lr=LEARNING_RATES[0], momentum=0.9, nesterov=True),
    "SgdMomentumWeightDecay": lambda p: torch.optim.SGD([p], lr=LEARNING_RATES[0], momentum=0.9, weight_decay=0.01),
    "Adam": lambda p: torch.optim.Adam([p], lr=LEARNING_RATES[0]),
    "AdamWeightDecay": lambda p: torch.optim.Adam([p], lr=LEARNING_RATES[0], betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    "AdamW": lambda p: torch.optim.AdamW([p], lr=LEARNING_RATES[0]),
    "AdamWStrongDecay": lambda p: torch.optim.AdamW([p], lr=LEARNING_RATES[0], betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
}


def csharp_floats(values):
    # repr of a Python float holding a float32 value is exact; 9 significant digits always round-trip float32.
    return ", ".join("%.9gf" % v for v in values)


def run_optimizer(make):
    parameter = torch.tensor(PARAMETERS, dtype=torch.float32, requires_grad=True)
    optimizer = make(parameter)
    after_each_step = []
    for gradient, learning_rate in zip(GRADIENTS, LEARNING_RATES):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate
        parameter.grad = torch.tensor(gradient, dtype=torch.float32)
        optimizer.step()
        after_each_step.append(parameter.detach().clone().tolist())
    return after_each_step


def schedule_rates(make_scheduler, epochs, losses=None):
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=1.0)
    scheduler = make_scheduler(optimizer)
    rates = [optimizer.param_groups[0]["lr"]]
    for epoch in range(epochs):
        optimizer.step()
        if losses is None:
            scheduler.step()
        else:
            scheduler.step(losses[epoch])
        rates.append(optimizer.param_groups[0]["lr"])
    return rates


def main():
    print("// torch", torch.__version__)
    for name, make in OPTIMIZER_CASES.items():
        print("[\"%s\"] =" % name)
        for step, values in enumerate(run_optimizer(make), start=1):
            print("    step %d: [%s]" % (step, csharp_floats(values)))

    plateau_losses = [1.0, 0.9, 0.95, 0.92, 0.91, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.5, 0.6]
    print("// initial learning rate 1.0; entry e is the rate after e completed epochs")
    print("StepLR(step_size=2, gamma=0.5):", schedule_rates(
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 7))
    print("CosineAnnealingLR(T_max=4, eta_min=0.1):", schedule_rates(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.1), 4))
    print("ReduceLROnPlateau(factor=0.5, patience=1, threshold=0.05, cooldown=2, min_lr=0.2) on", plateau_losses, ":",
          schedule_rates(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(
              o, mode="min", factor=0.5, patience=1, threshold=0.05, threshold_mode="rel", cooldown=2, min_lr=0.2),
              len(plateau_losses), plateau_losses))
    print("cos check:", [0.1 + 0.9 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(5)])


if __name__ == "__main__":
    main()
