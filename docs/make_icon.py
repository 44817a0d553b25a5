#!/usr/bin/env python3
"""Draws the NuGet package icon (docs/icon.png): a calm series with one anomalous spike.

Standard library only, so it runs anywhere: python3 docs/make_icon.py
"""
import math
import struct
import zlib
from pathlib import Path

SIZE = 128          # NuGet shows icons at up to 128x128
SCALE = 4           # supersampling factor for smooth edges
BACKGROUND = (24, 52, 96)
LINE = (236, 242, 250)
ANOMALY = (244, 80, 64)


def series_points():
    """A noisy-looking sine across the icon, with a spike two thirds of the way."""
    points = []
    for i in range(41):
        x = 14 + i * (100 / 40)
        y = 70 - 16 * math.sin(i / 40 * 3 * math.pi) - 4 * math.sin(i * 1.7)
        points.append((x, y))
    spike = 27
    x, _ = points[spike]
    points[spike] = (x, 22)
    return points, spike


def distance_to_segment(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    cx, cy = ax + t * dx, ay + t * dy
    return math.hypot(px - cx, py - cy)


def inside_rounded_square(x, y, radius=22):
    cx = min(max(x, radius), SIZE - radius)
    cy = min(max(y, radius), SIZE - radius)
    return math.hypot(x - cx, y - cy) <= radius


def colour_at(x, y, segments, spike_point):
    """RGBA of one supersample at icon coordinates (x, y)."""
    if not inside_rounded_square(x, y):
        return (0, 0, 0, 0)
    sx, sy = spike_point
    if math.hypot(x - sx, y - sy) <= 7:
        return ANOMALY + (255,)
    for (ax, ay, bx, by, colour) in segments:
        if min(ax, bx) - 3 <= x <= max(ax, bx) + 3 and distance_to_segment(x, y, ax, ay, bx, by) <= 2.6:
            return colour + (255,)
    return BACKGROUND + (255,)


def render():
    points, spike = series_points()
    segments = []
    for i in range(len(points) - 1):
        colour = ANOMALY if i in (spike - 1, spike) else LINE
        segments.append(points[i] + points[i + 1] + (colour,))
    rows = []
    for py in range(SIZE):
        row = bytearray([0])  # PNG filter type: none
        for px in range(SIZE):
            total = [0, 0, 0, 0]
            for j in range(SCALE):
                for i in range(SCALE):
                    r, g, b, a = colour_at(px + (i + 0.5) / SCALE, py + (j + 0.5) / SCALE, segments, points[spike])
                    total[0] += r * a
                    total[1] += g * a
                    total[2] += b * a
                    total[3] += a
            alpha = total[3] / (SCALE * SCALE)
            rgb = [round(c / total[3]) if total[3] else 0 for c in total[:3]]
            row += bytes(rgb + [round(alpha)])
        rows.append(bytes(row))
    return b"".join(rows)


def png(width, height, raw_rgba):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw_rgba, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    target = Path(__file__).with_name("icon.png")
    target.write_bytes(png(SIZE, SIZE, render()))
    print(f"wrote {target.name} ({target.stat().st_size} bytes)")
