"""Writes train.csv and test.csv of the README's command-line transcript into the current folder: a daily sine (period
24) with Gaussian noise, 5000 points each, and in test.csv spikes at rows 1000 (+4) and 3000-3001 (+3). Standard
library only: python3 docs/make-cli-example.py"""
import math
import random

random.seed(1)


def write(name, start, spikes):
    with open(name, "w") as f:
        f.write("value\n")
        for row in range(5000):
            t = start + row
            value = math.sin(2 * math.pi * t / 24) + random.gauss(0, 0.1) + spikes.get(row, 0)
            f.write(f"{value:.4f}\n")


write("train.csv", 0, {})
write("test.csv", 5000, {1000: 4.0, 3000: 3.0, 3001: 3.0})
