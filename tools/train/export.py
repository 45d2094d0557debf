#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the EMA weights of the latest checkpoint as data/models/emoji32.safetensors:
fp16 tensors under SD 1.x checkpoint names, the model config, the vocabulary
and a provenance note in __metadata__."""
import argparse
import json
import os

import numpy as np
import torch

import model as M
import safetensors_io

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default="/work/cache/ckpt/latest.pt")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "data", "models", "emoji32.safetensors"))
    args = ap.parse_args()
    state = torch.load(args.ckpt)
    tensors = {k: v.detach().float().numpy().astype(np.float16) for k, v in state["ema"].items()}
    config = {**M.CONFIG, **state["config"]}  # checkpoints older than a config key get its default
    images = state["step"] * state.get("batch", 48)
    meta = {
        "genstudio.config": json.dumps(config, separators=(",", ":")),
        "genstudio.vocab": "\n".join(state["vocab"]),
        "genstudio.training": (f"GenStudio emoji32: trained from scratch by tools/train/train.py for {state['step']} "
                               f"steps (~{images} images) on fonts-noto-color-emoji glyphs (Apache-2.0) with "
                               "unicode-data/CLDR captions (Unicode License v3); the schedule, prediction type and "
                               "image groups by step are in tools/train/README.md. EMA weights."),
    }
    safetensors_io.save(os.path.abspath(args.out), tensors, meta)
    print(f"wrote {args.out}: {len(tensors)} tensors, step {state['step']}")


if __name__ == "__main__":
    main()
