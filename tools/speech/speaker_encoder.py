#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The speaker encoder: a few seconds of 16 kHz speech → a unit vector that
is near for one speaker and far for two. engine/speech/gs-speaker-encoder.c
runs the same network on the device; this file is its reference.

Features: the level normalised to an RMS of 0.05, STFT as torch.stft
(n_fft 512, hop 160, periodic Hann, centred, reflect padding), power
spectrum, 40 triangular HTK mel filters 0–8 kHz, natural log of
max(mel, 1e-8). Network: three ReLU conv1d layers (kernels 5, 5, 3
dilated 2; 128 channels), the time mean of h and of h² concatenated, two
linear layers → 64 numbers, then unit length. Trained with an additive
margin softmax over the speakers of speaker_data.py's recordings (each
shift of a voice its own speaker), on random 2–4 s crops with noise and
spectral tilt added.

  speaker_encoder.py train WAVDIR --ckpt DIR [--minutes N]
  speaker_encoder.py export --ckpt DIR --out data/models/speaker-encoder.safetensors
  speaker_encoder.py golden --model data/models/speaker-encoder.safetensors \
      --out tests/data/golden/speaker_encoder_golden.safetensors"""
import argparse
import glob
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

RATE = 16000
N_FFT = 512
HOP = 160
N_MELS = 40
LOG_FLOOR = 1e-8
TARGET_RMS = 0.05
CHANNELS = 128
DIM = 64
MIN_CROP, MAX_CROP = 2 * RATE, 4 * RATE


def mel_filters():
    """[N_MELS, N_FFT/2+1], HTK mel scale, peaks of 1."""
    bins = N_FFT // 2 + 1
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)
    hz = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = np.arange(bins) * RATE / N_FFT
    points = hz(np.linspace(0.0, mel(RATE / 2), N_MELS + 2))
    fb = np.zeros((N_MELS, bins))
    for m in range(N_MELS):
        lo, mid, hi = points[m], points[m + 1], points[m + 2]
        fb[m] = np.maximum(0.0, np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)))
    return torch.from_numpy(fb.astype(np.float32))


def normalise(x):
    """x [B, L] scaled to TARGET_RMS (as the engine does on the host)."""
    rms = x.pow(2).mean(-1, keepdim=True).sqrt().clamp(min=1e-6)
    return x * (TARGET_RMS / rms)


def log_mel(x, filters=None):
    """x [B, L] → [B, N_MELS, frames], by mel_filters() or `filters`."""
    spec = torch.stft(x, N_FFT, HOP, N_FFT, torch.hann_window(N_FFT), center=True, pad_mode="reflect",
                      return_complex=True)
    power = spec.real ** 2 + spec.imag ** 2
    fb = mel_filters() if filters is None else filters
    return torch.log(torch.clamp(fb @ power, min=LOG_FLOOR))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(N_MELS, CHANNELS, 5, padding=2)
        self.conv2 = nn.Conv1d(CHANNELS, CHANNELS, 5, padding=2)
        self.conv3 = nn.Conv1d(CHANNELS, CHANNELS, 3, padding=2, dilation=2)
        self.fc1 = nn.Linear(2 * CHANNELS, CHANNELS)
        self.fc2 = nn.Linear(CHANNELS, DIM)

    def forward(self, features):
        h = F.relu(self.conv1(features))
        h = F.relu(self.conv2(h))
        h = F.relu(self.conv3(h))
        pooled = torch.cat([h.mean(-1), (h * h).mean(-1)], -1)
        return self.fc2(F.relu(self.fc1(pooled)))

    def embed(self, x, filters=None):
        return F.normalize(self(log_mel(normalise(x), filters)), dim=-1)


def read(path):
    import wave
    with wave.open(path) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2, path
        return torch.from_numpy(np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768)


def speaker_of(path):
    """model-awb@-200 → flite-awb@-200: the model's rendering of a voice is
    filed under the voice it learned from."""
    import speaker_data
    name = os.path.basename(path)[:-4]
    base, _, shift = name.partition("@")
    if base.startswith("model-"):
        base = speaker_data.MODEL_TEACHER[base[len("model-"):]]
    return base + ("@" + shift if shift else "")


def trim(x):
    """Drops the silent stretches (20 ms frames 40 dB under the loudest)."""
    frames = x[: len(x) // 320 * 320].view(-1, 320)
    level = 10 * torch.log10(frames.pow(2).mean(1) + 1e-10)
    return frames[level > level.max() - 40].reshape(-1)


def crops(audio, count, length):
    starts = torch.randint(0, len(audio) - length, (count,))
    return torch.stack([audio[s:s + length] for s in starts])


def augment(x):
    """Noise 30–60 dB under the speech on half the crops, random gain."""
    noisy = torch.rand(x.shape[0], 1) < 0.5
    level = x.pow(2).mean(-1, keepdim=True).sqrt() * 10 ** (-(30 + 30 * torch.rand(x.shape[0], 1)) / 20)
    x = x + noisy * level * torch.randn_like(x)
    return x * 10 ** ((torch.rand(x.shape[0], 1) - 0.5) * 1.2)


def tilt(features):
    """A spectral tilt of ±0.5 nats across the band, as a microphone adds."""
    slope = (torch.rand(features.shape[0], 1, 1) - 0.5)
    return features + slope * torch.linspace(-1, 1, N_MELS)[None, :, None]


def load_speakers(wavdir):
    paths = sorted(glob.glob(os.path.join(wavdir, "*.wav")))
    speakers = {}
    for p in paths:
        if p.endswith(".raw.wav"):
            continue
        speakers.setdefault(speaker_of(p), []).append(trim(read(p)))
    return sorted(speakers), [speakers[s] for s in sorted(speakers)]


def evaluate(model, wavdir):
    """The held-out speakers against each other: the mean cosine between
    crops of one speaker and between crops of two, and how many of each
    speaker's last four crops lie nearest the mean of its first four."""
    held = sorted(glob.glob(os.path.join(wavdir, "held-out", "*.wav")))
    if not held:
        return "no held-out recordings"
    torch.manual_seed(0)
    with torch.no_grad():
        emb = {os.path.basename(p)[:-4]: model.embed(crops(trim(read(p)), 8, 3 * RATE)) for p in held}
        names = sorted(emb)
        same = np.mean([(emb[n] @ emb[n].T)[~torch.eye(8, dtype=bool)].mean().item() for n in names])
        diff = np.mean([(emb[a] @ emb[b].T).mean().item() for a in names for b in names if a < b])
        centroids = torch.stack([F.normalize(emb[n][:4].mean(0), dim=0) for n in names])
        hits = sum((emb[n][4:] @ centroids.T).argmax(1).eq(i).sum().item() for i, n in enumerate(names))
    return f"held-out same {same:.3f} different {diff:.3f} identified {hits}/{4 * len(names)}"


def train(args):
    torch.set_num_threads(args.threads)
    names, audio = load_speakers(args.wavdir)
    print(f"{len(names)} speakers, {sum(len(a) for s in audio for a in s) / RATE / 60:.1f} min of speech", flush=True)
    model = Encoder()
    weights = nn.Parameter(torch.randn(len(names), DIM) * 0.01)
    opt = torch.optim.Adam(list(model.parameters()) + [weights], lr=args.lr)
    os.makedirs(args.ckpt, exist_ok=True)
    latest = os.path.join(args.ckpt, "latest.pt")
    step = 0
    if os.path.exists(latest):
        state = torch.load(latest)
        model.load_state_dict(state["model"])
        weights.data.copy_(state["classes"])
        opt.load_state_dict(state["opt"])
        step = state["step"]
    start = last_save = time.time()
    scale, margin = 30.0, 0.2
    while time.time() - start < args.minutes * 60:
        length = random.randint(MIN_CROP, MAX_CROP) // HOP * HOP
        picks = torch.randint(0, len(names), (args.batch,))
        batch = torch.stack([crops(random.choice(audio[i]), 1, length)[0] for i in picks.tolist()])
        features = tilt(log_mel(normalise(augment(batch))))
        emb = F.normalize(model(features), dim=-1)
        cos = emb @ F.normalize(weights, dim=-1).T
        logits = scale * (cos - margin * F.one_hot(picks, len(names)))
        loss = F.cross_entropy(logits, picks)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            acc = cos.argmax(1).eq(picks).float().mean().item()
            print(f"step {step} loss {loss.item():.3f} acc {acc:.2f}", flush=True)
        if time.time() - last_save > 300 or time.time() - start >= args.minutes * 60:
            model.eval()
            print(f"step {step} {evaluate(model, args.wavdir)}", flush=True)
            model.train()
            tmp = latest + ".tmp"
            torch.save({"model": model.state_dict(), "classes": weights.data, "opt": opt.state_dict(),
                        "step": step, "speakers": names}, tmp)
            os.replace(tmp, latest)
            last_save = time.time()


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
import safetensors_io  # noqa: E402


def export(args):
    state = torch.load(os.path.join(args.ckpt, "latest.pt"))
    model = Encoder()
    model.load_state_dict(state["model"])
    # Matrices in fp16, as the engine holds them on most devices (and so the
    # golden fixture computes with the same numbers); biases in fp32.
    tensors = {k: v.contiguous().numpy().astype(np.float16 if v.dim() > 1 else np.float32)
               for k, v in model.state_dict().items()}
    # The power spectrum's mel sums as one matrix over the interleaved
    # (re, im) pairs the engine's FFT writes: re² and im² take one weight.
    tensors["mel.weight"] = mel_filters().repeat_interleave(2, dim=1).contiguous().numpy().astype(np.float16)
    meta = {"genstudio.kind": "speaker-encoder", "sample_rate": str(RATE), "n_fft": str(N_FFT), "hop": str(HOP),
            "log_floor": str(LOG_FLOOR), "target_rms": str(TARGET_RMS), "training_steps": str(state["step"]),
            "speakers": json.dumps(state["speakers"])}
    safetensors_io.save(os.path.abspath(args.out), tensors, meta)
    print(f"wrote {args.out}: {sum(v.size for v in tensors.values())} numbers, step {state['step']}")


def load_shipped(path):
    """The exported file as a model (its mel matrix included) in fp32."""
    weights, _ = safetensors_io.load(path)
    model = Encoder()
    model.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in weights.items() if k != "mel.weight"})
    mel = torch.from_numpy(weights["mel.weight"].astype(np.float32))[:, ::2].contiguous()
    return model.eval(), mel


def golden(args):
    """A fixed 2.5 s signal (a voiced vowel gliding in pitch and formants,
    a pause, a noise burst) and its embedding by the shipped weights."""
    model, mel = load_shipped(args.model)  # the file's fp16 filters
    t = torch.arange(int(2.5 * RATE), dtype=torch.float64) / RATE
    f0 = 110 + 40 * t
    phase = 2 * math.pi * torch.cumsum(f0, 0) / RATE
    voiced = sum(torch.sin(k * phase) / k * torch.exp(-((k * f0 - 700 - 300 * t) / 400) ** 2) for k in range(1, 40))
    g = torch.Generator().manual_seed(7)
    noise = torch.randn(len(t), generator=g, dtype=torch.float64) * 0.05
    x = torch.where(t < 1.4, voiced, torch.where(t < 1.7, 0.001 * noise, noise)).float()
    with torch.no_grad():
        e = model.embed(x[None], mel)[0]
    safetensors_io.save(os.path.abspath(args.out), {"signal": x.numpy(), "embedding": e.numpy()})
    print(f"wrote {args.out}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("wavdir")
    t.add_argument("--ckpt", required=True)
    t.add_argument("--minutes", type=float, default=30)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--threads", type=int, default=1)
    e = sub.add_parser("export")
    e.add_argument("--ckpt", required=True)
    e.add_argument("--out", required=True)
    gold = sub.add_parser("golden")
    gold.add_argument("--model", required=True)
    gold.add_argument("--out", required=True)
    args = ap.parse_args()
    {"train": train, "export": export, "golden": golden}[args.command](args)


if __name__ == "__main__":
    main()
