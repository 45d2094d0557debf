#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the latest acoustic-model checkpoint as data/models/speech.safetensors:
fp16 weights under the PyTorch module names, fp32 embeddings, the mel
filterbank's pseudo-inverse for Griffin-Lim (audio.mel_pinv, [80, 513]), and
the config, phoneme and speaker lists in __metadata__."""
import argparse
import json
import os
import sys

import numpy as np
import torch

import audio
import vocoder

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "train"))
import safetensors_io  # noqa: E402


def vocoder_tensors(model):
    """Under "vocoder.", with the head split as the engine reads it:
    head_mag [bins, C, 1] and head_phase [2·bins, C, 1] with x and y rows
    interleaved, so that the transposed output is already [T, bins, 2]."""
    out = {}
    for name, value in model.items():
        v = value.detach().float().numpy()
        if name.startswith("head."):
            bins = vocoder.BINS
            mag, x, y = v[:bins], v[bins:2 * bins], v[2 * bins:]
            phase = np.stack([x, y], axis=1).reshape((2 * bins,) + v.shape[1:])
            kind = name.split(".")[1]
            out[f"vocoder.head_mag.{kind}"] = mag.astype(np.float16)
            out[f"vocoder.head_phase.{kind}"] = phase.astype(np.float16)
        else:
            out["vocoder." + name] = v.astype(np.float16)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default="/work/cache/speech/ckpt/latest.pt")
    ap.add_argument("--vocoder", default="/work/cache/speech/vocoder/latest.pt")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "data", "models", "speech.safetensors"))
    args = ap.parse_args()
    state = torch.load(args.ckpt)
    tensors = {}
    for name, value in state["model"].items():
        v = value.detach().float().numpy()
        tensors[name] = v if "embedding" in name else v.astype(np.float16)
    config = dict(state["config"], sample_rate=audio.SAMPLE_RATE, n_fft=audio.N_FFT, hop=audio.HOP)
    if os.path.exists(args.vocoder):
        tensors.update(vocoder_tensors(torch.load(args.vocoder)["model"]))
        config.update(vocoder_blocks=vocoder.CONFIG["blocks"], vocoder_kernel=vocoder.CONFIG["kernel"])
    tensors["audio.mel_pinv"] = np.linalg.pinv(audio.mel_filters()).T.astype(np.float32).copy()
    stats = state["stats"]
    meta = {
        "genstudio.speech_config": json.dumps(config, separators=(",", ":")),
        "genstudio.phones": "\n".join(stats["phones"]),
        "genstudio.speakers": "\n".join(stats["speakers"]),
        "genstudio.default_speaker": "awb",  # the most intelligible to pocketsphinx (bench speech)
        "genstudio.training": (f"GenStudio speech: acoustic model trained from scratch by tools/speech/train.py for "
                               f"{state['step']} steps on flite voices ({', '.join(stats['speakers'])}; BSD-style "
                               "licence) reading sentences of debian-handbook and debian-reference (GPL-2+)."),
    }
    safetensors_io.save(os.path.abspath(args.out), tensors, meta)
    print(f"wrote {args.out}: {len(tensors)} tensors, step {state['step']}")


if __name__ == "__main__":
    main()
