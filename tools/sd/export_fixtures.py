#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Golden fixtures for the SD tests: writes the tiny checkpoints with
make_test_models.py, loads them back from disk into the reference (float64,
from the stored values) and writes tests/data/sd/{sd1,sd2}_golden.safetensors
with the SHA-256 of every checkpoint file they were computed from.

  export_fixtures.py [--models DIR]   (default: a fresh temporary folder)"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_test_models as MT  # noqa: E402
import sd_arch as A  # noqa: E402
import sd_reference as R  # noqa: E402

ROOT = MT.ROOT
STEPS, CFG_SCALE = 2, 5.0
F64 = torch.float64


def token_ids(family, gen):
    """[2,77]: the empty prompt, then 12 tokens; BOS 998, EOS 999, SD 1 pads
    with EOS, SD 2 with 0."""
    pad = A.TINY_EOS if family == "sd1" else 0
    rows = []
    for tokens in ([], torch.randint(1, 998, (12,), generator=gen).tolist()):
        row = [A.TINY_BOS] + tokens + [A.TINY_EOS]
        rows.append(row + [pad] * (77 - len(row)))
    return torch.tensor(rows)


def test_image(gen):
    """A smooth picture with some noise, in [-1, 1]."""
    y, x = torch.meshgrid(torch.linspace(-1, 1, 64, dtype=F64), torch.linspace(-1, 1, 64, dtype=F64), indexing="ij")
    img = torch.stack([torch.sin(3 * x + 1), torch.cos(2 * y) * x, x * y * 1.5]) * 0.8
    img = img + 0.1 * torch.randn(3, 64, 64, generator=gen, dtype=F64)
    return img.clamp(-1, 1)[None]


def goldens(models, family, gen):
    name = f"tiny-{family}"
    single = R.load_single_file(os.path.join(models, name + ".safetensors"))
    folder = R.load_diffusers(os.path.join(models, name + "-diffusers"), family, "tiny")
    m, out = single, {}
    v_pred = m.prediction == "v"
    assert folder.prediction == m.prediction

    ids = token_ids(family, gen)
    out["text.ids"] = ids
    out["text.out"] = m.encode_text(ids)
    if family == "sd1":
        out["text.out_skip2"] = m.encode_text(ids, skip=2)
    d = (folder.encode_text(ids) - out["text.out"]).abs().max().item()
    assert d < 1e-12, d

    x = torch.randn(2, 4, 8, 8, generator=gen, dtype=F64)
    t = torch.tensor([999.0, 421.5], dtype=F64)
    ctx = torch.randn(2, 77, 32, generator=gen, dtype=F64)
    out.update({"unet.x": x, "unet.t": t, "unet.context": ctx, "unet.out": m.unet(x, t, ctx)})
    assert torch.equal(folder.unet(x, t, ctx), out["unet.out"])

    z = torch.randn(1, 4, 8, 8, generator=gen, dtype=F64)
    out.update({"vae.decode.in": z, "vae.decode.out": m.vae.decode(z)})
    img = test_image(gen)
    out.update({"vae.encode.in": img, "vae.encode.out": m.vae.encode(img)})
    assert torch.equal(folder.vae.decode(z), out["vae.decode.out"])
    assert torch.equal(folder.vae.encode(img), out["vae.encode.out"])

    noise = torch.randn(1, 4, 8, 8, generator=gen, dtype=F64)
    context = m.encode_text(ids)  # [uncond = empty prompt, cond]
    latent = R.euler_sample(m.unet, noise, context, STEPS, CFG_SCALE, v_pred)
    image = ((m.vae.decode(latent / A.LATENT_SCALE) + 1) / 2).clamp(0, 1)
    sched = R.Schedule()
    sigmas = sched.sigmas(STEPS)
    out.update({"sample.noise": noise, "sample.ids": ids, "sample.context": context, "sample.latent": latent,
                "sample.image": image, "sample.sigmas": torch.tensor(sigmas),
                "sample.t": torch.tensor([sched.t(s) for s in sigmas[:-1]])})
    folder_latent = R.euler_sample(folder.unet, noise, folder.encode_text(ids), STEPS, CFG_SCALE, v_pred)
    assert (folder_latent - latent).abs().max() < 1e-9

    if family == "sd1":
        inp = R.load_single_file(os.path.join(models, "tiny-sd1-inpaint.safetensors"), parts=("unet",))
        xi = torch.randn(1, 9, 8, 8, generator=gen, dtype=F64)
        xi[:, 4] = (torch.arange(64, dtype=F64).reshape(8, 8) % 8 >= 4).to(F64)  # a mask: right half
        ti = torch.tensor([633.25], dtype=F64)
        ci = torch.randn(1, 77, 32, generator=gen, dtype=F64)
        out.update({"inpaint.unet.x": xi, "inpaint.unet.t": ti, "inpaint.unet.context": ci,
                    "inpaint.unet.out": inp.unet(xi, ti, ci)})
    meta = {
        "genstudio.golden": "tools/sd/export_fixtures.py",
        "family": family, "prediction": m.prediction, "text_skip": m.default_skip,
        "sampler": "euler", "steps": STEPS, "cfg_scale": CFG_SCALE, "latent_scale": A.LATENT_SCALE,
        "config": json.dumps({k: m.cfg[k] for k in ("text", "unet", "vae")}, sort_keys=True),
    }
    return {k: v.numpy() for k, v in out.items()}, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", help="where to write the tiny checkpoints (default: a temporary folder)")
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "sd"))
    a = ap.parse_args()
    torch.set_num_threads(2)
    tmp = None
    if not a.models:
        tmp = tempfile.TemporaryDirectory()
        a.models = tmp.name
    hashes = MT.write_models(a.models)
    os.makedirs(a.out, exist_ok=True)
    with torch.no_grad():
        for family in ("sd1", "sd2"):
            gen = torch.Generator().manual_seed({"sd1": 101, "sd2": 202}[family])
            tensors, meta = goldens(a.models, family, gen)
            mine = {r: h for r, h in hashes.items() if r.startswith(f"tiny-{family}")}
            meta["genstudio.sha256"] = json.dumps(mine, sort_keys=True)
            path = os.path.join(a.out, f"{family}_golden.safetensors")
            R.write_safetensors(path, tensors, meta)
            print(f"wrote {path}")
            for k in sorted(tensors):
                v = tensors[k]
                print(f"  {k:24s} {str(list(v.shape)):16s} std {np.std(v):.4f}  range [{v.min():.3f}, {v.max():.3f}]")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
