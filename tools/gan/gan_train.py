#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trains the conditional emoji GAN (gan_model.py), resumable.

Hinge loss, spectral-norm projection discriminator, two learning rates
(TTUR: the discriminator at 4× the generator's), Adam β = (0, 0.9), an EMA
of the generator (exported), and DiffAugment-style translation and cutout
applied to real and generated images alike before the discriminator sees
them — with a few hundred images the discriminator otherwise memorises the
set and the generator collapses. Captions are the diffusion model's
(tools/train/train.py) minus the empty ones: a GAN has no classifier-free
guidance to learn. Checkpoints every few minutes (temp file + rename), a
fixed-prompt grid every --sample-minutes, losses to loss.csv."""
import argparse
import copy
import os
import random
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import gan_model as G
import model as M
from train import caption, load_dataset, vocab_texts

GRID_PROMPTS = ["red apple", "grinning face", "red heart", "dog face", "pizza", "sun", "cat face", "banana"]
DEFAULT_GROUPS = "Smileys & Emotion,Animals & Nature,Food & Drink"


def augment(x, gen):
    """Per image: a random translation by up to 1/8 of the side (white, the
    emoji background, fills in) and a random 16×16 cutout to white."""
    b, _, h, w = x.shape
    pad = h // 8
    padded = F.pad(x, (pad, pad, pad, pad), value=1.0)
    dy, dx = torch.randint(0, 2 * pad + 1, (2, b), generator=gen)
    cy, cx = torch.randint(0, h - 15, (2, b), generator=gen)
    out = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(b)])
    for i in range(b):
        out[i, :, cy[i]:cy[i] + 16, cx[i]:cx[i] + 16] = 1.0
    return out


def save_grid(gen, tok, path, seeds=4):
    """One row per prompt, `seeds` fixed noise vectors per row, 2× nearest."""
    torch.manual_seed(1234)
    z = torch.randn(seeds, G.CONFIG["z_dim"])
    rows = []
    with torch.no_grad():
        for p in GRID_PROMPTS:
            w = G.bag_weights([G.bag_of_words(tok, p)] * seeds, len(tok.vocab))
            x = gen(z, w).clamp(-1, 1)
            rows.append(torch.cat(list(x), dim=2))
    grid = ((torch.cat(rows, dim=1).permute(1, 2, 0).numpy() + 1) * 127.5).round().astype(np.uint8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(grid).resize((grid.shape[1] * 2, grid.shape[0] * 2), Image.NEAREST).save(path)


def gan_caption(item, rng):
    while True:
        text = caption(item, rng)
        if text:
            return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/cache/emoji32.npz")
    ap.add_argument("--ckpt", default="/work/cache/gan")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr-g", type=float, default=1e-4)
    ap.add_argument("--lr-d", type=float, default=4e-4)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--hours", type=float, default=100.0)
    ap.add_argument("--save-minutes", type=float, default=5.0)
    ap.add_argument("--sample-minutes", type=float, default=5.0)
    ap.add_argument("--groups", default=DEFAULT_GROUPS, help="comma-separated emoji groups ('' for all)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-augment", action="store_true", help="show the discriminator the images as they are")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.ckpt, exist_ok=True)
    images, items = load_dataset(args.data)
    tok = M.Tokenizer.build(vocab_texts(items))
    vocab = len(tok.vocab)
    torch.manual_seed(0)
    gen, disc = G.Generator(G.CONFIG, vocab), G.Discriminator(vocab)
    ema = copy.deepcopy(gen).requires_grad_(False)
    opt_g = torch.optim.Adam(gen.parameters(), lr=args.lr_g, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(disc.parameters(), lr=args.lr_d, betas=(0.0, 0.9))
    step, rng, aug = 0, random.Random(0), torch.Generator().manual_seed(0)
    latest = os.path.join(args.ckpt, "latest.pt")
    if os.path.exists(latest):
        state = torch.load(latest)
        for module, key in ((gen, "gen"), (disc, "disc"), (ema, "ema"), (opt_g, "opt_g"), (opt_d, "opt_d")):
            module.load_state_dict(state[key])
        step = state["step"]
        rng.setstate(state["py_rng"])
        torch.set_rng_state(state["torch_rng"])
        aug.set_state(state["aug_rng"])
        assert state["vocab"] == tok.vocab, "dataset vocabulary changed"
        print(f"resumed at step {step}", flush=True)

    pool = list(range(len(items)))
    if args.groups:
        wanted = set(args.groups.split(","))
        pool = [i for i in pool if items[i][1] in wanted]
        assert pool, f"no images in groups {args.groups}"
    print(f"training on {len(pool)} images", flush=True)

    log = open(os.path.join(args.ckpt, "loss.csv"), "a")
    start = last_save = last_sample = time.time()
    window = []
    while time.time() - start < args.hours * 3600:
        idx = [pool[rng.randrange(len(pool))] for _ in range(args.batch)]
        real = images[idx]
        w_real = G.bag_weights([G.bag_of_words(tok, gan_caption(items[i], rng)) for i in idx], vocab)
        z = torch.randn(args.batch, G.CONFIG["z_dim"])
        fake = gen(z, w_real)
        as_seen = (lambda x: x) if args.no_augment else (lambda x: augment(x, aug))
        loss_d = F.relu(1 - disc(as_seen(real), w_real)).mean() + F.relu(1 + disc(as_seen(fake.detach()), w_real)).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        loss_g = -disc(as_seen(fake), w_real).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        with torch.no_grad():
            decay = min(args.ema, (1 + step) / (10 + step))
            for pe, p in zip(ema.parameters(), gen.parameters()):
                pe.lerp_(p, 1 - decay)
        step += 1
        window.append((loss_d.item(), loss_g.item()))
        if step % 50 == 0:
            d, g = np.mean(window, axis=0)
            window.clear()
            log.write(f"{step},{d:.5f},{g:.5f}\n")
            log.flush()
            print(f"step {step} loss_d {d:.4f} loss_g {g:.4f} {step / (time.time() - start):.2f} it/s", flush=True)
        now = time.time()
        if now - last_save > args.save_minutes * 60:
            state = {"gen": gen.state_dict(), "disc": disc.state_dict(), "ema": ema.state_dict(),
                     "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(), "step": step,
                     "py_rng": rng.getstate(), "torch_rng": torch.get_rng_state(), "aug_rng": aug.get_state(),
                     "vocab": tok.vocab, "config": G.CONFIG}
            torch.save(state, latest + ".tmp")
            os.replace(latest + ".tmp", latest)
            last_save = now
        if now - last_sample > args.sample_minutes * 60:
            save_grid(ema, tok, os.path.join(args.ckpt, "samples", f"step{step:07d}.png"))
            last_sample = now


if __name__ == "__main__":
    main()
