#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""One UNet call of a single-file SD 1.x checkpoint (any size; made for the
full-size random SD 1.5 of the slow test) on a 64×64 latent, in float32:
writes the seeded inputs and the output to a fixture.

  unet_call.py --checkpoint sd15.safetensors --out unet64.safetensors [--seed 0] [--t 500]

Fixture tensors: unet.x [1,4,64,64], unet.t [1], unet.context [1,77,W],
unet.out [1,4,64,64]."""
import argparse
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sd_reference as R  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--t", type=float, default=500.0)
    ap.add_argument("--size", type=int, default=64, help="latent height and width")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    start = time.time()
    with torch.no_grad():
        m = R.load_single_file(a.checkpoint, dtype=torch.float32, parts=("unet",))
        loaded = time.time()
        u = m.cfg["unet"]
        gen = torch.Generator().manual_seed(a.seed)
        x = torch.randn(1, u["in_channels"], a.size, a.size, generator=gen)
        t = torch.tensor([a.t])
        context = torch.randn(1, 77, u["context_dim"], generator=gen)
        out = m.unet(x, t, context)
    R.write_safetensors(a.out, {"unet.x": x.numpy(), "unet.t": t.numpy(), "unet.context": context.numpy(),
                                "unet.out": out.numpy()},
                        {"genstudio.fixture": "tools/sd/unet_call.py", "checkpoint": os.path.basename(a.checkpoint),
                         "seed": a.seed})
    o = out.numpy()
    print(f"wrote {a.out}: unet.out std {np.std(o):.4f}, range [{o.min():.3f}, {o.max():.3f}]; "
          f"load {loaded - start:.1f} s, call {time.time() - loaded:.1f} s")


if __name__ == "__main__":
    main()
