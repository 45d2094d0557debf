#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's bicubic-vs-ESRGAN pictures, made with genstudio-cli:

    tools/esrgan/make_pictures.py [--cli build/app/cli/genstudio-cli]

data/screenshots/upscale-photo.png: FallenLeaf (Martin Klapetek, LGPL-3,
plasma-workspace-wallpapers) made 512² as bench upscale makes its photos
(short side to 512 by GdkPixbuf HYPER, centre crop); a 288² crop of it
box-downscaled ×4 to 72², rounded to 8 bits, then bicubic ×4, ESRGAN-slim ×4
and the original crop.
data/screenshots/upscale-red-apple.png: the default model's "red apple",
seed 42 (32², shown nearest ×4), bicubic ×4 and ESRGAN-slim ×4.
"""
import argparse
import os
import subprocess
import tempfile

import gi
import numpy as np
from PIL import Image

gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PHOTO = "/usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg"
CROP = (200, 120, 288)   # x, y, side in the 512² image: the leaf
GAP = 4


def photo_512():
    full = GdkPixbuf.Pixbuf.new_from_file(PHOTO)
    w, h = full.get_width(), full.get_height()
    s = 512 / min(w, h)
    sw, sh = max(512, round(w * s)), max(512, round(h * s))
    small = full.scale_simple(sw, sh, GdkPixbuf.InterpType.HYPER)
    n, stride = small.get_n_channels(), small.get_rowstride()
    px = np.frombuffer(small.read_pixel_bytes().get_data(), np.uint8)
    rows = np.stack([px[y * stride:y * stride + sw * n].reshape(sw, n)[:, :3] for y in range(sh)])
    x0, y0 = (sw - 512) // 2, (sh - 512) // 2
    return rows[y0:y0 + 512, x0:x0 + 512]


def upscale(cli, src, model, dst):
    env = dict(os.environ)
    env.setdefault("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json")
    subprocess.run([cli, "upscale", "--scale", "4", "--model", model, src, "-o", dst], check=True, env=env,
                   capture_output=True)
    return np.asarray(Image.open(dst).convert("RGB"))


def side_by_side(panels, zoom):
    big = [np.asarray(Image.fromarray(p).resize((p.shape[1] * zoom, p.shape[0] * zoom), Image.NEAREST))
           for p in panels]
    h = big[0].shape[0]
    out = np.full((h, sum(b.shape[1] for b in big) + GAP * (len(big) - 1), 3), 255, np.uint8)
    x = 0
    for b in big:
        out[:, x:x + b.shape[1]] = b
        x += b.shape[1] + GAP
    return Image.fromarray(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "genstudio-cli"))
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "screenshots"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="esrgan-pictures-") as work:
        x, y, side = CROP
        crop = photo_512()[y:y + side, x:x + side]
        small = np.round(crop.reshape(side // 4, 4, side // 4, 4, 3).astype(np.float64).mean(axis=(1, 3)))
        src = os.path.join(work, "small.png")
        Image.fromarray(small.astype(np.uint8)).save(src)
        panels = [upscale(args.cli, src, m, os.path.join(work, f"{m}.png")) for m in ("bicubic", "slim")]
        side_by_side(panels + [crop], 1).save(os.path.join(args.out, "upscale-photo.png"))

        apple = os.path.join(work, "apple.png")
        env = dict(os.environ)
        env.setdefault("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json")
        subprocess.run([args.cli, "image", "--prompt", "red apple", "--seed", "42", "-o", apple], check=True,
                       env=env, capture_output=True)
        a = np.asarray(Image.open(apple).convert("RGB"))
        nearest = np.asarray(Image.fromarray(a).resize((a.shape[1] * 4, a.shape[0] * 4), Image.NEAREST))
        panels = [nearest] + [upscale(args.cli, apple, m, os.path.join(work, f"a-{m}.png"))
                              for m in ("bicubic", "slim")]
        side_by_side(panels, 1).save(os.path.join(args.out, "upscale-red-apple.png"))
    print(f"{args.out}/upscale-photo.png, {args.out}/upscale-red-apple.png")


if __name__ == "__main__":
    main()
