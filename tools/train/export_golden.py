#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Golden fixtures for the engine tests, computed by PyTorch from the fp16
weights exactly as stored in data/models/emoji32.safetensors: the tokens and
text-encoder output for "red apple", one UNet call at t = 500 on fixed noise,
and a 4-step Euler sample with guidance 5 and an empty negative prompt
(formulas in README.md)."""
import os

import numpy as np
import torch

import model as M
import safetensors_io
from sample import euler_sample

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def main():
    torch.set_num_threads(1)
    weights, cfg, tok = M.load_export(os.path.join(ROOT, "data", "models", "emoji32.safetensors"))
    net = M.Diffusion(cfg, len(tok.vocab))
    net.load_state_dict(weights)
    net.eval()
    with torch.no_grad():
        ids = torch.tensor([tok.encode("red apple")])
        context = net.encode(ids)
        noise = torch.randn(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
        out = net.model.diffusion_model(noise, torch.tensor([500.0]), context)
        uncond = net.encode(torch.tensor([tok.encode("")]))
        euler = euler_sample(net, context, noise, 4, cfg, uncond, guidance=5.0)
    out = {"tokens": ids.float().numpy(), "text_out": context.numpy(), "noise": noise.numpy(),
           "unet_t500": out.numpy(), "euler4": euler.numpy()}
    path = os.path.join(ROOT, "tests", "data", "golden", "emoji32_golden.safetensors")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    safetensors_io.save(path, {k: v.astype(np.float32) for k, v in out.items()},
                        {"genstudio.golden": "tools/train/export_golden.py"})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
