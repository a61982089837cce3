#!/usr/bin/env python3
"""Draws the extension's icon, icon.png (128x128 RGBA), with the standard
library only: a white shield with a keyhole on a blue rounded square.

    python3 wasm/vscode/icon.py [OUT]   (default: icon.png beside this file)

Each pixel is the average of 4x4 samples, for smooth edges.
"""
import math
import struct
import sys
import zlib
from pathlib import Path

SIZE = 128
SAMPLES = 4
BLUE = (0, 95, 184)
DARK = (0, 60, 120)
WHITE = (255, 255, 255)


def in_rounded_square(x, y):
    r, lo, hi = 22.0, 2.0, SIZE - 2.0
    if not (lo <= x <= hi and lo <= y <= hi):
        return False
    cx = min(max(x, lo + r), hi - r)
    cy = min(max(y, lo + r), hi - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def in_shield(x, y, inset=0.0):
    """A shield: flat top with rounded corners, sides curving to a point."""
    top, bottom, half = 22.0 + inset, 110.0 - inset * 1.4, 38.0 - inset
    cx = SIZE / 2
    if y < top or y > bottom:
        return False
    t = (y - top) / (bottom - top)  # 0 at the top, 1 at the point
    # Full width for the upper part, then a curve down to the point.
    w = half if t < 0.45 else half * math.cos((t - 0.45) / 0.55 * math.pi / 2)
    return abs(x - cx) <= w


def in_keyhole(x, y):
    cx = SIZE / 2
    if (x - cx) ** 2 + (y - 56.0) ** 2 <= 11.0 ** 2:
        return True
    if 56.0 <= y <= 84.0:
        half = 4.5 + (y - 56.0) * 0.16
        return abs(x - cx) <= half
    return False


def color(x, y):
    if not in_rounded_square(x, y):
        return None
    if in_shield(x, y):
        if in_keyhole(x, y):
            return DARK
        return WHITE
    return BLUE


def render():
    rows = []
    for py in range(SIZE):
        row = bytearray([0])  # filter type 0
        for px in range(SIZE):
            acc = [0, 0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    c = color(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 1
            n = acc[3]
            if n:
                row += bytes([acc[0] // n, acc[1] // n, acc[2] // n, 255 * n // (SAMPLES * SAMPLES)])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return b"".join(rows)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(pixels):
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("icon.png")
    out.write_bytes(png(render()))
    print(f"{out}: {out.stat().st_size} bytes")
