#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exports the GAN generator's EMA weights to safetensors for the engine,
and (--golden DIR) fixtures the engine's golden test compares with.

Engine-facing changes, all exact: the modulation's 1 + γ(c) is stored as
γ(c) with 1 added to its bias, and the group norms' identity affine is
stored as ones and zeros (the engine's group norm op takes one)."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))

import numpy as np
import torch

import gan_model as G
import model as M
import safetensors_io

GOLDEN_PROMPTS = ["red apple", "grinning face with big eyes", "", "dog, face, brown", "words nobody knows"]


def engine_tensors(state):
    out = {}
    for name, t in state.items():
        a = t.detach().float().numpy()
        if name.endswith(".gamma.bias"):
            a = a + 1.0
        out[name] = a.astype(np.float32)
    for i, c in enumerate(G.CONFIG["channels"]):
        out[f"norms.{i}.norm.weight"] = np.ones(c, np.float32)
        out[f"norms.{i}.norm.bias"] = np.zeros(c, np.float32)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default="/work/cache/gan/latest.pt")
    ap.add_argument("--out", default="data/models/gan-emoji32.safetensors")
    ap.add_argument("--golden", default="", help="folder for the engine test's fixtures")
    args = ap.parse_args()

    state = torch.load(args.ckpt)
    tok = M.Tokenizer(state["vocab"])
    gen = G.Generator(state["config"], len(tok.vocab))
    gen.load_state_dict(state["ema"])
    gen.eval()
    config = dict(state["config"], size=32, vocab_size=len(tok.vocab))
    training = (f"GenStudio tools/gan/gan_train.py, step {state['step']}, EMA generator; data: "
                "fonts-noto-color-emoji (OFL-1.1) images, unicode-data and unicode-cldr-core captions")
    safetensors_io.save(args.out, engine_tensors(gen.state_dict()),
                        {"genstudio.gan_config": json.dumps(config), "genstudio.vocab": "\n".join(tok.vocab),
                         "genstudio.training": training})
    print(f"{args.out}: step {state['step']}")

    if args.golden:
        os.makedirs(args.golden, exist_ok=True)
        torch.manual_seed(7)
        fixtures = {}
        with torch.no_grad():
            for i, prompt in enumerate(GOLDEN_PROMPTS):
                z = torch.randn(3, config["z_dim"])
                w = G.bag_weights([G.bag_of_words(tok, prompt)] * 3, len(tok.vocab))
                fixtures[f"{i}.z"] = z.numpy()
                fixtures[f"{i}.image"] = gen(z, w).numpy()
        safetensors_io.save(os.path.join(args.golden, "gan_golden.safetensors"), fixtures,
                            {"prompts": json.dumps(GOLDEN_PROMPTS)})


if __name__ == "__main__":
    main()
