#!/usr/bin/env python3
"""Writes fixtures/camera.y4m: one 480x360 frame of a made-up identity card on a grainy desk,
for Chromium's fake camera (--use-file-for-fake-video-capture). Deterministic; no libraries.
The grain keeps a JPEG of the frame above the server's 34 KB floor for uploads."""
import os
import random

W, H = 480, 360
rng = random.Random(7)


def clamp(v):
    return max(0, min(255, int(v)))


def pixel(x, y):
    # Desk: a blue-grey gradient.
    r, g, b = 70 + y // 8, 86 + y // 8, 110 + x // 12
    # Card with rounded-ish corners.
    cx0, cy0, cx1, cy1 = 60, 60, 420, 300
    inside = cx0 <= x < cx1 and cy0 <= y < cy1
    corner = min(abs(x - cx0), abs(x - cx1)) < 12 and min(abs(y - cy0), abs(y - cy1)) < 12
    if inside and not corner:
        r, g, b = 236, 232, 220
        if cy0 <= y < cy0 + 34:  # header band
            r, g, b = 40, 90, 160
        elif 90 <= x < 190 and 110 <= y < 240:  # photo box
            r, g, b = 150, 130, 115
            if (x - 140) ** 2 + (y - 160) ** 2 < 26 ** 2:  # face
                r, g, b = 205, 170, 140
        elif 205 <= x < 400 and any(y0 <= y < y0 + 9 for y0 in (115, 140, 165, 190, 215)):
            if (x - 205) < 60 + (y * 7) % 120:  # text lines of varying length
                r, g, b = 50, 50, 60
        elif 75 <= x < 405 and 255 <= y < 285 and (x // 6 + y // 10) % 3:  # MRZ-like band
            r, g, b = 30, 30, 30
    n = rng.randint(-14, 14)
    return clamp(r + n), clamp(g + n), clamp(b + n)


rows = [[pixel(x, y) for x in range(W)] for y in range(H)]
Y = bytearray()
U = bytearray()
V = bytearray()
for y in range(H):
    for x in range(W):
        r, g, b = rows[y][x]
        Y.append(clamp(0.299 * r + 0.587 * g + 0.114 * b))
for y in range(0, H, 2):
    for x in range(0, W, 2):
        px = [rows[y + dy][x + dx] for dy in (0, 1) for dx in (0, 1)]
        r = sum(p[0] for p in px) / 4
        g = sum(p[1] for p in px) / 4
        b = sum(p[2] for p in px) / 4
        U.append(clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b))
        V.append(clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "camera.y4m")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "wb") as f:
    f.write(f"YUV4MPEG2 W{W} H{H} F30:1 Ip A1:1 C420jpeg\n".encode())
    f.write(b"FRAME\n" + bytes(Y) + bytes(U) + bytes(V))
print(out)
