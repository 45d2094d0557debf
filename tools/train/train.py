#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trains the emoji diffusion model on one CPU thread, resumable.

Checkpoints (model, EMA, optimiser, RNG, step) go to --ckpt every few
minutes, written to a temp file and renamed; a restart resumes from the
latest. The loss goes to loss.csv beside them; a fixed-prompt sample grid
from the EMA weights is drawn every --sample-minutes."""
import argparse
import copy
import math
import os
import random
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch

import model as M
from colour import caption_colour
from sample import save_grid

GRID_PROMPTS = ["red apple", "grinning face", "red heart", "dog face", "flag japan", "rocket", "sun", "pizza"]


def load_dataset(path):
    d = np.load(path)
    images = torch.from_numpy(d["images"]).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    items = []
    for name, group, subgroup, kw, image in zip(d["names"], d["groups"], d["subgroups"], d["keywords"], d["images"]):
        items.append((str(name), str(group), str(subgroup), [k for k in str(kw).split("|") if k],
                      caption_colour(str(name), image)))
    return images, items


def caption(item, rng):
    """Random subsets and orders of name, keywords, group words and the
    measured colour; 10% empty (the unconditional branch of classifier-free
    guidance)."""
    name, group, subgroup, keywords, colour = item
    if rng.random() < 0.1:
        return ""
    parts = [name] if rng.random() < 0.8 else []
    parts += rng.sample(keywords, k=rng.randint(0, min(3, len(keywords))))
    if rng.random() < 0.3:
        parts.append(subgroup.replace("-", " "))
    if rng.random() < 0.3:
        parts.append(group)
    if not parts:
        parts = [name]
    if rng.random() < 0.5 and colour not in M.words(" ".join(parts)):
        parts.append(colour)
    rng.shuffle(parts)
    return ", ".join(parts)


def training_target(cfg, abar, x0, noise, gamma):
    """The network's target and the per-image loss weight.

    v-prediction (v = √ᾱ·ε − √(1−ᾱ)·x0, Salimans & Ho 2022) makes the output
    decide the clean image at high noise, where layout and colour are set:
    x0 = √ᾱ·x_t − √(1−ᾱ)·v, while an ε error there reaches x0 magnified by
    1/√ᾱ, so ε-models learn little prompt dependence at those steps. In x0
    terms the v loss weighs each step by SNR + 1; capping that weight at γ
    (as Min-SNR-γ, Hang et al. 2023, caps SNR) keeps the nearly clean steps
    from dominating without starving the noisy ones."""
    snr = (abar / (1 - abar)).flatten()
    if cfg["prediction"] == "v":
        return abar.sqrt() * noise - (1 - abar).sqrt() * x0, torch.clamp(snr + 1, max=gamma) / (snr + 1)
    return noise, torch.clamp(snr, max=gamma) / snr


def learning_rate(args, step):
    """Warm-up, a constant plateau, then a cosine decay: samples sharpen
    markedly once the rate comes down."""
    if step < args.decay_start:
        return args.lr * min(1.0, (step + 1) / 500)
    done = min(1.0, (step - args.decay_start) / args.decay_steps)
    return args.lr_final + (args.lr - args.lr_final) * 0.5 * (1 + math.cos(math.pi * done))


def init_from_export(path, net, ema, tok):
    """Loads exported EMA weights into both the network and its EMA: the
    checkpoint is kept outside git and can be lost, the export cannot."""
    weights, _, exported_tok = M.load_export(path)
    assert exported_tok.vocab == tok.vocab, f"{path}: vocabulary differs from the dataset's"
    net.load_state_dict(weights)
    ema.load_state_dict(weights)


def vocab_texts(items):
    for name, group, subgroup, keywords, _ in items:
        yield name
        yield group
        yield subgroup
        yield from keywords


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/cache/emoji32.npz")
    ap.add_argument("--ckpt", default="/work/cache/ckpt")
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lr-final", type=float, default=2e-5)
    ap.add_argument("--decay-start", type=int, default=5800, help="step where the cosine decay to --lr-final begins")
    ap.add_argument("--decay-steps", type=int, default=1100)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--min-snr-gamma", type=float, default=5.0)
    ap.add_argument("--hours", type=float, default=100.0)
    ap.add_argument("--save-minutes", type=float, default=5.0)
    ap.add_argument("--sample-minutes", type=float, default=20.0)
    ap.add_argument("--groups", default="",
                    help="comma-separated Unicode emoji groups to train on (default all); the vocabulary stays whole")
    ap.add_argument("--threads", type=int, default=1, help="torch threads; 1 leaves a core to the rest")
    ap.add_argument("--init", default="",
                    help="exported .safetensors to start from when there is no checkpoint (fresh optimiser)")
    ap.add_argument("--init-step", type=int, default=0, help="the training step --init's weights were exported at")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.ckpt, exist_ok=True)
    images, items = load_dataset(args.data)
    tok = M.Tokenizer.build(vocab_texts(items))
    cfg = dict(M.CONFIG, vocab_size=len(tok.vocab))
    torch.manual_seed(0)
    net = M.Diffusion(cfg, len(tok.vocab))
    ema = copy.deepcopy(net).requires_grad_(False)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.01)
    step, rng = 0, random.Random(0)
    latest = os.path.join(args.ckpt, "latest.pt")
    if os.path.exists(latest):
        state = torch.load(latest)
        net.load_state_dict(state["model"])
        ema.load_state_dict(state["ema"])
        opt.load_state_dict(state["opt"])
        step = state["step"]
        rng.setstate(state["py_rng"])
        torch.set_rng_state(state["torch_rng"])
        assert state["vocab"] == tok.vocab, "dataset vocabulary changed"
        print(f"resumed at step {step} ({state['config']['prediction']} → {cfg['prediction']} prediction)", flush=True)
    elif args.init:
        init_from_export(args.init, net, ema, tok)
        step = args.init_step
        print(f"started from {args.init} at step {step}", flush=True)

    pool = range(len(items))
    if args.groups:
        wanted = set(args.groups.split(","))
        pool = [i for i, item in enumerate(items) if item[1] in wanted]
        assert pool, f"no images in groups {args.groups}"
        print(f"training on {len(pool)} images of {args.groups}", flush=True)

    abar = M.alphas_cumprod(cfg).float()
    log = open(os.path.join(args.ckpt, "loss.csv"), "a")
    start = last_save = last_sample = time.time()
    seen, window = 0, []
    while time.time() - start < args.hours * 3600:
        idx = [pool[rng.randrange(len(pool))] for _ in range(args.batch)]
        x0 = images[idx]
        ids = torch.tensor([tok.encode(caption(items[i], rng)) for i in idx])
        t = torch.randint(0, cfg["train_timesteps"], (args.batch,))
        noise = torch.randn_like(x0)
        a = abar[t][:, None, None, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        target, weight = training_target(cfg, a, x0, noise, args.min_snr_gamma)
        loss = ((net(xt, t, ids) - target) ** 2).mean(dim=(1, 2, 3)).mul(weight).mean()
        for g in opt.param_groups:
            g["lr"] = learning_rate(args, step)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            decay = min(args.ema, (1 + step) / (10 + step))
            for pe, p in zip(ema.parameters(), net.parameters()):
                pe.lerp_(p, 1 - decay)
        step += 1
        seen += args.batch
        window.append(loss.item())
        if step % 50 == 0:
            rate = seen / (time.time() - start)
            mean = sum(window) / len(window)
            window.clear()
            log.write(f"{step},{step * args.batch},{mean:.5f}\n")
            log.flush()
            print(f"step {step} loss {mean:.4f} lr {learning_rate(args, step):.2e} {rate:.1f} img/s", flush=True)
        now = time.time()
        if now - last_save > args.save_minutes * 60:
            state = {"model": net.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(), "step": step,
                     "py_rng": rng.getstate(), "torch_rng": torch.get_rng_state(), "vocab": tok.vocab, "config": cfg,
                     "batch": args.batch}
            torch.save(state, latest + ".tmp")
            os.replace(latest + ".tmp", latest)
            last_save = now
        if now - last_sample > args.sample_minutes * 60:
            out = os.path.join(args.ckpt, "samples", f"step{step:07d}.png")
            save_grid(ema, tok, cfg, GRID_PROMPTS, out)
            last_sample = now


if __name__ == "__main__":
    main()
