# SPDX-License-Identifier: GPL-3.0-or-later
"""Euler sampling in k-diffusion's sigma space, the way the C engine does it
(see README.md), and a sample grid writer."""
import os

import numpy as np
import torch
from PIL import Image

import model as M


def sigma_schedule(cfg):
    abar = M.alphas_cumprod(cfg)
    return ((1 - abar) / abar).sqrt()


def sigma_at(log_sigmas, t):
    lo = int(np.floor(t))
    hi = min(lo + 1, len(log_sigmas) - 1)
    w = t - lo
    return float(torch.exp((1 - w) * log_sigmas[lo] + w * log_sigmas[hi]))


@torch.no_grad()
def euler_sample(net, context, noise, steps, cfg, uncond=None, guidance=1.0):
    log_sigmas = sigma_schedule(cfg).log()
    ts = np.linspace(cfg["train_timesteps"] - 1, 0, steps)
    sigmas = [sigma_at(log_sigmas, t) for t in ts] + [0.0]
    x = noise * sigmas[0]
    unet = net.model.diffusion_model
    for i, t in enumerate(ts):
        s = sigmas[i]
        inp = x / (s * s + 1) ** 0.5
        tt = torch.full((x.shape[0],), float(t))
        out = unet(inp, tt, context)
        if uncond is not None:
            out_u = unet(inp, tt, uncond)
            out = out_u + guidance * (out - out_u)
        if cfg["prediction"] == "v":
            denoised = x / (s * s + 1) - s / (s * s + 1) ** 0.5 * out
        else:
            denoised = x - s * out
        if cfg.get("clip_denoised"):
            denoised = denoised.clamp(-1, 1)
        x = denoised + sigmas[i + 1] * (x - denoised) / s
    return x


def save_grid(net, tok, cfg, prompts, path, seeds=(0, 1), steps=20, guidance=4.0):
    rows = []
    for seed in seeds:
        g = torch.Generator().manual_seed(seed)
        noise = torch.randn(len(prompts), 3, 32, 32, generator=g)
        ids = torch.tensor([tok.encode(p) for p in prompts])
        empty = torch.tensor([tok.encode("") for _ in prompts])
        x = euler_sample(net, net.encode(ids), noise, steps, cfg, net.encode(empty), guidance)
        img = ((x.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
        rows.append(np.concatenate(list(img), axis=1))
    grid = np.concatenate(rows, axis=0)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(grid).resize((grid.shape[1] * 3, grid.shape[0] * 3), Image.NEAREST).save(path)
