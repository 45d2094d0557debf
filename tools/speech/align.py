#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Phoneme durations without a teacher's phone set: monotonic alignment
search (MAS, as in Glow-TTS) between the espeak-ng phonemes and the mel
frames of each utterance.

A small encoder maps the phonemes to one mean log-mel each (mels
standardised per speaker and bin); each frame belongs to one phoneme, in
order, and the alignment is the monotonic path of highest Gaussian
log-likelihood. Training alternates the two (hard EM): find the best path
with the current means, then move the means towards the frames the path
gives them. The first steps use an even split instead of a path. The start
token and the word and clause marks may get no frame at all, so pauses
fall on them and only there.

  align.py INDEX.jsonl... --out dataset.pt   (festival_teacher.py's or teacher.c's index)

Writes prepare.py's training items. With --compare dataset.pt (prepare.py's
flite-timed items) the utterances that dataset holds are aligned too, for
the alignment to learn from, but not written: the report says how far the
phoneme boundaries found are from flite's own timings."""
import argparse
import json
import os
import random
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import audio
import prepare
import train

SKIPPABLE = (prepare.START,) + prepare.BOUNDARIES


class Encoder(nn.Module):
    def __init__(self, phones, speakers, channels=128, layers=3):
        super().__init__()
        self.phone = nn.Embedding(phones, channels)
        self.speaker = nn.Embedding(speakers, channels)
        self.convs = nn.ModuleList([nn.Conv1d(channels, channels, 5, padding=2) for _ in range(layers)])
        self.norms = nn.ModuleList([nn.LayerNorm(channels) for _ in range(layers)])
        self.out = nn.Linear(channels, audio.N_MELS)

    def forward(self, phones, speaker):
        """[B, N] ids, [B] → means [B, N, 80]."""
        x = self.phone(phones) + self.speaker(speaker)[:, None]
        for conv, norm in zip(self.convs, self.norms):
            # GELU before the transpose got a strided gradient back, and
            # python3-torch 1.13's GELU backward returned values of 1e29 for it.
            x = x + conv(F.gelu(norm(x).transpose(1, 2).contiguous())).transpose(1, 2)
        return self.out(x)


@torch.no_grad()
def best_paths(ll, skippable, n_lens, t_lens):
    """ll [B, N, T] log-likelihoods, skippable [B, N] bool → frames per
    phoneme [B, N] (int) along the monotonic path of highest total ll that
    starts at the first phoneme (or the second, the first being skippable),
    ends at the last (or the one before) and skips only skippable ones."""
    b, n, t_max = ll.shape
    neg = torch.tensor(-1e30)
    value = torch.full((b, n), -1e30)
    value[:, 0] = ll[:, 0, 0]
    value[:, 1] = torch.where(skippable[:, 0], ll[:, 1, 0], neg)
    skip_prev = torch.zeros((b, n), dtype=torch.bool)
    skip_prev[:, 2:] = skippable[:, 1:-1]
    choice = torch.zeros((t_max, b, n), dtype=torch.int8)
    final = torch.full((b, n), -1e30)
    for t in range(1, t_max):
        advance = F.pad(value[:, :-1], (1, 0), value=-1e30)
        skip = torch.where(skip_prev, F.pad(value[:, :-2], (2, 0), value=-1e30), neg)
        best, step = torch.stack([value, advance, skip]).max(0)
        value = best + ll[:, :, t]
        choice[t] = step.to(torch.int8)
        ends = t_lens - 1 == t
        final[ends] = value[ends]
    final[t_lens == 1] = value[t_lens == 1]
    durations = np.zeros((b, n), dtype=np.int64)
    choice = choice.numpy()
    for k in range(b):
        last = int(n_lens[k]) - 1
        i = last if final[k, last] >= final[k, last - 1] or not skippable[k, last] else last - 1
        for t in range(int(t_lens[k]) - 1, -1, -1):
            durations[k, i] += 1
            i -= int(choice[t, k, i]) if t > 0 else 0
    return durations


def even_split(n_lens, t_lens, n):
    out = np.zeros((len(n_lens), n), dtype=np.int64)
    for k, (nk, tk) in enumerate(zip(n_lens, t_lens)):
        edges = np.round(np.linspace(0, tk, nk + 1)).astype(int)
        out[k, :nk] = np.diff(edges)
    return out


def load(indexes):
    """Utterances with their mel (22.05 kHz), F0 and speaker."""
    items = []
    for index in indexes:
        folder = os.path.dirname(index)
        with open(index) as f:
            for line in f:
                u = json.loads(line)
                x = torch.from_numpy(audio.read_wav_resampled(os.path.join(folder, u["wav"])))
                mel = audio.log_mel(x)
                u["phones"] = [(prepare.START, 0)] + [tuple(p) for p in u["phones"]]
                u.update(mel=mel, f0=audio.pitch(x, mel.shape[1]))
                items.append(u)
    return items


def batch_of(items, phone_ids, speaker_ids, norm):
    n = max(len(u["phones"]) for u in items)
    t = max(u["mel"].shape[1] for u in items)
    phones = torch.zeros((len(items), n), dtype=torch.long)
    skippable = torch.zeros((len(items), n), dtype=torch.bool)
    mel = torch.zeros((len(items), t, audio.N_MELS))
    for k, u in enumerate(items):
        phones[k, :len(u["phones"])] = torch.tensor([phone_ids[p] for p, _ in u["phones"]])
        skippable[k, :len(u["phones"])] = torch.tensor([p in SKIPPABLE for p, _ in u["phones"]])
        mean, std = norm[u["voice"]]
        mel[k, :u["mel"].shape[1]] = ((u["mel"].T - mean) / std)
    speaker = torch.tensor([speaker_ids[u["voice"]] for u in items])
    n_lens = torch.tensor([len(u["phones"]) for u in items])
    t_lens = torch.tensor([u["mel"].shape[1] for u in items])
    return phones, skippable, speaker, mel, n_lens, t_lens


def log_likelihood(means, mel, n_lens):
    """-½‖frame − mean‖² for every phoneme and frame: [B, N, T]; padded
    phonemes get none."""
    ll = -0.5 * torch.cdist(means, mel) ** 2
    pad = torch.arange(means.shape[1])[None] >= n_lens[:, None]
    return ll.masked_fill(pad[:, :, None], -1e30)


def fit(items, phone_ids, speaker_ids, norm, steps, warmup):
    torch.manual_seed(0)
    net = Encoder(len(phone_ids), len(speaker_ids))
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    rng = random.Random(0)
    step, start = 0, time.time()
    while step < steps:
        for group in train.batches(items, 6000, rng):
            phones, skippable, speaker, mel, n_lens, t_lens = batch_of(group, phone_ids, speaker_ids, norm)
            means = net(phones, speaker)
            if step < warmup:
                durations = even_split(n_lens, t_lens, phones.shape[1])
            else:
                durations = best_paths(log_likelihood(means.detach(), mel, n_lens), skippable, n_lens, t_lens)
            target = [torch.repeat_interleave(means[k], torch.from_numpy(durations[k]), dim=0)
                      for k in range(len(group))]
            loss = sum(((tk - mel[k, :tk.shape[0]]) ** 2).sum() for k, tk in enumerate(target)) / \
                (t_lens.sum() * audio.N_MELS)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if not torch.isfinite(torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)):
                print(f"step {step}: gradient not finite, batch skipped:", [u["wav"] for u in group], flush=True)
                continue
            opt.step()
            step += 1
            if step % 50 == 0:
                print(f"step {step} loss {loss.item():.4f} {(time.time() - start) / 60:.1f} min", flush=True)
            if step >= steps:
                break
    return net


@torch.no_grad()
def align_all(net, items, phone_ids, speaker_ids, norm):
    out = []
    for k in range(0, len(items), 16):
        group = items[k:k + 16]
        phones, skippable, speaker, mel, n_lens, t_lens = batch_of(group, phone_ids, speaker_ids, norm)
        ll = log_likelihood(net(phones, speaker), mel, n_lens)
        durations = best_paths(ll, skippable, n_lens, t_lens)
        out += [durations[j, :len(u["phones"])] for j, u in enumerate(group)]
    return out


def compare(items, durations, reference):
    """Median and 90th percentile of |boundary − flite's boundary| in ms."""
    errors = []
    for u, d in zip(items, durations):
        ref = reference.get((u["voice"], u["text"]))
        if ref is None or len(ref) != len(d):
            continue
        errors.append(np.abs(np.cumsum(d)[:-1] - np.cumsum(ref)[:-1]))
    e = np.concatenate(errors) * audio.HOP / audio.SAMPLE_RATE * 1000
    print(f"{len(errors)} utterances: boundary error median {np.median(e):.1f} ms, 90th percentile "
          f"{np.percentile(e, 90):.1f} ms, within 20 ms {np.mean(e <= 20) * 100:.1f} %")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("indexes", nargs="+")
    ap.add_argument("--out")
    ap.add_argument("--compare", help="prepare.py's dataset of the same utterances")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--warmup", type=int, default=150)
    args = ap.parse_args()
    torch.set_num_threads(1)
    items = load(args.indexes)
    phone_ids = {p: i for i, p in enumerate(sorted({p for u in items for p, _ in u["phones"]}))}
    speaker_ids = {v: i for i, v in enumerate(sorted({u["voice"] for u in items}))}
    norm = {}
    for v in speaker_ids:
        frames = torch.cat([u["mel"] for u in items if u["voice"] == v], 1)
        norm[v] = (frames.mean(1), frames.std(1) + 1e-3)
    print(f"{len(items)} utterances, {len(phone_ids)} phonemes, {len(speaker_ids)} voices", flush=True)
    net = fit(items, phone_ids, speaker_ids, norm, args.steps, args.warmup)
    durations = align_all(net, items, phone_ids, speaker_ids, norm)
    reference = {}
    if args.compare:
        reference = {(r["voice"], r["text"]): r["durations"] for r in torch.load(args.compare)}
        compare(items, durations, reference)
    if args.out:
        dataset = [prepare.training_item(u, u["phones"], u["mel"], u["f0"], d) for u, d in zip(items, durations)
                   if (u["voice"], u["text"]) not in reference]
        torch.save(dataset, args.out)
        print(f"{len(dataset)} utterances → {args.out}")


if __name__ == "__main__":
    main()
