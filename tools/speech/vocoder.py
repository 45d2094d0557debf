#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The neural vocoder (Vocos-style: the network predicts each STFT frame,
an inverse STFT makes the audio) and its resumable trainer.

log-mel [80, T] → conv k7 (80→C) → BLOCKS pre-norm blocks
x + conv_k5(GELU(LN(x))) → 1×1 conv to [log-magnitude (513), x (513),
y (513)] per frame → spectrum exp(log-magnitude)·(x + iy)/|x + iy| →
torch.istft (n_fft 1024, hop 256, Hann, centred) = audio [256·(T−1)].
engine/speech/gs-neural-vocoder.c builds the same graph (the spectrum step
is gs_op_griffin_lim_project with momentum 0).

Trained on the teacher audio against its own mel with a multi-resolution
STFT loss (spectral convergence + log-magnitude L1) and a mel L1 — no
adversary, so it trains in an hour on one core."""
import argparse
import json
import os
import random
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import audio

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
import safetensors_io  # noqa: E402

CONFIG = {"channels": 192, "blocks": 4, "kernel": 5}
BINS = audio.N_FFT // 2 + 1
SEGMENT = 32  # frames per training crop


class Block(nn.Module):
    def __init__(self, channels, kernel):
        super().__init__()
        self.norm = nn.LayerNorm(channels)
        self.conv = nn.Conv1d(channels, channels, kernel, padding=kernel // 2)

    def forward(self, x):
        return x + self.conv(F.gelu(self.norm(x.transpose(1, 2)).transpose(1, 2)))


class Vocoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg["channels"]
        self.conv_in = nn.Conv1d(audio.N_MELS, c, 7, padding=3)
        self.blocks = nn.ModuleList([Block(c, cfg["kernel"]) for _ in range(cfg["blocks"])])
        self.norm_out = nn.LayerNorm(c)
        self.head = nn.Conv1d(c, 3 * BINS, 1)
        with torch.no_grad():
            self.head.weight.mul_(0.1)

    def spectrum(self, mel):
        x = self.conv_in(mel)
        for block in self.blocks:
            x = block(x)
        x = self.norm_out(x.transpose(1, 2)).transpose(1, 2)
        logmag, re, im = self.head(x).split(BINS, dim=1)
        mag = torch.exp(logmag.clamp(max=8.0))  # the engine has no clamp: after training it never binds
        norm = torch.sqrt(re * re + im * im).clamp(min=1e-6)
        return torch.complex(mag * re / norm, mag * im / norm)

    def forward(self, mel):
        return torch.istft(self.spectrum(mel), audio.N_FFT, audio.HOP, audio.N_FFT, audio.window(), center=True)


def stft_loss(pred, target):
    loss = 0.0
    for n_fft, hop in ((512, 128), (1024, 256), (2048, 512)):
        w = torch.hann_window(n_fft)
        p = torch.stft(pred, n_fft, hop, n_fft, w, return_complex=True).abs().clamp(min=1e-5)
        t = torch.stft(target, n_fft, hop, n_fft, w, return_complex=True).abs().clamp(min=1e-5)
        loss = loss + torch.norm(t - p) / torch.norm(t) + (p.log() - t.log()).abs().mean()
    return loss / 3


def load_audio(index_paths, items, cache):
    if os.path.exists(cache):
        return torch.load(cache)
    by_text = {}
    for index_path in index_paths:
        with open(index_path) as f:
            for line in f:
                u = json.loads(line)
                by_text[(u["voice"], u["text"])] = os.path.join(os.path.dirname(index_path), u["wav"])
    waves = []
    for it in items:
        wav = audio.read_wav_resampled(by_text[(it["voice"], it["text"])])
        waves.append(torch.from_numpy(wav.astype(np.float16)))
    torch.save(waves, cache)
    return waves


def crops(items, waves, count, rng):
    mels, targets = [], []
    while len(mels) < count:
        i = rng.randrange(len(items))
        mel, wav = items[i]["mel"], waves[i]
        frames = mel.shape[1]
        if frames <= SEGMENT:
            continue
        f0 = rng.randrange(frames - SEGMENT)
        mels.append(mel[:, f0:f0 + SEGMENT].float())
        seg = wav[f0 * audio.HOP:(f0 + SEGMENT - 1) * audio.HOP].float()
        targets.append(F.pad(seg, (0, (SEGMENT - 1) * audio.HOP - seg.shape[0])))
    return torch.stack(mels), torch.stack(targets)


def load_shipped(net, path):
    """The vocoder of a speech.safetensors (export.py's layout: the head
    split into magnitude and interleaved phase rows) into `net`."""
    tensors, _ = safetensors_io.load(path)
    state = {name[len("vocoder."):]: torch.from_numpy(v.astype(np.float32)) for name, v in tensors.items()
             if name.startswith("vocoder.") and not name.startswith("vocoder.head_")}
    for kind in ("weight", "bias"):
        mag = torch.from_numpy(tensors[f"vocoder.head_mag.{kind}"].astype(np.float32))
        phase = torch.from_numpy(tensors[f"vocoder.head_phase.{kind}"].astype(np.float32))
        phase = phase.reshape((BINS, 2) + phase.shape[1:])
        state[f"head.{kind}"] = torch.cat([mag, phase[:, 0], phase[:, 1]])
    net.load_state_dict(state)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", nargs="+", default=["/work/cache/speech/dataset.pt"])
    ap.add_argument("--teacher", nargs="+", default=["/work/cache/speech/utts/index.jsonl"],
                    help="the teacher indexes whose audio the datasets' mels come from")
    ap.add_argument("--audio-cache", default="/work/cache/speech/audio.pt")
    ap.add_argument("--init", help="a speech.safetensors whose vocoder to start from")
    ap.add_argument("--ckpt", default="/work/cache/speech/vocoder")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--hours", type=float, default=100.0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.ckpt, exist_ok=True)
    items = [item for path in args.data for item in torch.load(path)]
    waves = load_audio(args.teacher, items, args.audio_cache)
    rng = random.Random(1)
    torch.manual_seed(1)
    net = Vocoder(CONFIG)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.01)
    fb = torch.from_numpy(audio.mel_filters())
    step = 0
    latest = os.path.join(args.ckpt, "latest.pt")
    if os.path.exists(latest):
        state = torch.load(latest)
        net.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step = state["step"]
        rng.setstate(state["py_rng"])
        print(f"resumed at step {step}", flush=True)
    elif args.init:
        load_shipped(net, args.init)
        print(f"initialised from {args.init}", flush=True)
    log = open(os.path.join(args.ckpt, "loss.csv"), "a")
    start = last_save = time.time()
    window = []
    while time.time() - start < args.hours * 3600:
        mel, target = crops(items, waves, args.batch, rng)
        pred = net(mel)
        pred_mel = torch.log(torch.clamp(fb @ audio.stft(pred).abs(), min=audio.LOG_FLOOR))
        loss = stft_loss(pred, target) + 0.5 * (pred_mel - mel[:, :, :pred_mel.shape[2]]).abs().mean()
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / 300)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        step += 1
        window.append(loss.item())
        if step % 50 == 0:
            log.write(f"{step},{np.mean(window):.4f}\n")
            log.flush()
            print(f"step {step} loss {np.mean(window):.4f} {(time.time() - start) / 60:.1f} min", flush=True)
            window.clear()
        if time.time() - last_save > 300:
            state = {"model": net.state_dict(), "opt": opt.state_dict(), "step": step, "py_rng": rng.getstate(),
                     "config": CONFIG}
            torch.save(state, latest + ".tmp")
            os.replace(latest + ".tmp", latest)
            last_save = time.time()


if __name__ == "__main__":
    main()
