#!/usr/bin/env python3
"""Draws Rota's tray icons: an outlined glyph that reads on light and dark panels alike (its colours
are mid-tones with at least 3:1 contrast against both a light #f6f5f4 and a dark #303030 panel,
and a dark outline), and tells the states apart by shape as well as colour (on duty: a filled dot;
off duty: the ring alone; attention: an exclamation mark). Pure Python; writes 64x64 RGBA PNGs
into icons/."""
import math, struct, sys, zlib

SIZE, SS = 64, 4
DARK, RING = (27, 27, 27), (74, 144, 217)
GREEN, ORANGE = (42, 157, 74), (232, 89, 12)

def ring(r_in, r_out):
    return lambda x, y: r_in <= math.hypot(x - 32, y - 32) <= r_out

def disc(cx, cy, r):
    return lambda x, y: math.hypot(x - cx, y - cy) <= r

def rect(x0, y0, x1, y1):
    return lambda x, y: x0 <= x <= x1 and y0 <= y <= y1

def layers(state):
    out = [(DARK, ring(19, 29.5)), (RING, ring(20.5, 28))]
    if state == "on-duty":
        out += [(DARK, disc(32, 32, 12)), (GREEN, disc(32, 32, 10.5))]
    if state == "attention":
        out += [(DARK, rect(27, 12.5, 37, 37.5)), (ORANGE, rect(29.5, 15, 34.5, 35)),
                (DARK, disc(32, 45, 5.5)), (ORANGE, disc(32, 45, 3))]
    return out

def render(state):
    rows = []
    for py in range(SIZE):
        row = bytearray([0])
        for px in range(SIZE):
            r = g = b = a = 0.0
            for sy in range(SS):
                for sx in range(SS):
                    x, y = px + (sx + 0.5) / SS, py + (sy + 0.5) / SS
                    colour = None
                    for c, inside in layers(state):
                        if inside(x, y):
                            colour = c
                    if colour:
                        r += colour[0]; g += colour[1]; b += colour[2]; a += 1
            n = SS * SS
            row += bytes([round(r / a) if a else 0, round(g / a) if a else 0, round(b / a) if a else 0, round(255 * a / n)])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")

if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else str(__import__("pathlib").Path(__file__).parents[1] / "icons")
    for state in ("on-duty", "off-duty", "attention"):
        with open(f"{folder}/tray-{state}.png", "wb") as f:
            f.write(render(state))
