#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Draws the training loss (loss.csv: step, images, mean loss) as a PNG with
PIL alone: log-scale loss against images seen."""
import argparse
import math

from PIL import Image, ImageDraw


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default="/work/cache/ckpt/loss.csv")
    ap.add_argument("--out", default="/work/cache/loss.png")
    args = ap.parse_args()
    rows = [tuple(map(float, line.split(","))) for line in open(args.csv) if line.strip()]
    images = [r[1] for r in rows]
    losses = [math.log10(r[2]) for r in rows]
    w, h, m = 800, 400, 50
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    lo, hi = min(losses), max(losses)
    xmax = max(images)
    pts = [(m + (x / xmax) * (w - 2 * m), h - m - (y - lo) / (hi - lo + 1e-9) * (h - 2 * m)) for x, y in zip(images, losses)]
    d.line([(m, m), (m, h - m), (w - m, h - m)], fill="black")
    d.line(pts, fill="#c01c28", width=2)
    d.text((m, 10), f"training loss (log10), {rows[-1][2]:.4f} after {int(xmax)} images", fill="black")
    d.text((m - 45, m), f"{10 ** hi:.3f}", fill="black")
    d.text((m - 45, h - m - 10), f"{10 ** lo:.3f}", fill="black")
    d.text((w - m - 60, h - m + 10), f"{int(xmax)} images", fill="black")
    img.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
