#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How close each voice of a checkpoint comes to its teacher on the
utterances train.py held out (the same 100, drawn the same way): the model
speaks each held-out text with its own pitch and energy on the teacher's
phoneme durations, and the mel-cepstral distortion to the teacher's
recording is measured frame by frame (cepstra: DCT of the 80 log-mel bins,
coefficients 1–24; in dB as MCD is usually given). It needs no speech
recogniser, so it works for every language; the English voices, whose word
error rates bench speech measures, are the anchor to read the others by.

  evaluate.py --ckpt CKPT --data DATASET...   (train.py's arguments)"""
import argparse
import math
import random

import numpy as np
import torch

import model as M
import train

CEPSTRA = 24


def cepstra(mel):
    """[80, T] log-mel → [T, CEPSTRA] (orthonormal DCT-II, c0 dropped)."""
    n = mel.shape[0]
    k = np.arange(1, CEPSTRA + 1)[:, None]
    basis = np.cos(np.pi * k * (np.arange(n)[None] + 0.5) / n) * math.sqrt(2.0 / n)
    return (basis @ mel).T


def distortion(a, b):
    """Mean frame distance in dB (as MCD is usually given)."""
    n = min(len(a), len(b))
    return 10.0 / math.log(10.0) * math.sqrt(2.0) * np.sqrt(((a[:n] - b[:n]) ** 2).sum(-1)).mean()


@torch.no_grad()
def speak(net, item):
    """The model's own pitch and energy on the teacher's durations, so that
    frames line up with the recording's."""
    phones, stress = item["phones"][None], item["stress"][None]
    speaker = torch.tensor([item["speaker"]])
    x, variance = net.encode(phones, stress, speaker)
    return net.decode(x, variance[:, 1], variance[:, 2], item["durations"][None], speaker)[0].numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--data", nargs="+", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    state = torch.load(args.ckpt)
    items = [item for path in args.data for item in torch.load(path)]
    stats = train.statistics(items)
    assert stats["phones"] == state["stats"]["phones"], "not the data this checkpoint learned from"
    data = train.to_tensors(items, stats)
    random.Random(0).shuffle(data)
    net = M.Acoustic(state["config"], len(stats["phones"]), len(stats["speakers"]))
    net.load_state_dict(state["model"])
    net.eval()
    scores = {}
    for item in data[:100]:
        voice = stats["speakers"][item["speaker"]]
        scores.setdefault(voice, []).append(distortion(cepstra(speak(net, item)), cepstra(item["mel"].numpy())))
    print(f"step {state['step']}: mel-cepstral distortion to the teacher (dB), held-out utterances")
    for voice in sorted(scores, key=lambda v: (stats["languages"][v], v)):
        print(f"{stats['languages'][voice]:6} {voice:8} {np.mean(scores[voice]):6.2f}  ({len(scores[voice])})")


if __name__ == "__main__":
    main()
