#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent check of the ESRGAN conversion: the original package's
model.json run by TensorFlow.js itself (run-tfjs.js, pure-JS CPU backend)
against convert.py's NumPy reference and the engine (genstudio-cli upscale),
on a photo crop, and on smooth ramps to measure the grid the models' tail
draws where an image has no detail.

    cd tools/esrgan && npm install --no-save --no-package-lock @tensorflow/tfjs@4.11.0
    tools/esrgan/check_tfjs.py slim --scale 4 --cli build/app/cli/genstudio-cli
    tools/esrgan/check_tfjs.py thick --scale 4 --package upscalerjs-esrgan-thick-1.0.0.tgz

All three see the same 8-bit input extended by convert.EDGE_PAD pixels of
edge replication (TensorFlow.js gets the extended image and its output is
cropped, as the engine does). Figures are differences on 0..255 of the
engine's 8-bit PNG; exits 1 if any pair differs by more than --tolerance.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTO = "/usr/share/backgrounds/mate/nature/Dune.jpg"


def run_tfjs(pkg, scale, image, work):
    """image: H×W×3 in 0..255 → the package's model in TF.js, on the
    edge-extended image, cropped back."""
    p = convert.EDGE_PAD
    padded = np.pad(image, ((p, p), (p, p), (0, 0)), mode="edge").astype("<f4")
    src, dst = os.path.join(work, "in.f32"), os.path.join(work, "out.f32")
    padded.tofile(src)
    h, w = padded.shape[:2]
    try:
        subprocess.run(["node", os.path.join(HERE, "run-tfjs.js"), pkg, str(scale), src, str(h), str(w), dst],
                       check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"check_tfjs.py: run-tfjs.js failed:\n{e.stderr.strip()[-2000:]}")
    out = np.fromfile(dst, "<f4").reshape(h * scale, w * scale, 3)
    return out[p * scale:(p + image.shape[0]) * scale, p * scale:(p + image.shape[1]) * scale]


def run_engine(cli, model_file, scale, image, work):
    src, dst = os.path.join(work, "in.png"), os.path.join(work, "out.png")
    Image.fromarray(image.astype(np.uint8)).save(src)
    env = dict(os.environ)
    env.setdefault("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json")
    r = subprocess.run([cli, "upscale", "--scale", str(scale), "--model", model_file, src, "-o", dst],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"check_tfjs.py: {cli} upscale failed: {r.stderr.strip()}")
    return np.asarray(Image.open(dst).convert("RGB"), np.float32)


def grid_amplitude(out, scale, margin):
    """On the output of linear ramps (whose ideal upscale is a plane): the
    spread (max − min) of the mean residual from the best plane at each
    sub-pixel phase (Y mod s, X mod s), away from the border — the grid of
    period s, in 0..255."""
    inner = out[margin:-margin, margin:-margin]
    h, w = inner.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    basis = np.stack([np.ones(h * w), yy.ravel(), xx.ravel()], 1)
    spread = 0.0
    for c in range(3):
        v = inner[..., c].ravel()
        resid = (v - basis @ np.linalg.lstsq(basis, v, rcond=None)[0]).reshape(h, w)
        phases = [resid[py::scale, px::scale].mean() for py in range(scale) for px in range(scale)]
        spread = max(spread, max(phases) - min(phases))
    return spread


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variant", choices=convert.VARIANTS)
    ap.add_argument("--scale", type=int, default=4, choices=convert.SCALES)
    ap.add_argument("--package", help="the package's .tgz or folder (default: npm pack)")
    ap.add_argument("--cli", default=os.path.join(convert.ROOT, "build", "app", "cli", "genstudio-cli"))
    ap.add_argument("--models", default=os.path.join(convert.ROOT, "data", "models", "esrgan"))
    ap.add_argument("--size", type=int, default=48, help="side of the photo crop (default 48)")
    ap.add_argument("--tolerance", type=float, default=1.0, help="max |difference| on 0..255 (default 1)")
    args = ap.parse_args()
    s = args.scale
    model_file = os.path.join(args.models, f"esrgan-{args.variant}-x{s}.safetensors")
    for need in (model_file, args.cli, os.path.join(HERE, "node_modules", "@tensorflow", "tfjs")):
        if not os.path.exists(need):
            raise SystemExit(f"check_tfjs.py: {need} is missing (see --help)")
    with tempfile.TemporaryDirectory(prefix="esrgan-tfjs-") as work:
        try:
            pkg = convert.unpack(args.package, work) if args.package else convert.fetch_package(args.variant, work)
            value_range, _ = convert.model_definition(pkg, s)
            graph, weights = convert.read_model(os.path.join(pkg, "models", f"x{s}"))
        except convert.ConvertError as e:
            raise SystemExit(f"check_tfjs.py: {e}")
        graph["scale"], graph["input_range"] = s, value_range
        params = convert.to_params(graph, weights)
        photo = Image.open(PHOTO).convert("RGB") if os.path.exists(PHOTO) else None
        if photo:
            x0, y0 = photo.width // 2, photo.height // 2
            image = np.asarray(photo.crop((x0, y0, x0 + args.size, y0 + args.size)), np.float32)
            what = f"{args.size}² crop of {PHOTO}"
        else:
            yy, xx = np.mgrid[0:args.size, 0:args.size]
            image = np.round(np.stack([yy * 4, xx * 4, (xx + yy) * 2], 2) % 256).astype(np.float32)
            what = f"{args.size}² synthetic ramps"
        yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
        ramps = np.stack([60 + 3 * xx + 2 * yy, 200 - 2 * xx - yy, 100 + xx + 3 * yy], 2)
        worst = 0.0
        for name, img in ((what, image), ("32² linear ramps", ramps)):
            r = value_range / 255
            ref = np.clip(convert.reference_padded(graph, params, img * r) / r, 0, 255)
            tfjs = np.clip(run_tfjs(pkg, s, img, work), 0, 255)
            engine = run_engine(args.cli, model_file, s, img, work)
            print(f"esrgan-{args.variant} ×{s}, {name}:")
            for a, b, an, bn in ((tfjs, ref, "TF.js", "NumPy"), (engine, tfjs, "engine", "TF.js"),
                                 (engine, ref, "engine", "NumPy")):
                d = np.abs(a - b)
                worst = max(worst, d.max())
                print(f"  {an:6} vs {bn:6}: max |Δ| {d.max():.3f}/255, mean {d.mean():.4f}/255")
            if img is ramps:
                m = 4 * s
                print(f"  grid (spread of the {s}×{s} phase means of the residual from a plane): TF.js {grid_amplitude(tfjs, s, m):.2f}, "
                      f"NumPy {grid_amplitude(ref, s, m):.2f}, engine {grid_amplitude(engine, s, m):.2f} (of 255)")
        if worst > args.tolerance:
            print(f"check_tfjs.py: differences up to {worst:.3f}/255, over the tolerance {args.tolerance}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
