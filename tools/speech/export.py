#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the latest acoustic-model checkpoint as data/models/speech.safetensors:
fp16 weights under the PyTorch module names, fp32 embeddings, the mel
filterbank's pseudo-inverse for Griffin-Lim (audio.mel_pinv, [80, 513]), and
the config, phoneme and speaker lists and each voice's language in
__metadata__. Without a vocoder checkpoint, the vocoder of the model file
being replaced is kept."""
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
    # awb: the most intelligible to pocketsphinx (bench speech)
    ap.add_argument("--default-voice", default="awb")
    ap.add_argument("--training", help="provenance text for genstudio.training (default: the replaced file's)")
    args = ap.parse_args()
    state = torch.load(args.ckpt)
    previous = safetensors_io.load(os.path.abspath(args.out)) if os.path.exists(args.out) else ({}, {})
    tensors = {}
    for name, value in state["model"].items():
        v = value.detach().float().numpy()
        tensors[name] = v if "embedding" in name else v.astype(np.float16)
    config = dict(state["config"], sample_rate=audio.SAMPLE_RATE, n_fft=audio.N_FFT, hop=audio.HOP)
    if os.path.exists(args.vocoder):
        tensors.update(vocoder_tensors(torch.load(args.vocoder)["model"]))
    else:
        tensors.update({k: v for k, v in previous[0].items() if k.startswith("vocoder.")})
    if any(k.startswith("vocoder.") for k in tensors):
        config.update(vocoder_blocks=vocoder.CONFIG["blocks"], vocoder_kernel=vocoder.CONFIG["kernel"])
    tensors["audio.mel_pinv"] = np.linalg.pinv(audio.mel_filters()).T.astype(np.float32).copy()
    stats = state["stats"]
    languages = stats.get("languages", {})
    voice_languages = {v: languages.get(v, "en-us") for v in stats["speakers"]}
    meta = {
        "genstudio.speech_config": json.dumps(config, separators=(",", ":")),
        "genstudio.phones": "\n".join(stats["phones"]),
        "genstudio.speakers": "\n".join(stats["speakers"]),
        "genstudio.voice_languages": "\n".join(f"{v} {lang}" for v, lang in voice_languages.items()),
        "genstudio.default_speaker": args.default_voice,
        "genstudio.training": args.training or previous[1].get("genstudio.training", ""),
    }
    safetensors_io.save(os.path.abspath(args.out), tensors, meta)
    print(f"wrote {args.out}: {len(tensors)} tensors, step {state['step']}")


if __name__ == "__main__":
    main()
